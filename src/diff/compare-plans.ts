/** Restore plans, exemptions and pre-sync backups: how data comes back, and what is left out on purpose. */
import type { ExemptionModel, PreSyncBackupModel, RestorePlanModel } from '../model/types.ts';
import type { Side } from './side.ts';
import type { Change, ChangeClass } from './types.ts';
import { change, frequencyDays, otherFields, same, type Target } from './values.ts';

/** Changes of restore plans, exemptions and pre-sync backups between two sides. */
export function comparePlans(base: Side, head: Side): Change[] {
  return [...compareRestorePlans(base, head), ...compareExemptions(base, head), ...comparePreSync(base, head)];
}

function compareRestorePlans(base: Side, head: Side): Change[] {
  const changes: Change[] = [];
  const before = new Map(base.model.restorePlans.map((p) => [p.name, p]));
  const summary = (p: RestorePlanModel) => ({ from: p.from, to: p.to, scenario: p.scenario, rto: p.rto.text, drill: p.drill?.every ?? null });
  for (const plan of head.model.restorePlans) {
    const target: Target = { cluster: plan.to, subject: 'restorePlan', name: plan.name, ...head.locate(plan.source) };
    const old = before.get(plan.name);
    if (!old) {
      changes.push(change(target, 'safe', 'plan.added', null, null, summary(plan), `new ${plan.scenario} restore plan: ${plan.from.join(', ')} into ${plan.to} within ${plan.rto.text}${plan.drill ? `, drilled every ${plan.drill.every}` : ', never drilled'}`));
      continue;
    }
    changes.push(...comparePlan(old, plan, target));
  }
  const names = new Set(head.model.restorePlans.map((p) => p.name));
  for (const plan of base.model.restorePlans) {
    if (names.has(plan.name)) continue;
    const target: Target = { cluster: plan.to, subject: 'restorePlan', name: plan.name, ...base.locate(plan.source) };
    changes.push(change(target, 'risk', 'plan.removed', null, summary(plan), null, `restore plan removed: no prepared restore of ${plan.from.join(', ')} into ${plan.to} for ${plan.scenario}${plan.drill ? ', and no more drills' : ''}`));
  }
  return changes;
}

function comparePlan(old: RestorePlanModel, now: RestorePlanModel, target: Target): Change[] {
  const changes: Change[] = [];
  const push = (cls: ChangeClass, kind: string, field: string, b: unknown, a: unknown, message: string) => changes.push(change(target, cls, kind, field, b, a, message));
  if (old.rto.seconds !== now.rto.seconds) {
    const longer = now.rto.seconds > old.rto.seconds;
    // A tighter RTO is a promise; without the data size it can no longer be checked against a restore's duration.
    const unestimated = !longer && old.dataSizeBytes !== undefined && now.dataSizeBytes === undefined;
    if (unestimated) push('risk', 'plan.rto', 'rto', old.rto.text, now.rto.text, `RTO tightened to ${now.rto.text} while its estimate (dataSize) was removed: nothing checks any more that a restore of this data fits in it`);
    else push(longer ? 'risk' : 'safe', 'plan.rto', 'rto', old.rto.text, now.rto.text, longer ? `RTO longer: a restore may take ${now.rto.text} instead of ${old.rto.text}` : `RTO shorter: ${old.rto.text} -> ${now.rto.text}`);
  }
  if (!old.drill && now.drill) push('safe', 'plan.drill', 'drill.every', null, now.drill.every, `now drilled every ${now.drill.every}`);
  else if (old.drill && !now.drill) push('risk', 'plan.drill', 'drill.every', old.drill.every, null, 'no longer drilled: nobody learns that the restore broke until it is needed');
  else if (old.drill && now.drill) {
    if (old.drill.every !== now.drill.every) {
      const rarer = frequencyDays(now.drill.every) > frequencyDays(old.drill.every);
      push(rarer ? 'risk' : 'safe', 'plan.drill', 'drill.every', old.drill.every, now.drill.every, `drilled every ${now.drill.every} instead of every ${old.drill.every}`);
    }
    const checks = (d: RestorePlanModel['drill']) => d?.checks ?? [];
    if (!same(checks(old.drill), checks(now.drill))) {
      const fewer = checks(now.drill).length < checks(old.drill).length;
      push(fewer ? 'risk' : 'review', 'plan.drill', 'drill.checks', checks(old.drill), checks(now.drill), fewer ? 'drills verify less after restoring' : 'drill checks changed');
    }
  }
  const removed = old.from.filter((p) => !now.from.includes(p));
  const added = now.from.filter((p) => !old.from.includes(p));
  if (removed.length > 0 || added.length > 0) {
    push(removed.length > 0 ? 'risk' : 'safe', 'plan.sources', 'from', old.from, now.from,
      removed.length > 0 ? `no longer restores ${removed.join(', ')}` : `also restores ${added.join(', ')}`);
  }
  if (old.to !== now.to) push('review', 'plan.target', 'to', old.to, now.to, `restores into ${now.to} instead of ${old.to}`);
  if (old.scenario !== now.scenario) push('review', 'plan.scenario', 'scenario', old.scenario, now.scenario, `prepared for ${now.scenario} instead of ${old.scenario}`);
  // hookTimeout is derived from the RTO and dataSize, which are compared themselves.
  changes.push(...otherFields(target, 'plan.other', old, now, ['name', 'rto', 'drill', 'from', 'to', 'scenario', 'hookTimeout']));
  return changes;
}

const exemptionKey = (e: ExemptionModel): string => `${e.namespace}\u0000${e.cluster ?? ''}`;

function compareExemptions(base: Side, head: Side): Change[] {
  const changes: Change[] = [];
  const before = new Map(base.model.exemptions.map((e) => [exemptionKey(e), e]));
  const after = new Map(head.model.exemptions.map((e) => [exemptionKey(e), e]));
  const target = (e: ExemptionModel, side: Side): Target => ({ cluster: e.cluster ?? null, subject: 'exemption', name: e.namespace, ...side.locate(e.source) });
  const where = (e: ExemptionModel) => (e.cluster ? ` on ${e.cluster}` : ' on every cluster');
  for (const [key, exemption] of after) {
    const old = before.get(key);
    if (!old) {
      changes.push(change(target(exemption, head), 'review', 'exemption.added', null, null, { until: exemption.until, reason: exemption.reason },
        `namespace ${exemption.namespace} is deliberately left without backups${where(exemption)} until ${exemption.until}: ${exemption.reason}`));
    } else if (!same({ ...old, source: undefined }, { ...exemption, source: undefined })) {
      const shorter = exemption.until < old.until && exemption.reason === old.reason;
      changes.push(change(target(exemption, head), shorter ? 'safe' : 'review', 'exemption.changed', 'until', { until: old.until, reason: old.reason }, { until: exemption.until, reason: exemption.reason },
        `exemption of ${exemption.namespace}${where(exemption)} now lasts until ${exemption.until} (was ${old.until})`));
    }
  }
  for (const [key, exemption] of before) {
    if (!after.has(key)) changes.push(change(target(exemption, base), 'safe', 'exemption.removed', null, { until: exemption.until, reason: exemption.reason }, null, `exemption of ${exemption.namespace}${where(exemption)} removed: the coverage check reports it again if it holds data`));
  }
  return changes;
}

function comparePreSync(base: Side, head: Side): Change[] {
  const changes: Change[] = [];
  const before = new Map(base.model.preSyncBackups.map((b) => [b.policy, b]));
  const clusterOf = (b: PreSyncBackupModel, side: Side) => side.model.policies.find((p) => p.name === b.policy)?.cluster ?? null;
  for (const backup of head.model.preSyncBackups) {
    const target: Target = { cluster: clusterOf(backup, head), subject: 'preSyncBackup', name: backup.policy, ...head.locate(backup.source) };
    const old = before.get(backup.policy);
    if (!old) changes.push(change(target, 'safe', 'pre-sync-backup.added', null, null, backup.namespace, `every deploy of ${backup.namespace} starts from a fresh restore point`));
    else changes.push(...otherFields(target, 'pre-sync-backup.changed', old, backup, ['policy']));
  }
  const names = new Set(head.model.preSyncBackups.map((b) => b.policy));
  for (const backup of base.model.preSyncBackups) {
    if (names.has(backup.policy)) continue;
    const target: Target = { cluster: clusterOf(backup, base), subject: 'preSyncBackup', name: backup.policy, ...base.locate(backup.source) };
    changes.push(change(target, 'risk', 'pre-sync-backup.removed', null, backup.namespace, null, `deploys of ${backup.namespace} no longer wait for a fresh restore point`));
  }
  return changes;
}
