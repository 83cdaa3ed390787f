/**
 * Compares two resolved models and classifies every protection change (see types.ts for the
 * classes). Pure: same models, same changes, in a stable order.
 */
import { TIERS, type Tier } from '../dsl/retention.ts';
import { TIER_PERIOD_SECONDS } from '../model/tiers.ts';
import { compareGuardrailExceptions } from './compare-exceptions.ts';
import { compareHazards } from './compare-hazards.ts';
import { comparePlans } from './compare-plans.ts';
import { comparePlatform } from './compare-platform.ts';
import { comparePolicies, restorePointsOf } from './compare-policies.ts';
import type { Side } from './side.ts';
import { CHANGE_CLASSES, type Change, type PolicyRestorePoints, type RestorePointsChange, type Subject } from './types.ts';

const SUBJECT_ORDER: readonly Subject[] = ['cluster', 'storage', 'guardrails', 'policy', 'namespace', 'restorePlan', 'preSyncBackup', 'exemption', 'generated'];

const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Report order: by cluster (shared changes last), most serious class first, then subject, name and field. */
export function compareChanges(a: Change, b: Change): number {
  if (a.cluster !== b.cluster) {
    if (a.cluster === null) return 1;
    if (b.cluster === null) return -1;
    return text(a.cluster, b.cluster);
  }
  return (
    CHANGE_CLASSES.indexOf(a.class) - CHANGE_CLASSES.indexOf(b.class) ||
    SUBJECT_ORDER.indexOf(a.subject) - SUBJECT_ORDER.indexOf(b.subject) ||
    text(a.name, b.name) ||
    text(a.field ?? '', b.field ?? '') ||
    text(a.kind, b.kind) ||
    text(a.message, b.message)
  );
}

/** Every protection change from `base` to `head`, sorted. */
export function diffModels(base: Side, head: Side): Change[] {
  return [...comparePlatform(base, head), ...comparePolicies(base, head), ...compareGuardrailExceptions(base, head), ...comparePlans(base, head), ...compareHazards(base, head)].sort(compareChanges);
}

/** Restore points without the TTL margin, which moves with the RPO without changing what is kept. */
const nominal = (points: PolicyRestorePoints): number => Math.max(0, ...points.tiers.map((t) => t.keep * TIER_PERIOD_SECONDS[t.tier]));

/** The tiers that hold fewer restore points after than before (a tier dropped, or the whole policy, holds none). */
function fewerTiers(before: PolicyRestorePoints | null, after: PolicyRestorePoints | null): Tier[] {
  return TIERS.filter((tier) => {
    const was = before?.tiers.find((t) => t.tier === tier)?.points ?? 0;
    const is = after?.tiers.find((t) => t.tier === tier)?.points ?? 0;
    return is < was;
  });
}

/** How far back every policy of either side can restore, sorted by cluster and policy. */
export function restorePointChanges(base: Side, head: Side): RestorePointsChange[] {
  const keys = new Map<string, { cluster: string; policy: string }>();
  for (const p of [...base.model.policies, ...head.model.policies]) keys.set(`${p.cluster}\u0000${p.name}`, { cluster: p.cluster, policy: p.name });
  return [...keys.values()]
    .sort((a, b) => text(a.cluster, b.cluster) || text(a.policy, b.policy))
    .map(({ cluster, policy }) => {
      const was = base.model.policies.find((p) => p.name === policy && p.cluster === cluster);
      const is = head.model.policies.find((p) => p.name === policy && p.cluster === cluster);
      const before = was ? restorePointsOf(was) : null;
      const after = is ? restorePointsOf(is) : null;
      const fewer = fewerTiers(before, after);
      const keeps = (points: PolicyRestorePoints | null) => points?.tiers.map((t) => `${t.tier}:${t.keep}`).join() ?? '';
      const changed = before === null || after === null || nominal(before) !== nominal(after) || fewer.length > 0 || keeps(before) !== keeps(after);
      return { cluster, policy, before, after, changed, fewer };
    });
}
