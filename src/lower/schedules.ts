import type { AppProfile } from '../dsl/apps/profile.ts';
import type { IBackupResourceHookSpec, IBackupSpec } from '../k8s/velero/backup-spec.ts';
import type { ISchedule } from '../k8s/velero/schedule.ts';
import { goDuration } from '../model/duration.ts';
import { hookTimeoutSeconds } from '../model/dump.ts';
import type { PolicyModel, TierSchedule } from '../model/types.ts';
import { withClusterScopedKinds } from './cluster-scoped.ts';
import { emit, type LowerContext } from './context.ts';
import { policyLabels, TIER_LABEL } from './labels.ts';
import { resourcePolicyName } from './resource-policies.ts';
import { nativeSnapshotLocation } from './snapshot-locations.ts';

/**
 * One Velero Schedule per retention tier of every policy of the cluster.
 *
 * `template.metadata.labels` is always set: otherwise Velero copies the Schedule's own labels,
 * Argo CD's tracking label among them, onto every Backup, and Argo CD would prune the backups.
 * `useOwnerReferencesInBackup` is never set: deleting a Schedule must not delete its backups.
 */
export function lowerSchedules(ctx: LowerContext): void {
  for (const policy of ctx.model.policies) {
    if (policy.cluster !== ctx.cluster.name) continue;
    for (const tier of policy.schedules) {
      const schedule: ISchedule = {
        apiVersion: 'velero.io/v1',
        kind: 'Schedule',
        metadata: {
          name: tier.name,
          namespace: ctx.cluster.veleroNamespace,
          labels: policyLabels(policy.name, { [TIER_LABEL]: tier.tier }),
        },
        spec: { schedule: tier.cron, template: withClusterScopedKinds(backupTemplate(policy, tier), ctx.model, policy) },
      };
      emit(ctx, schedule);
    }
  }
}

/** The Backup every run of a tier creates. */
export function backupTemplate(policy: PolicyModel, tier: TierSchedule): IBackupSpec {
  return {
    metadata: { labels: policyLabels(policy.name, { [TIER_LABEL]: tier.tier }) },
    includedNamespaces: [...policy.namespaces],
    labelSelector: policy.selector
      ? {
          matchLabels: policy.selector.matchLabels ? { ...policy.selector.matchLabels } : undefined,
          matchExpressions: policy.selector.matchExpressions?.map((e) => ({
            key: e.key,
            operator: e.operator,
            values: e.values ? [...e.values] : undefined,
          })),
        }
      : undefined,
    includedResources: [...policy.includedResources],
    excludedResources: [...policy.excludedResources],
    storageLocation: policy.storage,
    ttl: goDuration(tier.ttl.seconds),
    snapshotVolumes: policy.volumes !== 'filesystem' && policy.volumes !== 'none',
    // Written out even when false: unset, Velero takes them from its server flags
    // (--default-snapshot-move-data, --default-volumes-to-fs-backup) and the mode would depend on the install.
    snapshotMoveData: policy.volumes === 'snapshot-data-mover',
    defaultVolumesToFsBackup: policy.volumes === 'filesystem',
    volumeSnapshotLocations: policy.volumes === 'native-snapshot' ? [nativeSnapshotLocation(policy)] : undefined,
    ...timeoutsForSize(policy),
    uploaderConfig: policy.uploaderParallelism === undefined ? undefined : { parallelFilesUpload: policy.uploaderParallelism },
    hooks: backupHooks(policy),
    orderedResources: orderedResources(policy.apps),
    resourcePolicy:
      policy.volumePolicies.length > 0 ? { kind: 'configmap', name: resourcePolicyName(policy) } : undefined,
  };
}

/** Throughput assumed for a CSI snapshot to become ready, and for the data mover's upload, in bytes per second. */
const SNAPSHOT_READY_THROUGHPUT = 100 * 1024 ** 2;
const DATA_MOVER_THROUGHPUT = 100 * 1024 ** 2;

/**
 * Velero's waits, from the declared volume data (unset without it: Velero's 10m and 4h):
 * `csiSnapshotTimeout`, how long a CSI snapshot may take to become ready, is twice the size at
 * 100MiB/s, at least 10m; `itemOperationTimeout`, how long asynchronous operations (the data
 * mover's upload) may run, twice the size at 100MiB/s plus an hour, at least 4h. Whole minutes.
 */
function timeoutsForSize(policy: PolicyModel): Pick<IBackupSpec, 'csiSnapshotTimeout' | 'itemOperationTimeout'> {
  const bytes = policy.dataSizeBytes;
  if (bytes === undefined) return {};
  const minutes = (seconds: number) => Math.ceil(seconds / 60) * 60;
  return {
    csiSnapshotTimeout: goDuration(Math.max(600, minutes((2 * bytes) / SNAPSHOT_READY_THROUGHPUT))),
    itemOperationTimeout: goDuration(Math.max(4 * 3600, minutes((2 * bytes) / DATA_MOVER_THROUGHPUT + 3600))),
  };
}

/**
 * Pre and post exec hooks of the policy's application profiles, each with its profile's timeout
 * (derived from a declared data size and the RPO, see hookTimeoutSeconds). `onError: Fail` marks the backup
 * PartiallyFailed when a dump fails, which the failure alert reports, instead of silently keeping
 * a backup without its consistent dump.
 */
function backupHooks(policy: PolicyModel): IBackupSpec['hooks'] {
  const resources: IBackupResourceHookSpec[] = policy.apps
    .filter((app) => app.pre.length > 0 || app.post.length > 0)
    .map((app) => {
      const exec = (command: readonly string[]) => ({
        exec: {
          container: app.container,
          command: [...command],
          onError: 'Fail' as const,
          timeout: goDuration(hookTimeoutSeconds(app, policy.rpo.seconds)),
        },
      });
      return {
        name: app.name,
        includedNamespaces: [...policy.namespaces],
        labelSelector: { matchLabels: { ...app.selector } },
        pre: app.pre.map(exec),
        post: app.post.map(exec),
      };
    });
  return resources.length > 0 ? { resources } : undefined;
}

/** Velero's `orderedResources`: resource -> comma-separated `namespace/name` list. */
function orderedResources(apps: readonly AppProfile[]): Record<string, string> | undefined {
  const merged: Record<string, string[]> = {};
  for (const app of apps) {
    for (const [resource, names] of Object.entries(app.orderedResources ?? {})) {
      merged[resource] = [...(merged[resource] ?? []), ...names];
    }
  }
  const entries = Object.entries(merged).map(([resource, names]) => [resource, names.join(',')] as const);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}
