import type { Diagnostic } from '../model/diagnostic.ts';
import type { Model } from '../model/types.ts';
import type { Rule } from './rule.ts';

/** Volume modes whose data stays in the source cluster's storage system or region. */
const NOT_PORTABLE = new Set(['csi-snapshot', 'native-snapshot']);

/**
 * PLAN001: a restore plan into another cluster needs volume data that travels: CSI and native
 * snapshots live in the source's storage system and region, so only the data mover or file-system
 * backups can come back elsewhere.
 */
export const portabilityRule: Rule = {
  family: 'restore-plans',
  check(model: Model): Diagnostic[] {
    const policies = new Map(model.policies.map((p) => [p.name, p]));
    const found: Diagnostic[] = [];
    for (const plan of model.restorePlans) {
      plan.from.forEach((name, index) => {
        const policy = policies.get(name);
        if (!policy || policy.cluster === plan.to || !NOT_PORTABLE.has(policy.volumes)) return;
        found.push({
          code: 'PLAN001',
          severity: 'error',
          message: `restores policy "${name}" into cluster "${plan.to}", but its volumes are ${policy.volumes} backups, which stay with cluster "${policy.cluster}"`,
          hint: `set volumes: 'snapshot-data-mover' (or 'filesystem') on policy "${name}" so its data is copied to object storage`,
          declaration: plan.name,
          path: plan.from.length > 1 ? `from[${index}]` : 'from',
          source: plan.source,
        });
      });
    }
    return found;
  },
};
