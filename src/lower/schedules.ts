import type { IBackupSpec } from '../k8s/velero/backup-spec.ts';
import type { ISchedule } from '../k8s/velero/schedule.ts';
import { goDuration } from '../model/duration.ts';
import type { PolicyModel, TierSchedule } from '../model/types.ts';
import { emit, type LowerContext } from './context.ts';
import { policyLabels, TIER_LABEL } from './labels.ts';

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
        spec: { schedule: tier.cron, template: backupTemplate(policy, tier) },
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
    snapshotVolumes: policy.volumes === 'csi-snapshot' || policy.volumes === 'snapshot-data-mover',
    snapshotMoveData: policy.volumes === 'snapshot-data-mover' ? true : undefined,
    defaultVolumesToFsBackup: policy.volumes === 'filesystem' ? true : undefined,
  };
}
