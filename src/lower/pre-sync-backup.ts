import type { PolicyModel } from '../model/types.ts';
import { normalize } from '../output/normalize.ts';
import { boundPolicy, inNamespace } from './admission.ts';
import { emit, type LowerContext, type Manifest } from './context.ts';
import { MANAGED_BY, policyLabels } from './labels.ts';
import { kubectlPodSpec } from './pod-security.ts';
import { roleWithBinding, serviceAccount } from './rbac.ts';
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
    const account = serviceAccount(ctx, { name, namespace: hook.namespace, labels, annotations: { ...HOOK_ANNOTATIONS, 'argocd.argoproj.io/sync-wave': '-1' } }, { folder });
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
    roleWithBinding(ctx, { name, namespace: ctx.cluster.veleroNamespace, labels }, [{ apiGroup: 'velero.io', resources: ['backups'], verbs: ['create', 'get'] }], [account]);
    for (const object of pinnedBackupPolicy(name, hook.namespace, ctx.cluster.veleroNamespace, policy)) emit(ctx, object as unknown as Manifest);
  }
}

/**
 * The hook's ServiceAccount lives in the application's namespace, where anyone who may create pods
 * can use its token; RBAC can only say "create Backups", and an arbitrary Backup is cluster-admin
 * (hooks run any command in any pod as Velero; a Backup can include every Secret of the cluster).
 * This policy pins what that ServiceAccount may create to exactly the policy's own Backup spec.
 */
function pinnedBackupPolicy(name: string, hookNamespace: string, veleroNamespace: string, policy: PolicyModel): Record<string, unknown>[] {
  return boundPolicy({
    name: `restorable-${name}`,
    labels: { ...MANAGED_BY, ...policyLabels(policy.name) },
    match: inNamespace(veleroNamespace, { apiGroup: 'velero.io', apiVersions: ['*'], resource: 'backups', operations: ['CREATE'] }),
    matchConditions: [{ name: 'this-hook-only', expression: `request.userInfo.username == 'system:serviceaccount:${hookNamespace}:${name}'` }],
    validations: [
      {
        expression: `dyn(object.spec) == ${celLiteral(backupNowSpec(policy))}`,
        message: `${name} may only create the pre-sync backup of policy ${policy.name}, exactly as its hook does`,
      },
    ],
  });
}

/**
 * A plain JSON value as a CEL literal. The API server's CEL requires the values of one map or list
 * literal to share a type, so each is wrapped in `dyn()`; strings are JSON strings, which CEL reads
 * with the same escapes.
 */
export function celLiteral(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => `dyn(${celLiteral(item)})`).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: dyn(${celLiteral(item)})`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** The spec of the Backup a pre-sync hook or an on-demand backup creates: the policy's finest tier. */
export function backupNowSpec(policy: PolicyModel): unknown {
  return normalize({ ...backupTemplate(policy, policy.schedules[0]!), metadata: undefined });
}

/**
 * A script that takes one backup of a policy now (pre-sync hooks and on-demand backups) and waits
 * for it. The Backup manifest is a quoted heredoc (no expansion inside), named by `generateName`
 * so no value is interpolated into the shell; the loop fails fast on a failed phase.
 */
export function backupNowScript(veleroNamespace: string, policy: PolicyModel, timeoutSeconds: number, trigger: 'presync' | 'on-demand'): string {
  const backup = {
    apiVersion: 'velero.io/v1',
    kind: 'Backup',
    metadata: {
      generateName: `${policy.name}-${trigger}-`,
      namespace: veleroNamespace,
      labels: { ...policyLabels(policy.name), 'restorable.dev/trigger': trigger },
    },
    spec: backupNowSpec(policy),
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
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a template
    '  if [ "$(date +%s)" -ge "$deadline" ]; then echo "backup $name not completed in time (phase: ${phase:-none})" >&2; exit 1; fi',
    '  sleep 5',
    'done',
  ].join('\n');
}
