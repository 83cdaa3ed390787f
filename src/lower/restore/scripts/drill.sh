# The restore drill: restores into scratch drill-* namespaces, verifies, measures, cleans up.
. "${RESTORABLE_CONFIG:-/etc/restorable/plan}/lib.sh"
CHECK_FRESHNESS=true

# $1: whether to wait until the namespaces are gone (before a run, so they can be created again).
# Waiting polls with list (the drill may list namespaces, not watch them, which `kubectl delete
# --wait` would).
cleanup() {
  kube delete namespaces -l "restorable.dev/drill=$PLAN" --wait=false --ignore-not-found > /dev/null 2>&1 || log "cleanup: could not delete drill namespaces"
  kube delete restores.velero.io -n "$VELERO_NS" -l "restorable.dev/drill=$PLAN" --wait=false --ignore-not-found > /dev/null 2>&1 || log "cleanup: could not delete drill restores"
  [ "$1" = true ] || return 0
  while [ -n "$(kube get namespaces -l "restorable.dev/drill=$PLAN" -o name)" ]; do
    check_deadline
    log "cleanup: waiting for the drill namespaces of an earlier run to go away"
    sleep "$POLL_SECONDS"
  done
}

finish() {
  status=$?
  trap - EXIT
  elapsed=$(( $(date +%s) - START ))
  if [ "$status" -eq 0 ] && [ "$elapsed" -gt "$RTO_SECONDS" ]; then
    FAILURE="RTO exceeded: restored in ${elapsed}s, the RTO is ${RTO_SECONDS}s"
    log "FAILED: $FAILURE"
    status=1
  fi
  if [ "$status" -eq 0 ]; then write_result "drill-$PLAN-result" "passed"; else write_result "drill-$PLAN-result" "failed: ${FAILURE:-exit $status}"; fi
  cleanup false
  rm -f "$KUBE_ERR" "$KUBE_RETRIED" "$KUBE_OUTAGE"
  log "drill $PLAN finished in ${elapsed}s: $([ "$status" -eq 0 ] && echo passed || echo FAILED)"
  exit "$status"
}

log "drill $PLAN: run $RUN_ID"
# A drill that was killed left its namespaces behind: clean them before starting.
cleanup true
trap finish EXIT
while read -r source target; do
  kube create namespace "$target" > /dev/null || { kube_retried && grep -q AlreadyExists "$KUBE_ERR"; } || die "could not create namespace $target"
  kube label namespace "$target" "restorable.dev/drill=$PLAN" --overwrite > /dev/null
  kube apply -n "$target" -f "$CONFIG/networkpolicy.yaml" > /dev/null
done < "$CONFIG/namespaces"
resolve_backups
run_steps
run_checks
