# Shared by the restore runner and the drill. POSIX sh, kubectl only.
# Every value comes from files of the mounted plan ConfigMap; nothing is interpolated into code.
set -eu

CONFIG=${RESTORABLE_CONFIG:-/etc/restorable/plan}
POLL_SECONDS=${RESTORABLE_POLL_SECONDS:-5}

conf() { sed -n "s/^$1=//p" "$CONFIG/plan" | head -n 1; }
log() { printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() { log "FAILED: $*"; FAILURE=$*; exit 1; }

PLAN=$(conf plan)
VELERO_NS=$(conf veleroNamespace)
RTO_SECONDS=$(conf rtoSeconds)
TIER=$(conf pointInTime)
WAIT_LIMIT=$(( $(date +%s) + $(conf waitLimitSeconds) ))
RUN_ID=$(date -u +%Y%m%d%H%M%S)
START=$(date +%s)
FAILURE=
BACKUPS=

# A Kubernetes name from a cluster answer: refuse anything else before it reaches a command line.
valid_name() {
  case "$1" in '' | *[!a-z0-9.-]*) return 1 ;; esac
  return 0
}

to_epoch() { date -u -d "$(printf '%s' "$1" | sed 's/T/ /; s/Z$//')" +%s; }

check_deadline() {
  [ "$(date +%s)" -lt "$WAIT_LIMIT" ] || die "gave up waiting after $(conf waitLimitSeconds)s"
}

# Source namespace -> target namespace, from the plan's mapping.
map_namespace() { awk -v ns="$1" '$1 == ns { print $2; exit }' "$CONFIG/namespaces"; }

# The newest Completed backup of a policy (of the plan's tier), as "completionTimestamp name".
newest_backup() {
  selector="restorable.dev/policy=$1"
  [ "$TIER" = latest ] || selector="$selector,restorable.dev/tier=$TIER"
  kubectl get backups.velero.io -n "$VELERO_NS" -l "$selector" \
    -o jsonpath='{range .items[*]}{.status.phase}{" "}{.status.completionTimestamp}{" "}{.metadata.name}{"\n"}{end}' |
    awk '$1 == "Completed" { print $2 " " $3 }' | sort | tail -n 1
}

# Resolves every policy's backup once, so all steps of this run restore the same restore point.
# A backup can be pinned per policy in the ConfigMap <plan>-pin (key: policy, value: backup name).
resolve_backups() {
  while read -r policy max_age; do
    pinned=$(kubectl get configmap "restore-$PLAN-pin" -n "$VELERO_NS" -o "jsonpath={.data.$policy}" 2>/dev/null || true)
    if [ -n "$pinned" ]; then
      valid_name "$pinned" || die "pinned backup for $policy is not a valid name"
      completed=$(kubectl get backups.velero.io "$pinned" -n "$VELERO_NS" -o jsonpath='{.status.completionTimestamp}')
      line="$completed $pinned"
    else
      line=$(newest_backup "$policy")
    fi
    [ -n "$line" ] || die "no Completed backup of policy $policy (tier $TIER) in namespace $VELERO_NS"
    completed=${line%% *}
    backup=${line#* }
    valid_name "$backup" || die "backup name of $policy is not a valid name"
    age=$(( $(date +%s) - $(to_epoch "$completed") ))
    log "policy $policy: backup $backup, completed $completed (${age}s ago)"
    if [ "${CHECK_FRESHNESS:-false}" = true ] && [ "$age" -gt "$max_age" ]; then
      die "stale backup: $backup of policy $policy is ${age}s old, more than the RPO plus one schedule interval (${max_age}s)"
    fi
    BACKUPS="$BACKUPS $policy=$backup"
  done < "$CONFIG/policies"
}

backup_of() {
  for pair in $BACKUPS; do
    [ "${pair%%=*}" = "$1" ] && { printf '%s' "${pair#*=}"; return 0; }
  done
  return 1
}

wait_restore() {
  while :; do
    phase=$(kubectl get restores.velero.io "$1" -n "$VELERO_NS" -o jsonpath='{.status.phase}')
    case "$phase" in
      Completed) return 0 ;;
      Failed | PartiallyFailed | FailedValidation)
        why=$(kubectl get restores.velero.io "$1" -n "$VELERO_NS" -o jsonpath='{.status.failureReason}{" "}{.status.validationErrors}')
        die "restore $1 ended $phase: $why (velero restore describe $1 --details)" ;;
    esac
    check_deadline
    sleep "$POLL_SECONDS"
  done
}

# Runs the steps in order: one Velero Restore each, pinned to the resolved backup, uniquely named per run.
run_steps() {
  while read -r index step policy; do
    backup=$(backup_of "$policy") || die "no backup resolved for policy $policy"
    step_start=$(date +%s)
    name=$(sed -e "s/RESTORABLE_BACKUP_NAME/$backup/g" -e "s/RESTORABLE_RUN_ID/$RUN_ID/g" "$CONFIG/step-$index.yaml" |
      kubectl create -f - -o jsonpath='{.metadata.name}')
    log "step $index $step: restore $name from $backup"
    wait_restore "$name"
    log "step $index $step: completed in $(( $(date +%s) - step_start ))s"
  done < "$CONFIG/steps"
}

wait_pod() {
  while :; do
    pod=$(kubectl get pods -n "$1" -l "$2" --field-selector=status.phase=Running -o jsonpath='{.items[0].metadata.name}' 2>/dev/null || true)
    if [ -n "$pod" ]; then
      valid_name "$pod" || die "pod name in $1 is not a valid name"
      printf '%s' "$pod"
      return 0
    fi
    check_deadline
    sleep "$POLL_SECONDS"
  done
}

run_checks() {
  [ -s "$CONFIG/checks" ] || return 0
  while read -r index type namespace; do
    target=$(map_namespace "$namespace")
    [ -n "$target" ] || target=$namespace
    case "$type" in
      exec)
        pod=$(wait_pod "$target" "$(cat "$CONFIG/check-$index.selector")")
        container=$(cat "$CONFIG/check-$index.container")
        set --
        while IFS= read -r arg; do set -- "$@" "$arg"; done < "$CONFIG/check-$index.argv"
        if [ -n "$container" ]; then
          output=$(kubectl exec -n "$target" "$pod" -c "$container" -- "$@" < /dev/null) || die "check $(cat "$CONFIG/check-$index.name") failed in $target/$pod"
        else
          output=$(kubectl exec -n "$target" "$pod" -- "$@" < /dev/null) || die "check $(cat "$CONFIG/check-$index.name") failed in $target/$pod"
        fi
        if [ -f "$CONFIG/check-$index.require-output" ] && [ -z "$output" ]; then
          die "check $(cat "$CONFIG/check-$index.name") returned no rows in $target/$pod"
        fi ;;
      http)
        read -r service port path < "$CONFIG/check-$index.http"
        kubectl get --raw "/api/v1/namespaces/$target/services/$service:$port/proxy$path" > /dev/null ||
          die "check $(cat "$CONFIG/check-$index.name") failed: GET $service:$port$path in $target" ;;
    esac
    log "check $(cat "$CONFIG/check-$index.name"): passed"
  done < "$CONFIG/checks"
}

# Records the outcome in a ConfigMap: time, backups, duration and verdict.
write_result() {
  kubectl create configmap "$1" -n "$VELERO_NS" \
    --from-literal=time="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --from-literal=run="$RUN_ID" \
    --from-literal=backups="${BACKUPS# }" \
    --from-literal=durationSeconds="$(( $(date +%s) - START ))" \
    --from-literal=rtoSeconds="$RTO_SECONDS" \
    --from-literal=verdict="$2" \
    --dry-run=client -o yaml | kubectl apply -f - > /dev/null || log "could not record the result in ConfigMap $1"
}
