# Shared by the restore runner and the drill. POSIX sh, kubectl only.
# Every value comes from files of the mounted plan ConfigMap; nothing is interpolated into code.
set -eu

CONFIG=${RESTORABLE_CONFIG:-/etc/restorable/plan}
POLL_SECONDS=${RESTORABLE_POLL_SECONDS:-5}
# Transient API errors (a restarting or overloaded API server) are retried this many times in all,
# RETRY_SECONDS apart at first, doubling up to 30 s (about 3 minutes in all with the defaults).
API_ATTEMPTS=${RESTORABLE_API_ATTEMPTS:-10}
RETRY_SECONDS=${RESTORABLE_RETRY_SECONDS:-2}
# kubectl's last error, and a marker that the last call needed a retry (files: calls run in subshells).
KUBE_ERR=${TMPDIR:-/tmp}/restorable-kubectl-$$.err
KUBE_RETRIED=$KUBE_ERR.retried
# When the API server was last seen unreachable (seconds since the epoch).
KUBE_OUTAGE=$KUBE_ERR.outage
# The reason of the last die: a die inside $(...) exits only its subshell, and FAILURE with it.
FAILURE_FILE=$KUBE_ERR.failure

conf() { sed -n "s/^$1=//p" "$CONFIG/plan" | head -n 1; }
log() { printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() {
  log "FAILED: $*"
  FAILURE=$*
  printf '%s' "$*" > "$FAILURE_FILE"
  exit 1
}

PLAN=$(conf plan)
VELERO_NS=$(conf veleroNamespace)
RTO_SECONDS=$(conf rtoSeconds)
TIER=$(conf pointInTime)
WAIT_LIMIT=$(( $(date +%s) + $(conf waitLimitSeconds) ))
RUN_ID=$(date -u +%Y%m%d%H%M%S)
START=$(date +%s)
FAILURE=
BACKUPS=

# Errors that say the API server could not answer now, not that the request was wrong. Discovery
# that fails, and a refusal (401, 403) or a resource type it does not know (its CRDs not served yet)
# within a minute of the API server being unreachable, are a starting API server whose caches are
# not filled yet: also retried, and bounded like the rest.
transient_error() {
  if grep -Eqi 'Unable to connect to the server|connection to the server .* was refused|connection refused|connection reset|broken pipe|no route to host|i/o timeout|TLS handshake timeout|EOF$|http2: |context deadline exceeded|request canceled|ServiceUnavailable|currently unable to handle the request|InternalError|Internal error occurred|etcdserver|Timeout: |unable to return a response in the time allotted|TooManyRequests|too many requests|couldn.t get current server API group list' "$KUBE_ERR"; then
    date +%s > "$KUBE_OUTAGE"
    return 0
  fi
  [ -f "$KUBE_OUTAGE" ] && [ $(( $(date +%s) - $(cat "$KUBE_OUTAGE") )) -le 60 ] && grep -Eqi 'Forbidden|forbidden:|Unauthorized|the server doesn.t have a resource type' "$KUBE_ERR"
}

# kubectl, retried on transient API errors (bounded by API_ATTEMPTS); any other error returns at
# once with kubectl's message on stderr (and in $KUBE_ERR). `kube_in TEXT ARGS...` feeds TEXT on
# standard input to every attempt; `kube` feeds nothing (never the caller's loop input).
# `kube_retried` tells whether the last call needed a retry. Variables are prefixed: sh has no locals.
kube() { kube_call '' false "$@"; }
kube_in() {
  _k_text=$1
  shift
  kube_call "$_k_text" true "$@"
}
kube_call() {
  _k_input=$1
  _k_piped=$2
  shift 2
  _k_attempt=1
  _k_delay=$RETRY_SECONDS
  rm -f "$KUBE_RETRIED"
  while :; do
    if [ "$_k_piped" = true ]; then
      _k_out=$(printf '%s\n' "$_k_input" | kubectl "$@" 2> "$KUBE_ERR") && _k_status=0 || _k_status=$?
    else
      _k_out=$(kubectl "$@" < /dev/null 2> "$KUBE_ERR") && _k_status=0 || _k_status=$?
    fi
    if [ "$_k_status" -eq 0 ]; then
      printf '%s' "$_k_out"
      return 0
    fi
    if [ "$_k_attempt" -ge "$API_ATTEMPTS" ] || ! transient_error; then
      cat "$KUBE_ERR" >&2
      printf '%s' "$_k_out"
      return "$_k_status"
    fi
    log "kubectl $1 $2: $(tail -n 1 "$KUBE_ERR"); attempt $_k_attempt of $API_ATTEMPTS, retrying in ${_k_delay}s"
    : > "$KUBE_RETRIED"
    sleep "$_k_delay"
    _k_attempt=$((_k_attempt + 1))
    _k_delay=$((_k_delay * 2))
    [ "$_k_delay" -le 30 ] || _k_delay=30
  done
}
kube_retried() { [ -f "$KUBE_RETRIED" ]; }

# Creates an object whose name belongs to this run; prints its name. A create that reached the API
# server but whose answer was lost is retried and then meets the object it made: that is success.
create_own() {
  if _c_name=$(kube_in "$1" create -f - -o jsonpath='{.metadata.name}'); then
    printf '%s' "$_c_name"
    return 0
  fi
  kube_retried && grep -q AlreadyExists "$KUBE_ERR" || return 1
  kube_in "$1" get -f - -o jsonpath='{.metadata.name}'
}

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

# The newest Completed backup of a policy (of the plan's tier), as "completionTimestamp name"; with
# $2, an RFC 3339 UTC time as Velero writes completionTimestamp, the newest completed by then.
newest_backup() {
  selector="restorable.dev/policy=$1"
  [ "$TIER" = latest ] || selector="$selector,restorable.dev/tier=$TIER"
  _b_list=$(kube get backups.velero.io -n "$VELERO_NS" -l "$selector" \
    -o jsonpath='{range .items[*]}{.status.phase}{" "}{.status.completionTimestamp}{" "}{.metadata.name}{"\n"}{end}') ||
    die "could not list the backups of policy $1"
  printf '%s\n' "$_b_list" | awk -v by="${2:-}" '$1 == "Completed" && (by == "" || $2 <= by) { print $2 " " $3 }' | sort | tail -n 1
}

# The backup pinned for policy $1, or nothing. Only the runner reads a pin (setting `pin`): a pin
# left from an incident must not make every later drill restore an old backup and fail as stale.
# No pin ConfigMap means no pin; any other failure to read it stops the run (never a silent
# "latest"). A raw GET, read by kubectl locally: `kubectl get configmap` would, for a missing
# ConfigMap, also read the namespace, which the job may not.
pinned_backup() {
  _p_name=$(conf pin)
  [ -n "$_p_name" ] || return 0
  if ! _p_json=$(kube get --raw "/api/v1/namespaces/$VELERO_NS/configmaps/$_p_name" 2> /dev/null); then
    grep -Eqi 'NotFound|not found' "$KUBE_ERR" && return 0
    die "could not read ConfigMap $_p_name: $(tail -n 1 "$KUBE_ERR")"
  fi
  kube_in "$_p_json" create --dry-run=client -f - -o "jsonpath={.data.$1}"
}

# Resolves every policy's backup once, so all steps of this run restore the same restore point.
# A backup can be pinned per policy in the ConfigMap <plan>-pin (key: policy, value: backup name).
# A policy read from a replica (a third column: the replication lag, in seconds) restores only a
# backup completed at least that long ago: replication copies objects one by one, so a newer
# backup's metadata can be in the replica before its data.
resolve_backups() {
  while read -r policy max_age lag; do
    completed_by=
    if [ -n "${lag:-}" ]; then
      completed_by=$(date -u -d "@$(( $(date +%s) - lag ))" +%Y-%m-%dT%H:%M:%SZ)
      log "policy $policy: read from a replica copied up to ${lag}s late: only backups completed by $completed_by"
    fi
    pinned=$(pinned_backup "$policy")
    if [ -n "$pinned" ]; then
      valid_name "$pinned" || die "pinned backup for $policy is not a valid name"
      completed=$(kube get backups.velero.io "$pinned" -n "$VELERO_NS" -o jsonpath='{.status.completionTimestamp}') ||
        die "could not read pinned backup $pinned: $(tail -n 1 "$KUBE_ERR")"
      line="$completed $pinned"
      # A person chose it: restored, but said when the replica may not hold all of it yet.
      if [ -n "$completed_by" ] && [ "$(to_epoch "$completed")" -gt "$(to_epoch "$completed_by")" ]; then
        log "WARNING: pinned backup $pinned completed $completed, within the replication lag of ${lag}s: the replica may not hold all of its objects yet"
      fi
    else
      line=$(newest_backup "$policy" "$completed_by")
    fi
    [ -n "$line" ] || die "no Completed backup of policy $policy (tier $TIER${completed_by:+, completed by $completed_by}) in namespace $VELERO_NS"
    completed=${line%% *}
    backup=${line#* }
    valid_name "$backup" || die "backup name of $policy is not a valid name"
    age=$(( $(date +%s) - $(to_epoch "$completed") ))
    log "policy $policy: backup $backup, completed $completed (${age}s ago)"
    if [ "${CHECK_FRESHNESS:-false}" = true ] && [ "$age" -gt "$max_age" ]; then
      die "stale backup: $backup of policy $policy is ${age}s old, more than the RPO plus one schedule interval${lag:+ plus the replication lag} (${max_age}s)"
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
    phase=$(kube get restores.velero.io "$1" -n "$VELERO_NS" -o jsonpath='{.status.phase}') ||
      die "could not read the phase of restore $1: $(tail -n 1 "$KUBE_ERR")"
    case "$phase" in
      Completed) return 0 ;;
      Failed | PartiallyFailed | FailedValidation)
        why=$(kube get restores.velero.io "$1" -n "$VELERO_NS" -o jsonpath='{.status.failureReason}{" "}{.status.validationErrors}') || why='(its reason could not be read)'
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
    manifest=$(sed -e "s/RESTORABLE_BACKUP_NAME/$backup/g" -e "s/RESTORABLE_RUN_ID/$RUN_ID/g" "$CONFIG/step-$index.yaml")
    name=$(create_own "$manifest") || die "could not create the Restore of step $index $step"
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
        fi
        if [ -f "$CONFIG/check-$index.min-rows" ]; then
          # A counted query prints one number; anything else is not trusted as a count.
          rows=$(printf '%s' "$output" | tr -d ' \t\r\n')
          case "$rows" in '' | *[!0-9]*) die "check $(cat "$CONFIG/check-$index.name") did not print a row count in $target/$pod" ;; esac
          [ "$rows" -ge "$(cat "$CONFIG/check-$index.min-rows")" ] ||
            die "check $(cat "$CONFIG/check-$index.name") counted $rows rows in $target/$pod, fewer than $(cat "$CONFIG/check-$index.min-rows")"
        fi ;;
      http)
        read -r service port path < "$CONFIG/check-$index.http"
        if [ -f "$CONFIG/check-$index.probe.yaml" ]; then
          # A drill's: from a probe pod inside the drill namespace (run_probe, drill.sh), since the
          # drill's NetworkPolicy admits nothing from outside it, the API server's proxy included.
          run_probe "$CONFIG/check-$index.probe.yaml" "$target"
          [ "$PROBE_EXIT" = 0 ] ||
            die "check $(cat "$CONFIG/check-$index.name") failed: GET http://$service.$target.svc:$port$path from inside $target: ${PROBE_MESSAGE:-the probe pod did not run within ${PROBE_SECONDS}s}"
        else
          kube get --raw "/api/v1/namespaces/$target/services/$service:$port/proxy$path" > /dev/null ||
            die "check $(cat "$CONFIG/check-$index.name") failed: GET $service:$port$path in $target"
        fi ;;
    esac
    log "check $(cat "$CONFIG/check-$index.name"): passed"
  done < "$CONFIG/checks"
}

# Records the outcome in a ConfigMap: time, backups, duration and verdict. Created the first time,
# patched when it exists: never read (`kubectl get` of a missing ConfigMap would also read the
# namespace, and `kubectl apply` does, which the job may not).
write_result() {
  case $2 in "failed: exit "*) [ ! -s "$FAILURE_FILE" ] || set -- "$1" "failed: $(cat "$FAILURE_FILE")" ;; esac
  _r_manifest=$(kubectl create configmap "$1" -n "$VELERO_NS" \
    --from-literal=time="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --from-literal=run="$RUN_ID" \
    --from-literal=backups="${BACKUPS# }" \
    --from-literal=durationSeconds="$(( $(date +%s) - START ))" \
    --from-literal=rtoSeconds="$RTO_SECONDS" \
    --from-literal=verdict="$2" \
    --dry-run=client -o yaml) || { log "could not record the result in ConfigMap $1"; return 0; }
  create_own "$_r_manifest" > /dev/null 2>&1 && return 0
  if grep -q AlreadyExists "$KUBE_ERR" && kube patch configmap "$1" -n "$VELERO_NS" --type=merge -p "$_r_manifest" > /dev/null; then return 0; fi
  log "could not record the result in ConfigMap $1: $(tail -n 1 "$KUBE_ERR")"
}
