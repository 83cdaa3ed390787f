/** Label on every object restorable emits. */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'restorable' } as const;

/** Label naming the policy an object serves. */
export const POLICY_LABEL = 'restorable.dev/policy';

/** Label naming the retention tier of a Schedule and its Backups. */
export const TIER_LABEL = 'restorable.dev/tier';

/**
 * Label on the Jobs of a restorable CronJob (set in its `jobTemplate`, which both
 * `kubectl create job --from=cronjob/...` and the CronJob controller copy onto the Job), naming that
 * CronJob. Admission selects Jobs by it, so each CronJob's binding sees only the Jobs claiming to
 * come from it, and a missing CronJob cannot block any other Job.
 */
export const JOB_TEMPLATE_LABEL = 'restorable.dev/job-template';

/** Labels of objects that belong to a policy. */
export function policyLabels(policy: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { ...MANAGED_BY, [POLICY_LABEL]: policy, ...extra };
}
