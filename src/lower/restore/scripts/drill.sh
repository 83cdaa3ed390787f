# The restore drill: restores into scratch drill-* namespaces, verifies, measures, cleans up.
. "${RESTORABLE_CONFIG:-/etc/restorable/plan}/lib.sh"
CHECK_FRESHNESS=true
# How long a probe pod may take to be scheduled, pull its image and finish.
PROBE_SECONDS=${RESTORABLE_PROBE_SECONDS:-300}
# A verdict other than passed or failed (isolation not enforced), recorded as it is.
VERDICT=

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
  if [ -n "$VERDICT" ]; then
    write_result "drill-$PLAN-result" "$VERDICT"
  elif [ "$status" -eq 0 ]; then
    write_result "drill-$PLAN-result" "passed"
  else
    write_result "drill-$PLAN-result" "failed: ${FAILURE:-exit $status}"
  fi
  cleanup false
  rm -f "$KUBE_ERR" "$KUBE_RETRIED" "$KUBE_OUTAGE"
  log "drill $PLAN finished in ${elapsed}s: $([ "$status" -eq 0 ] && echo passed || echo FAILED)"
  exit "$status"
}

# What each restored Deployment and StatefulSet needs to start, one "Kind/name resource name" a line:
# its ServiceAccount, image pull Secrets, and the ConfigMaps, Secrets and claims its pod template
# mounts or reads its environment from (optional references left out).
REFERENCES='{{range .items}}{{$w := printf "%s/%s" .kind .metadata.name}}{{with .spec.template.spec}}{{if .serviceAccountName}}{{$w}} serviceaccounts {{.serviceAccountName}}
{{end}}{{range .imagePullSecrets}}{{$w}} secrets {{.name}}
{{end}}{{range .volumes}}{{with .configMap}}{{if not .optional}}{{$w}} configmaps {{.name}}
{{end}}{{end}}{{with .secret}}{{if not .optional}}{{$w}} secrets {{.secretName}}
{{end}}{{end}}{{with .persistentVolumeClaim}}{{$w}} persistentvolumeclaims {{.claimName}}
{{end}}{{end}}{{range .initContainers}}{{range .envFrom}}{{with .configMapRef}}{{if not .optional}}{{$w}} configmaps {{.name}}
{{end}}{{end}}{{with .secretRef}}{{if not .optional}}{{$w}} secrets {{.name}}
{{end}}{{end}}{{end}}{{range .env}}{{with .valueFrom}}{{with .configMapKeyRef}}{{if not .optional}}{{$w}} configmaps {{.name}}
{{end}}{{end}}{{with .secretKeyRef}}{{if not .optional}}{{$w}} secrets {{.name}}
{{end}}{{end}}{{end}}{{end}}{{end}}{{range .containers}}{{range .envFrom}}{{with .configMapRef}}{{if not .optional}}{{$w}} configmaps {{.name}}
{{end}}{{end}}{{with .secretRef}}{{if not .optional}}{{$w}} secrets {{.name}}
{{end}}{{end}}{{end}}{{range .env}}{{with .valueFrom}}{{with .configMapKeyRef}}{{if not .optional}}{{$w}} configmaps {{.name}}
{{end}}{{end}}{{with .secretKeyRef}}{{if not .optional}}{{$w}} secrets {{.name}}
{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}'

# Runs the probe pod of manifest $1 in namespace $2 and waits, up to PROBE_SECONDS, until it ends.
# Sets PROBE_EXIT (the container's exit code; empty when it never ran) and PROBE_MESSAGE (its
# termination message: the last log lines of a failed probe, on one line).
run_probe() {
  _p_name=$(kube_in "$(cat "$1")" create -n "$2" -f - -o jsonpath='{.metadata.name}') || die "could not create a probe pod in $2"
  valid_name "$_p_name" || die "probe pod name in $2 is not a valid name"
  PROBE_EXIT=
  PROBE_MESSAGE=
  _p_limit=$(( $(date +%s) + PROBE_SECONDS ))
  while :; do
    _p_state=$(kube get pod "$_p_name" -n "$2" -o jsonpath='{.status.phase}{" "}{.status.containerStatuses[0].state.terminated.exitCode}') ||
      die "could not read probe pod $_p_name in $2"
    case "$_p_state" in
      Succeeded* | Failed*)
        PROBE_EXIT=${_p_state#* }
        PROBE_MESSAGE=$(kube get pod "$_p_name" -n "$2" -o jsonpath='{.status.containerStatuses[0].state.terminated.message}' | tr '\r\n' '  ' | cut -c1-300)
        break ;;
    esac
    [ "$(date +%s)" -lt "$_p_limit" ] || break
    sleep "$POLL_SECONDS"
  done
  kube delete pod "$_p_name" -n "$2" --wait=false > /dev/null 2>&1 || log "could not delete probe pod $_p_name in $2"
}

# The drill's NetworkPolicy proves itself before anything is restored: a probe pod in the first
# drill namespace must fail to reach the API server. Anything else (an answer, a failed DNS lookup,
# a probe that never ran) leaves the isolation unproven, and no production copy is started.
preflight_isolation() {
  _i_ns=$(awk 'NR == 1 { print $2 }' "$CONFIG/namespaces")
  [ -f "$CONFIG/probe-isolation.yaml" ] || not_enforced "no isolation probe (the cluster declares no kubectl image)"
  run_probe "$CONFIG/probe-isolation.yaml" "$_i_ns"
  if [ -z "$PROBE_EXIT" ]; then
    not_enforced "the probe pod in $_i_ns did not run within ${PROBE_SECONDS}s"
  elif [ "$PROBE_EXIT" = 0 ] || printf '%s' "$PROBE_MESSAGE" | grep -Eqi 'Unauthorized|Forbidden|must be logged in'; then
    not_enforced "a pod in $_i_ns reached the API server through the drill's NetworkPolicy (does the cluster's network plugin enforce NetworkPolicies?): $PROBE_MESSAGE"
  elif printf '%s' "$PROBE_MESSAGE" | grep -Eqi 'lookup |no such host|server misbehaving'; then
    not_enforced "the probe in $_i_ns could not resolve the API server's name through the cluster DNS (is the cluster's dns setting right?): $PROBE_MESSAGE"
  elif ! printf '%s' "$PROBE_MESSAGE" | grep -Eqi 'i/o timeout|timed out|Client.Timeout|deadline exceeded|connection refused|no route to host|network is unreachable'; then
    # Only a connection that was dropped or refused proves the policy: a probe that failed to start
    # (no kubectl in the image) or for any other reason proves nothing.
    not_enforced "the probe in $_i_ns failed without a connection error (exit code $PROBE_EXIT): ${PROBE_MESSAGE:-no message}"
  fi
  log "isolation enforced: a pod in $_i_ns could not reach the API server ($PROBE_MESSAGE)"
}
not_enforced() {
  VERDICT="isolation not enforced: $1"
  die "$VERDICT"
}

# The drill's rights inside a namespace it created (its RoleBinding) take effect once the API
# server's authorizer has seen the binding: wait for that, bounded, instead of failing on a 403.
await_inside_rights() {
  _a_tries=0
  until [ "$(kubectl auth can-i list persistentvolumeclaims -n "$1" 2> /dev/null < /dev/null)" = yes ]; do
    _a_tries=$((_a_tries + 1))
    [ "$_a_tries" -lt 30 ] || die "the drill's RoleBinding in $1 did not take effect"
    sleep 1
  done
  # Pods are admitted only once the namespace's default ServiceAccount exists.
  _a_tries=0
  until kube get serviceaccounts default -n "$1" -o name > /dev/null 2>&1; do
    _a_tries=$((_a_tries + 1))
    [ "$_a_tries" -lt 30 ] || die "namespace $1 has no default ServiceAccount"
    sleep 1
  done
}

# Without any check, a drill still proves the restore brought back something usable: every claim in
# its namespaces Bound (waiting up to the wait limit: the data mover binds claims once the data is
# in), and every object a restored workload needs present.
verify_restored() {
  while read -r _source target; do
    while :; do
      claims=$(kube get persistentvolumeclaims -n "$target" -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.phase}{"\n"}{end}') ||
        die "could not list the PersistentVolumeClaims in $target"
      pending=$(printf '%s\n' "$claims" | awk 'NF == 2 && $2 != "Bound" { printf "%s%s (%s)", sep, $1, $2; sep = ", " }')
      [ -n "$pending" ] || break
      [ "$(date +%s)" -lt "$WAIT_LIMIT" ] || die "claims in $target not Bound after $(conf waitLimitSeconds)s: $pending"
      log "waiting for claims in $target to be Bound: $pending"
      sleep "$POLL_SECONDS"
    done
    log "claims in $target: $(printf '%s\n' "$claims" | awk 'NF == 2' | wc -l | tr -d ' ') Bound"
    references=$(kube get deployments.apps,statefulsets.apps -n "$target" -o "go-template=$REFERENCES") || die "could not list the workloads in $target"
    missing=
    while read -r workload resource name; do
      [ -n "$name" ] || continue
      valid_name "$name" || die "$workload in $target refers to $resource with an invalid name"
      kube get "$resource" "$name" -n "$target" -o name > /dev/null 2>&1 && continue
      grep -Eqi 'NotFound|not found' "$KUBE_ERR" || die "could not read $resource $name in $target: $(tail -n 1 "$KUBE_ERR")"
      missing="$missing $workload needs $resource/$name;"
    done << EOF
$references
EOF
    [ -z "$missing" ] || die "restored workloads in $target lack what they need:${missing%;}"
    log "workloads in $target: every reference present"
  done < "$CONFIG/namespaces"
}

log "drill $PLAN: run $RUN_ID"
# A drill that was killed left its namespaces behind: clean them before starting.
cleanup true
trap finish EXIT
while read -r _source target; do
  kube create namespace "$target" > /dev/null || { kube_retried && grep -q AlreadyExists "$KUBE_ERR"; } || die "could not create namespace $target"
  kube label namespace "$target" "restorable.dev/drill=$PLAN" --overwrite > /dev/null
  kube apply -n "$target" -f "$CONFIG/networkpolicy.yaml" > /dev/null
  kube_in "$(cat "$CONFIG/rolebinding.yaml")" create -n "$target" -f - > /dev/null || { kube_retried && grep -q AlreadyExists "$KUBE_ERR"; } ||
    die "could not bind the drill's rights in $target"
  await_inside_rights "$target"
done < "$CONFIG/namespaces"
preflight_isolation
resolve_backups
run_steps
verify_restored
run_checks
