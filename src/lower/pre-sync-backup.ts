import type { PolicyModel } from '../model/types.ts';
import { normalize } from '../output/normalize.ts';
import { emit, type LowerContext } from './context.ts';
import { MANAGED_BY, policyLabels } from './labels.ts';
import { kubectlPodSpec } from './pod-security.ts';
import { backupTemplate } from './schedules.ts';

const HOOK_ANNOTATIONS = {
  'argocd.argoproj.io/hook': 'PreSync',
  'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
} as const;

/**
 * A PreSync hook per `preSyncBackup(policy)`: in `generated/hooks/<policy>/` (included by the
 * team's own Application, never by the cluster's), a ServiceAccount and a Job that creates a
 * Backup with the spec of the policy's finest tier and waits until Velero reports it Completed;
 * Failed or PartiallyFailed fails the hook and so the sync. In the cluster's folder, a Role and
 * RoleBinding in Velero's namespace let exactly that ServiceAccount create and read Backups.
 */
export function lowerPreSyncBackups(ctx: LowerContext): void {
  const policies = new Map(ctx.model.policies.map((p) => [p.name, p]));
  for (const hook of ctx.model.preSyncBackups) {
    const policy = policies.get(hook.policy);
    const image = ctx.cluster.images.kubectl;
    if (!policy || policy.cluster !== ctx.cluster.name || !image || policy.schedules.length === 0) continue;
    const name = `presync-backup-${policy.name}`;
    const folder = `hooks/${policy.name}`;
    const labels = policyLabels(policy.name);
    emit(
      ctx,
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: hook.namespace, labels, annotations: { ...HOOK_ANNOTATIONS, 'argocd.argoproj.io/sync-wave': '-1' } } },
      { folder },
    );
    emit(
      ctx,
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name, namespace: hook.namespace, labels, annotations: { ...HOOK_ANNOTATIONS } },
        spec: {
          backoffLimit: 0,
          activeDeadlineSeconds: hook.timeout.seconds + 120,
          ttlSecondsAfterFinished: 86_400,
          template: {
            metadata: { labels },
            spec: kubectlPodSpec({
              serviceAccountName: name,
              image,
              containerName: 'backup',
              command: ['/bin/sh', '-c', backupNowScript(ctx.cluster.veleroNamespace, policy, hook.timeout.seconds, 'presync')],
            }),
          },
        },
      },
      { folder },
    );
    emit(ctx, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace: ctx.cluster.veleroNamespace, labels: { ...MANAGED_BY, ...labels } },
      rules: [{ apiGroups: ['velero.io'], resources: ['backups'], verbs: ['create', 'get'] }],
    });
    emit(ctx, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace: ctx.cluster.veleroNamespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: hook.namespace }],
    });
  }
}

/**
 * A script that takes one backup of a policy now (pre-sync hooks and on-demand backups) and waits
 * for it. The Backup manifest is a quoted heredoc (no expansion inside), named by `generateName`
 * so no value is interpolated into the shell; the loop fails fast on a failed phase.
 */
export function backupNowScript(veleroNamespace: string, policy: PolicyModel, timeoutSeconds: number, trigger: 'presync' | 'on-demand'): string {
  const base = policy.schedules[0]!;
  const backup = {
    apiVersion: 'velero.io/v1',
    kind: 'Backup',
    metadata: {
      generateName: `${policy.name}-${trigger}-`,
      namespace: veleroNamespace,
      labels: { ...policyLabels(policy.name), 'restorable.dev/trigger': trigger },
    },
    spec: { ...backupTemplate(policy, base), metadata: undefined },
  };
  return [
    'set -eu',
    "name=$(kubectl create -o jsonpath='{.metadata.name}' -f - <<'BACKUP'",
    JSON.stringify(normalize(backup)),
    'BACKUP',
    ')',
    `deadline=$(( $(date +%s) + ${timeoutSeconds} ))`,
    'while :; do',
    `  phase=$(kubectl get backup.velero.io "$name" -n '${veleroNamespace}' -o jsonpath='{.status.phase}')`,
    '  case "$phase" in',
    '    Completed) echo "backup $name completed"; exit 0 ;;',
    '    Failed|PartiallyFailed|FailedValidation) echo "backup $name ended $phase" >&2; exit 1 ;;',
    '  esac',
    '  if [ "$(date +%s)" -ge "$deadline" ]; then echo "backup $name not completed in time (phase: ${phase:-none})" >&2; exit 1; fi',
    '  sleep 5',
    'done',
  ].join('\n');
}
