import type { ClusterModel, RestorePlanModel } from '../../model/types.ts';
import { JOB_TEMPLATE_LABEL, MANAGED_BY, RUN_BY_ANNOTATION, SINGLE_RUN } from '../labels.ts';
import { kubectlPodSpec } from '../pod-security.ts';
import { stableSlot } from '../../model/stagger.ts';
import type { RestoreVariant } from './restore-spec.ts';

/** Name of the runner (`restore-<plan>`) or drill (`drill-<plan>`) CronJob, its ServiceAccount and ConfigMap. */
export const jobName = (plan: RestorePlanModel, variant: RestoreVariant): string =>
  `${variant === 'drill' ? 'drill' : 'restore'}-${plan.name}`;

/** The ConfigMap in which people pin the backup the runner restores (`<policy>: <backup>`). */
export const pinName = (plan: RestorePlanModel): string => `restore-${plan.name}-pin`;

/** Labels of a plan's objects. */
export const planLabels = (plan: RestorePlanModel, variant: RestoreVariant): Record<string, string> => ({
  ...MANAGED_BY,
  'restorable.dev/plan': plan.name,
  'restorable.dev/role': variant === 'drill' ? 'drill' : 'runner',
});

/** Drill schedules: working hours (UTC), so a failing drill meets people; staggered per plan. */
export function drillSchedule(plan: RestorePlanModel): string {
  const minute = stableSlot(plan.name, 'drill-minute', 60);
  const hour = 8 + stableSlot(plan.name, 'drill-hour', 3);
  switch (plan.drill?.every) {
    case 'day':
      return `${minute} ${hour} * * 1-5`;
    case 'month':
      return `${minute} ${hour} 8 * *`;
    case 'quarter':
      return `${minute} ${hour} 8 1,4,7,10 *`;
    default:
      return `${minute} ${hour} * * 2`;
  }
}

/**
 * The runner (suspended: it runs only when someone creates a Job from it) or the drill CronJob.
 * One run at a time, no retries (a half-done restore must not start over by itself), hardened pod.
 */
export function cronJob(plan: RestorePlanModel, cluster: ClusterModel, variant: RestoreVariant, runBy: readonly string[]): Record<string, unknown> {
  const name = jobName(plan, variant);
  const labels = planLabels(plan, variant);
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: cluster.veleroNamespace, labels, ...runByAnnotation(runBy) },
    spec: {
      schedule: variant === 'drill' ? drillSchedule(plan) : '0 0 1 1 *',
      suspend: variant === 'run' ? true : undefined,
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels: { ...labels, [JOB_TEMPLATE_LABEL]: name } },
        spec: {
          ...SINGLE_RUN,
          backoffLimit: 0,
          activeDeadlineSeconds: Math.max(3600, 4 * plan.rto.seconds) + 600,
          template: {
            metadata: { labels },
            spec: kubectlPodSpec({
              serviceAccountName: name,
              image: cluster.images.kubectl,
              containerName: variant === 'drill' ? 'drill' : 'restore',
              command: ['/bin/sh', `/etc/restorable/plan/${variant === 'drill' ? 'drill' : 'runner'}.sh`],
              volumes: [
                {
                  volume: { name: 'plan', configMap: { name, defaultMode: 0o444 } },
                  mount: { name: 'plan', mountPath: '/etc/restorable/plan', readOnly: true },
                },
              ],
            }),
          },
        },
      },
    },
  };
}

/** The run-by annotation for `group:`/`user:` subjects, or nothing when nobody may start the CronJob by hand. */
export function runByAnnotation(subjects: readonly string[]): { annotations?: Record<string, string> } {
  const valid = [...new Set(subjects.filter((s) => /^(group|user):.+$/.test(s)))].sort();
  return valid.length > 0 ? { annotations: { [RUN_BY_ANNOTATION]: valid.join(',') } } : {};
}
