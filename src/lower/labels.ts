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

/**
 * Annotation on a restorable CronJob naming who may start it by hand (`group:x,user:y`, sorted),
 * from the policies' `access`; the job-template policy compares it with the requesting user.
 * Absent: only the cluster's own controllers and cluster admins may (drills run on schedule).
 */
export const RUN_BY_ANNOTATION = 'restorable.dev/run-by';

/**
 * The Job-level fields of every restorable CronJob's `jobTemplate`, written out because a CronJob's
 * template is not defaulted as a Job is, and the job-template policy compares them with the Job's:
 * one pod, one completion.
 */
export const SINGLE_RUN = { parallelism: 1, completions: 1 } as const;

/** Labels of objects that belong to a policy. */
export function policyLabels(policy: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { ...MANAGED_BY, [POLICY_LABEL]: policy, ...extra };
}
