import type { IObjectMeta } from '../k8s/meta.ts';
import type { IPrometheusRule, IPrometheusRuleRule } from '../k8s/monitoring/prometheus-rule.ts';
import { humanDuration } from '../model/duration.ts';
import type { ClusterModel, PolicyModel } from '../model/types.ts';
import { emit, type LowerContext } from './context.ts';
import { MANAGED_BY, policyLabels } from './labels.ts';
import { usesDataMover, usesNodeAgent } from './volume-usage.ts';

/**
 * Metadata of a PrometheusRule or PodMonitor: in the namespace the cluster's prometheus-operator
 * reads, with the labels its selectors match (an object the operator does not select is never
 * loaded, and nothing says so), on top of restorable's own labels.
 */
export function monitoringMetadata(cluster: Pick<ClusterModel, 'monitoringTarget'>, name: string, labels: Readonly<Record<string, string>>): IObjectMeta {
  return { name, namespace: cluster.monitoringTarget.namespace, labels: { ...labels, ...cluster.monitoringTarget.labels } };
}

/**
 * A backup takes time after its schedule fires, so the newest successful backup is briefly older
 * than the interval on every run. The freshness alert allows 10% of the RPO (at least 5 minutes).
 */
export function freshnessThresholdSeconds(policy: PolicyModel): number {
  return policy.rpo.seconds + Math.max(300, Math.round(policy.rpo.seconds * 0.1));
}

/**
 * One PrometheusRule per policy, on clusters with `monitoring: 'prometheus-operator'`:
 * - stale: the newest successful backup over ALL the policy's tiers (max, not per tier: a weekly
 *   tier is always older than the RPO) is older than the RPO plus a grace;
 * - absent: Velero's metric is missing longer than the RPO (a restart resets it);
 * - failed / partially failed backups of any tier.
 * Then one rule per cluster about Velero itself (see platformRule). All of them go where the
 * cluster's operator reads them (see monitoringMetadata).
 */
export function lowerAlerts(ctx: LowerContext): void {
  if (ctx.cluster.monitoring !== 'prometheus-operator') return;
  for (const policy of ctx.model.policies) {
    if (policy.cluster !== ctx.cluster.name || policy.schedules.length === 0) continue;
    const selector = `schedule=~"${policy.schedules.map((s) => s.name).join('|')}"`;
    const threshold = freshnessThresholdSeconds(policy);
    const labels = { severity: 'critical', policy: policy.name };
    const rule: IPrometheusRule = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: monitoringMetadata(ctx.cluster, `restorable-${policy.name}`, policyLabels(policy.name)),
      spec: {
        groups: [
          {
            name: `restorable-${policy.name}`,
            rules: [
              {
                alert: 'RestorableBackupStale',
                expr: `time() - max(velero_backup_last_successful_timestamp{${selector}}) > ${threshold}`,
                for: '5m',
                labels,
                annotations: {
                  summary: `No successful backup of policy ${policy.name} within its RPO of ${policy.rpo.text}`,
                  description: `The newest successful backup of ${policy.namespaces.join(', ') || 'the selected objects'} is older than ${humanDuration(threshold)}. Check \`velero backup get -l restorable.dev/policy=${policy.name}\`.`,
                },
              },
              {
                alert: 'RestorableBackupMetricAbsent',
                expr: `absent(velero_backup_last_successful_timestamp{${selector}})`,
                for: humanDuration(policy.rpo.seconds),
                labels,
                annotations: {
                  summary: `Velero reports no successful backup of policy ${policy.name}`,
                  description: 'Velero has not reported a successful backup for these schedules for longer than the RPO (is Velero running? a restart resets the metric until the next backup).',
                },
              },
              {
                alert: 'RestorableBackupFailed',
                expr: `increase(velero_backup_failure_total{${selector}}[${humanDuration(Math.max(3600, policy.schedules[0]!.interval.seconds))}]) > 0`,
                labels,
                annotations: {
                  summary: `A backup of policy ${policy.name} failed`,
                  description: `Inspect the newest backup labelled restorable.dev/policy=${policy.name}: \`kubectl -n ${ctx.cluster.veleroNamespace} get backups.velero.io -l restorable.dev/policy=${policy.name}\` and its \`.status\` (phase, errors, warnings, failureReason).`,
                },
              },
              {
                alert: 'RestorableBackupPartiallyFailed',
                expr: `increase(velero_backup_partial_failure_total{${selector}}[${humanDuration(Math.max(3600, policy.schedules[0]!.interval.seconds))}]) > 0`,
                labels: { ...labels, severity: 'warning' },
                annotations: {
                  summary: `A backup of policy ${policy.name} partially failed (a hook or a volume)`,
                  description: 'A partially failed backup may miss a database dump or a volume; inspect its errors before relying on it.',
                },
              },
            ],
          },
        ],
      },
    };
    emit(ctx, rule);
  }
  emit(ctx, platformRule(ctx));
}

/** How far back the "something failed" alerts look: an hour, so a failure fires for about an hour. */
const FAILURE_WINDOW = '1h';

/**
 * `metric` rose within the window. `increase()` alone misses the first failure of a series Velero
 * never initialised (a restore of another cluster's schedule, a repository's first maintenance): the
 * series appears at 1 and increase() needs two samples. The second half catches a series that
 * exists now with a positive value and did not exist a window ago.
 */
export function counterRose(metric: string, window: string = FAILURE_WINDOW): string {
  return `increase(${metric}[${window}]) > 0 or (${metric} > 0 unless ${metric} offset ${window})`;
}

/** Alert names of the platform rule, for tests and the README. */
export const PLATFORM_ALERTS = [
  'RestorableStorageLocationUnavailable',
  'RestorableRestoreFailed',
  'RestorableRestorePartiallyFailed',
  'RestorableDataUploadFailed',
  'RestorableDataDownloadFailed',
  'RestorableRepositoryMaintenanceFailed',
] as const;

/**
 * One PrometheusRule per cluster about Velero itself rather than one policy:
 * - a storage location Velero reports unavailable (`velero_backup_location_status_gauge`, checked
 *   every minute by Velero) for 15 minutes: backups to it fail and restores from it cannot start;
 * - failed and partially failed restores (runner, drill or by hand);
 * - failed data-mover uploads and downloads (node-agent metrics, `podVolume_` prefix), where a
 *   policy moves snapshot data;
 * - failed maintenance of a backup repository (kopia), where the node-agent writes repositories.
 */
function platformRule(ctx: LowerContext): IPrometheusRule {
  const cluster = ctx.cluster;
  const ns = cluster.veleroNamespace;
  // Location names are Kubernetes names: only `.` means something in a regular expression.
  const locations = cluster.storage.map((name) => name.replaceAll('.', '\\\\.')).join('|');
  const rules: IPrometheusRuleRule[] = [
    {
      alert: 'RestorableStorageLocationUnavailable',
      expr: `max by (backup_location_name) (velero_backup_location_status_gauge{backup_location_name=~"${locations}"}) == 0`,
      for: '15m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'Velero cannot reach backup storage location {{ $labels.backup_location_name }}',
        description: `Backups to this location fail and restores from it cannot start. \`kubectl -n ${ns} get backupstoragelocations.velero.io {{ $labels.backup_location_name }} -o yaml\` shows Velero's message (credentials, bucket, network, KMS key).`,
      },
    },
    {
      alert: 'RestorableRestoreFailed',
      expr: counterRose('velero_restore_failed_total'),
      labels: { severity: 'critical' },
      annotations: {
        summary: 'A Velero restore failed',
        description: `\`kubectl -n ${ns} get restores.velero.io --sort-by=.metadata.creationTimestamp\` lists restores; the newest Failed one's \`.status.failureReason\` and \`velero restore logs\` say why (label schedule={{ $labels.schedule }} is the backup's schedule).`,
      },
    },
    {
      alert: 'RestorableRestorePartiallyFailed',
      expr: counterRose('velero_restore_partial_failure_total'),
      labels: { severity: 'warning' },
      annotations: {
        summary: 'A Velero restore partially failed',
        description: `Some objects or volumes were not restored: \`velero restore describe <name> --details\` in namespace ${ns} lists the errors.`,
      },
    },
  ];
  if (usesDataMover(ctx.model, cluster)) {
    for (const [direction, alert, kind] of [
      ['upload', 'RestorableDataUploadFailed', 'DataUploads'],
      ['download', 'RestorableDataDownloadFailed', 'DataDownloads'],
    ] as const) {
      rules.push({
        alert,
        expr: counterRose(`podVolume_data_${direction}_failure_total`),
        labels: { severity: direction === 'upload' ? 'warning' : 'critical' },
        annotations: {
          summary: `A data-mover ${direction} failed on node {{ $labels.node }}`,
          description: `${direction === 'upload' ? 'A backup lost the data of a volume' : 'A restore could not bring back the data of a volume'}: \`kubectl -n ${ns} get ${kind.toLowerCase()}.velero.io\` and the node-agent logs on {{ $labels.node }} say why.`,
        },
      });
    }
  }
  if (usesNodeAgent(ctx.model, cluster)) {
    rules.push({
      alert: 'RestorableRepositoryMaintenanceFailed',
      expr: counterRose('velero_repo_maintenance_failure_total'),
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Maintenance of backup repository {{ $labels.repository_name }} failed',
        description: `Unmaintained repositories keep deleted data and grow; \`kubectl -n ${ns} get backuprepositories.velero.io {{ $labels.repository_name }} -o yaml\` shows the last maintenance, and the maintenance Job's logs why it failed.`,
      },
    });
  }
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: monitoringMetadata(cluster, 'restorable-velero', { ...MANAGED_BY }),
    spec: { groups: [{ name: 'restorable-velero', rules }] },
  };
}
