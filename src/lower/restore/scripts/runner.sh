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
  rm -f "$KUBE_ERR" "$KUBE_RETRIED" "$KUBE_OUTAGE" "$FAILURE_FILE"
  exit "$status"
}
trap finish EXIT

log "restore plan $PLAN: run $RUN_ID"
# Velero never restores over an existing claim: it skips it (the data stays out) and still reports
# the Restore Completed. A StatefulSet already there (Argo CD recreated the namespace) has made its
# claims, empty, before the restore could. So the runner refuses before restoring anything, and the
# reason is recorded in the result.
# $1: the target namespace; $2: the resource; $3: what to call it in the reason; $4: how to fix it.
refuse_existing() {
  _e_names=$(kube get "$2" -n "$1" -o name) || die "could not list the $3 in $1: $(tail -n 1 "$KUBE_ERR")"
  [ -z "$_e_names" ] && return 0
  _e_names=$(printf '%s\n' "$_e_names" | sed 's|^.*/||' | head -n 5 | tr '\n' ' ')
  die "namespace $1 already holds $3 (${_e_names% }); Velero would skip the existing claims and leave them empty. $4"
}
while read -r _source target; do
  if [ "$(conf mode)" = data-only ]; then
    refuse_existing "$target" persistentvolumeclaims PersistentVolumeClaims "Delete them first (data-only restores bring the data back into new claims)"
  else
    refuse_existing "$target" persistentvolumeclaims PersistentVolumeClaims "Pause Argo CD's sync of $target and delete the namespace (or its claims) first"
    refuse_existing "$target" statefulsets.apps StatefulSets "Pause Argo CD's sync of $target and delete the namespace (or its StatefulSets and their claims) first"
  fi
done < "$CONFIG/namespaces"
resolve_backups
run_steps
run_checks
