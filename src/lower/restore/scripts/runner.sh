# The restore runner: kubectl create job --from=cronjob/restore-<plan> restore-now
. "${RESTORABLE_CONFIG:-/etc/restorable/plan}/lib.sh"

finish() {
  status=$?
  trap - EXIT
  elapsed=$(( $(date +%s) - START ))
  if [ "$status" -ne 0 ]; then
    write_result "restore-$PLAN-last-run" "failed: ${FAILURE:-exit $status}"
  elif [ "$elapsed" -gt "$RTO_SECONDS" ]; then
    log "restored in ${elapsed}s: MORE than the RTO of ${RTO_SECONDS}s"
    write_result "restore-$PLAN-last-run" "rto-exceeded"
  else
    log "restored in ${elapsed}s, within the RTO of ${RTO_SECONDS}s"
    write_result "restore-$PLAN-last-run" "ok"
  fi
  rm -f "$KUBE_ERR" "$KUBE_RETRIED" "$KUBE_OUTAGE"
  exit "$status"
}
trap finish EXIT

log "restore plan $PLAN: run $RUN_ID"
if [ "$(conf mode)" = data-only ]; then
  while read -r source target; do
    claims=$(kube get persistentvolumeclaims -n "$target" -o name) || die "could not list the PersistentVolumeClaims in $target"
    if [ -n "$claims" ]; then
      die "namespace $target already has PersistentVolumeClaims; Velero would silently skip them. Delete them first (data-only restores bring the data back into new claims)"
    fi
  done < "$CONFIG/namespaces"
fi
resolve_backups
run_steps
run_checks
