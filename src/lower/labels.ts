/** Label on every object restorable emits. */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'restorable' } as const;

/** Label naming the policy an object serves. */
export const POLICY_LABEL = 'restorable.dev/policy';

/** Label naming the retention tier of a Schedule and its Backups. */
export const TIER_LABEL = 'restorable.dev/tier';

/** Labels of objects that belong to a policy. */
export function policyLabels(policy: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { ...MANAGED_BY, [POLICY_LABEL]: policy, ...extra };
}
