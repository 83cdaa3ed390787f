import type { IPrometheusRule } from '../k8s/monitoring/prometheus-rule.ts';
import { humanDuration } from '../model/duration.ts';
import type { PolicyModel } from '../model/types.ts';
import { emit, type LowerContext } from './context.ts';
import { policyLabels } from './labels.ts';

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
      metadata: { name: `restorable-${policy.name}`, namespace: ctx.cluster.veleroNamespace, labels: policyLabels(policy.name) },
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
}
