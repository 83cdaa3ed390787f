/**
 * Backup policies and the namespaces they cover: what can be restored, how recent and how old.
 * A reduction of any of these is a risk.
 */
import type { VolumeMode } from '../dsl/policy.ts';
import { TIERS, type Tier } from '../dsl/retention.ts';
import { policyLongestGap, policyRestorePoints } from '../model/restore-points.ts';
import { TIER_PERIOD_SECONDS } from '../model/tiers.ts';
import type { PolicyModel } from '../model/types.ts';
import type { Side } from './side.ts';
import type { Change, ChangeClass, PolicyRestorePoints } from './types.ts';
import { change, duration, otherFields, same, type Target } from './values.ts';

/** The restore points a policy keeps. */
export function restorePointsOf(policy: PolicyModel): PolicyRestorePoints {
  const fewest = policyRestorePoints(policy.schedules, policy.scheduleOverride);
  const gap = deliveredRpo(policy);
  return {
    rpoSeconds: policy.rpo.seconds,
    longestGapSeconds: Number.isFinite(gap) ? gap : null,
    oldestSeconds: Math.max(0, ...policy.schedules.map((s) => s.ttl.seconds)),
    tiers: policy.schedules.map((s, i) => {
      const held = fewest[i];
      // A count that is a length of time holds the runs of that length, at the tier's longest interval.
      const points = held ?? Math.floor((s.keep * TIER_PERIOD_SECONDS[s.tier]) / s.interval.seconds);
      return { tier: s.tier, keep: s.keep, ttlSeconds: s.ttl.seconds, ...(held === undefined ? {} : { restorePoints: held }), points };
    }),
  };
}

/**
 * How far back the restore points reach without the TTL margin (count x tier period): the TTL also
 * holds one base interval of margin, which moves with the RPO without adding or losing a restore point.
 */
function nominalOldest(policy: PolicyModel): number {
  return Math.max(0, ...policy.schedules.map((s) => s.keep * TIER_PERIOD_SECONDS[s.tier]));
}

/**
 * The longest time between two restore points that the schedules deliver: the largest gap in the
 * union of every tier's runs as Velero makes them (time zones and changes of the clocks included),
 * not a tier's nominal interval. A policy without schedules delivers nothing (infinite).
 */
function deliveredRpo(policy: PolicyModel): number {
  return policyLongestGap(policy.schedules);
}

/** A gap for people, also when the schedules never back up twice. */
const gapText = (seconds: number): string => (Number.isFinite(seconds) ? (duration(seconds) ?? '') : 'forever (fewer than two backups)');

/** The restore points a tier of a policy holds (see `TierRestorePoints.points`); 0 without the tier. */
function pointsOf(policy: PolicyModel, tier: Tier): number {
  return restorePointsOf(policy).tiers.find((t) => t.tier === tier)?.points ?? 0;
}

/** Namespaces covered per cluster (from `namespaces` lists), each with the policies naming it. */
type Coverage = Map<string, Map<string, PolicyModel[]>>;

function coverageOf(policies: readonly PolicyModel[]): Coverage {
  const coverage: Coverage = new Map();
  for (const policy of policies) {
    const namespaces = coverage.get(policy.cluster) ?? new Map<string, PolicyModel[]>();
    coverage.set(policy.cluster, namespaces);
    for (const namespace of policy.namespaces) namespaces.set(namespace, [...(namespaces.get(namespace) ?? []), policy]);
  }
  return coverage;
}

const coveringNames = (coverage: Coverage, cluster: string, namespace: string): string[] =>
  (coverage.get(cluster)?.get(namespace) ?? []).map((p) => p.name);

/** Changes of policies and of namespace coverage between two sides. */
export function comparePolicies(base: Side, head: Side): Change[] {
  const changes: Change[] = [];
  const before = coverageOf(base.model.policies);
  const after = coverageOf(head.model.policies);
  const baseByName = new Map(base.model.policies.map((p) => [p.name, p]));
  const headByName = new Map(head.model.policies.map((p) => [p.name, p]));
  const target = (policy: PolicyModel, side: Side): Target => ({ cluster: policy.cluster, subject: 'policy', name: policy.name, ...side.locate(policy.source) });

  for (const policy of head.model.policies) {
    const old = baseByName.get(policy.name);
    if (!old) {
      const points = restorePointsOf(policy);
      changes.push(
        change(target(policy, head), 'safe', 'policy.added', null, null, summaryOf(policy), `new policy: backs up ${scopeOf(policy)} every ${policy.rpo.text}, restore points back to ${duration(points.oldestSeconds)}`),
      );
    } else {
      changes.push(...comparePolicy(old, policy, target(policy, head), before, after));
    }
  }
  for (const policy of base.model.policies) {
    if (headByName.has(policy.name)) continue;
    const stillCovered = policy.namespaces.length > 0 && policy.namespaces.every((ns) => coveringNames(after, policy.cluster, ns).length > 0);
    const replacements = [...new Set(policy.namespaces.flatMap((ns) => coveringNames(after, policy.cluster, ns)))].sort();
    changes.push(
      stillCovered
        ? change(target(policy, base), 'review', 'policy.removed', null, summaryOf(policy), null, `policy removed; its namespaces stay backed up by ${replacements.join(', ')} (see their protection below)`)
        : change(target(policy, base), 'risk', 'policy.removed', null, summaryOf(policy), null, `policy removed: ${scopeOf(policy)} no longer backed up by it; new restore points stop and existing ones expire`),
    );
  }
  changes.push(...compareNamespaces(base, head, before, after));
  return changes;
}

function summaryOf(policy: PolicyModel) {
  return { namespaces: policy.namespaces, selector: policy.selector, rpo: policy.rpo.text, retention: policy.retention, volumes: policy.volumes, storage: policy.storage };
}

function scopeOf(policy: PolicyModel): string {
  if (policy.namespaces.length > 0) return `namespace${policy.namespaces.length === 1 ? '' : 's'} ${policy.namespaces.join(', ')}`;
  return 'the objects its selector matches in every namespace';
}

function comparePolicy(old: PolicyModel, now: PolicyModel, target: Target, before: Coverage, after: Coverage): Change[] {
  const changes: Change[] = [];
  const push = (cls: ChangeClass, kind: string, field: string | null, b: unknown, a: unknown, message: string) => changes.push(change(target, cls, kind, field, b, a, message));

  if (old.cluster !== now.cluster) push('review', 'policy.cluster', 'cluster', old.cluster, now.cluster, `moves from cluster ${old.cluster} to ${now.cluster}`);
  if (old.rpo.seconds !== now.rpo.seconds) {
    const better = now.rpo.seconds < old.rpo.seconds;
    const delivered = { before: deliveredRpo(old), after: deliveredRpo(now) };
    if (better && delivered.after > delivered.before) {
      // The declared field improved while the runs Velero makes are further apart than before.
      push('risk', 'policy.rpo', 'rpo', old.rpo.text, now.rpo.text,
        `RPO declared ${now.rpo.text} instead of ${old.rpo.text}, but the schedules now leave up to ${gapText(delivered.after)} between restore points (was ${gapText(delivered.before)}): protection is worse`);
    } else if (better && delivered.after === delivered.before) {
      // The declared field improved, the schedules did not: what a restore can lose is unchanged.
      push('review', 'policy.rpo', 'rpo', old.rpo.text, now.rpo.text,
        `RPO declared ${now.rpo.text} instead of ${old.rpo.text}, but the schedules still leave up to ${gapText(delivered.after)} between restore points (was ${gapText(delivered.before)}): protection is not better`);
    } else {
      push(better ? 'safe' : 'risk', 'policy.rpo', 'rpo', old.rpo.text, now.rpo.text, better ? `RPO better: at most ${now.rpo.text} of data lost instead of ${old.rpo.text}` : `RPO worse: up to ${now.rpo.text} of data may be lost instead of ${old.rpo.text}`);
    }
  } else if (deliveredRpo(now) > deliveredRpo(old)) {
    push('risk', 'policy.rpo', 'schedule', gapText(deliveredRpo(old)), gapText(deliveredRpo(now)), `the schedules now leave up to ${gapText(deliveredRpo(now))} between restore points instead of ${gapText(deliveredRpo(old))}, whatever the declared RPO says`);
  }
  for (const tier of TIERS) {
    const b = old.schedules.find((s) => s.tier === tier);
    const a = now.schedules.find((s) => s.tier === tier);
    if (!b && !a) continue;
    const value = (s: typeof a) => (s ? { keep: s.keep, ttl: duration(s.ttl.seconds) } : null);
    const field = `retention.${tier}`;
    if (!b && a) push('safe', 'policy.retention', field, null, value(a), `keeps ${a.keep} ${tier} restore point${a.keep === 1 ? '' : 's'} more (TTL ${duration(a.ttl.seconds)})`);
    else if (b && !a) push('risk', 'policy.retention', field, value(b), null, `drops the ${tier} tier: its ${b.keep} restore point${b.keep === 1 ? '' : 's'} (TTL ${duration(b.ttl.seconds)}) expire and are not replaced`);
    else if (b && a && b.keep !== a.keep) {
      const fewer = a.keep < b.keep;
      push(fewer ? 'risk' : 'safe', 'policy.retention', field, value(b), value(a), `${tier} restore points: ${b.keep} -> ${a.keep} (TTL ${duration(b.ttl.seconds)} -> ${duration(a.ttl.seconds)})`);
    } else if (b && a) {
      // The same count can hold fewer restore points: a base tier counting time whose runs are now further apart.
      const held = { before: pointsOf(old, tier), after: pointsOf(now, tier) };
      if (held.after < held.before) {
        push('risk', 'policy.retention', field, { ...value(b), restorePoints: held.before }, { ...value(a), restorePoints: held.after },
          `${tier} restore points: ${held.before} -> ${held.after} as the Schedules run (${a.keep} ${tier} kept, TTL ${duration(b.ttl.seconds)} -> ${duration(a.ttl.seconds)})`);
      }
    }
  }
  const oldest = { before: restorePointsOf(old).oldestSeconds, after: restorePointsOf(now).oldestSeconds };
  // A TTL that moves only by its margin (an RPO change) keeps the same restore points: not reported.
  if (oldest.before !== oldest.after && nominalOldest(old) !== nominalOldest(now)) {
    const shorter = nominalOldest(now) < nominalOldest(old);
    push(shorter ? 'risk' : 'safe', 'policy.oldest-restore-point', 'oldestRestorePoint', duration(oldest.before), duration(oldest.after), shorter ? `can restore back ${duration(oldest.after)} instead of ${duration(oldest.before)}: older restore points expire` : `can restore back ${duration(oldest.after)} instead of ${duration(oldest.before)}`);
  }
  if (old.volumes !== now.volumes) push(...volumeChange(old.volumes, now.volumes));
  if (old.storage !== now.storage) push('review', 'policy.storage', 'storage', old.storage, now.storage, `backups go to ${now.storage} instead of ${old.storage}; existing restore points stay in ${old.storage} until they expire, so restore plans must read both`);

  for (const namespace of old.namespaces) {
    if (now.namespaces.includes(namespace)) continue;
    const others = coveringNames(after, now.cluster, namespace).filter((n) => n !== now.name);
    if (others.length > 0) push('review', 'policy.namespaces', 'namespaces', old.namespaces, now.namespaces, `no longer backs up ${namespace}, which stays backed up by ${others.join(', ')}`);
  }
  for (const namespace of now.namespaces) {
    if (old.namespaces.includes(namespace)) continue;
    const others = coveringNames(before, now.cluster, namespace).filter((n) => n !== now.name);
    if (others.length > 0) push('safe', 'policy.namespaces', 'namespaces', old.namespaces, now.namespaces, `also backs up ${namespace}, already backed up by ${others.join(', ')}`);
  }
  if (!same(old.selector, now.selector)) {
    if (!old.selector) push('risk', 'policy.selector', 'selector', null, now.selector, 'now backs up only the objects its selector matches');
    else if (!now.selector) push('safe', 'policy.selector', 'selector', old.selector, null, 'selector removed: backs up every object of its namespaces');
    else push('review', 'policy.selector', 'selector', old.selector, now.selector, 'selector changed: other objects may be left out');
  }
  const resources = (p: PolicyModel) => ({ included: p.includedResources, excluded: p.excludedResources });
  if (!same(resources(old), resources(now))) push(resourcesClass(old, now), 'policy.resources', 'resources', resources(old), resources(now), 'resource filters changed');
  changes.push(...compareApps(old, now, target));
  const schedule = (p: PolicyModel) => ({ timeZone: p.timeZone ?? null, schedule: p.scheduleOverride ?? null });
  if (!same(schedule(old), schedule(now))) push('review', 'policy.schedule', 'schedule', schedule(old), schedule(now), 'when backups run changed');
  if (!same(old.volumePolicies, now.volumePolicies)) {
    // A skip rule that is new, or that now comes before rules it used to follow, stops capturing
    // volumes that were captured: the first matching rule wins.
    const skips = (p: PolicyModel) => p.volumePolicies.map((rule, index) => ({ rule, index })).filter((r) => r.rule.action === 'skip');
    const widened = skips(now).filter((r) => !skips(old).some((o) => same(o.rule, r.rule) && o.index <= r.index));
    if (widened.length > 0) {
      push('risk', 'policy.volume-policies', 'volumePolicies', old.volumePolicies, now.volumePolicies,
        `volumePolicies[${widened.map((r) => r.index).join('], [')}] now skip volumes that were captured: their data is no longer backed up, only their objects`);
    } else push('review', 'policy.volume-policies', 'volumePolicies', old.volumePolicies, now.volumePolicies, 'per-volume decisions changed: check which volumes are skipped');
  }
  for (const right of ['view', 'restore', 'backup'] as const) {
    const added = now.access[right].filter((s) => !old.access[right].includes(s));
    if (added.length > 0) push('review', 'policy.access', `access.${right}`, old.access[right], now.access[right], `${right} access widened to ${added.join(', ')}: confirm they should ${right === 'view' ? 'read these backups' : right === 'restore' ? 'restore (and overwrite) these namespaces' : 'start backups of this policy'}`);
    else if (!same(old.access[right], now.access[right])) push('safe', 'policy.access', `access.${right}`, old.access[right], now.access[right], `${right} access narrowed`);
  }
  const handled = ['name', 'cluster', 'storage', 'namespaces', 'selector', 'includedResources', 'excludedResources', 'rpo', 'retention', 'schedules', 'volumes', 'apps', 'volumePolicies', 'timeZone', 'scheduleOverride', 'access'];
  changes.push(...otherFields(target, 'policy.other', old, now, handled));
  return changes;
}

const VOLUME_RANK: Readonly<Record<VolumeMode, number>> = { none: 0, 'csi-snapshot': 1, 'native-snapshot': 1, 'snapshot-data-mover': 2, filesystem: 2 };

function volumeChange(before: VolumeMode, after: VolumeMode): [ChangeClass, string, string, VolumeMode, VolumeMode, string] {
  const b = VOLUME_RANK[before];
  const a = VOLUME_RANK[after];
  if (after === 'none') return ['risk', 'policy.volumes', 'volumes', before, after, 'volume data is no longer backed up, only Kubernetes objects'];
  if (a < b) return ['risk', 'policy.volumes', 'volumes', before, after, `volume data stays in the cluster's own storage system (${after}): another cluster or region cannot restore it`];
  if (a > b) return ['safe', 'policy.volumes', 'volumes', before, after, before === 'none' ? 'volume data is now backed up' : `volume data now leaves the cluster (${after}): restorable elsewhere`];
  return ['review', 'policy.volumes', 'volumes', before, after, `volume data captured by ${after} instead of ${before}`];
}

function resourcesClass(old: PolicyModel, now: PolicyModel): ChangeClass {
  const excludedMore = now.excludedResources.some((r) => !old.excludedResources.includes(r));
  const excludedLess = old.excludedResources.some((r) => !now.excludedResources.includes(r));
  const b = old.includedResources;
  const a = now.includedResources;
  const includedLess = a.length > 0 && (b.length === 0 || b.some((r) => !a.includes(r)));
  const includedMore = b.length > 0 && (a.length === 0 || a.some((r) => !b.includes(r)));
  const narrower = excludedMore || includedLess;
  const wider = excludedLess || includedMore;
  if (narrower && wider) return 'review';
  return narrower ? 'risk' : 'safe';
}

function compareApps(old: PolicyModel, now: PolicyModel, target: Target): Change[] {
  const changes: Change[] = [];
  const before = new Map(old.apps.map((a) => [a.name, a]));
  const after = new Map(now.apps.map((a) => [a.name, a]));
  for (const [name, app] of before) {
    const next = after.get(name);
    if (!next) changes.push(change(target, 'risk', 'policy.apps', `apps.${name}`, app.engine, null, `application profile ${name} removed: backups of its data are no longer application-consistent`));
    else if (!same(app, next)) changes.push(change(target, 'review', 'policy.apps', `apps.${name}`, app, next, `application profile ${name} changed: check its hooks`));
  }
  for (const [name, app] of after) {
    if (!before.has(name)) changes.push(change(target, 'safe', 'policy.apps', `apps.${name}`, null, app.engine, `application profile ${name} added: consistent backups of its data`));
  }
  return changes;
}

/** Namespaces that gained or lost their last policy, or whose policies now protect them differently. */
function compareNamespaces(base: Side, head: Side, before: Coverage, after: Coverage): Change[] {
  const changes: Change[] = [];
  const clusters = [...new Set([...before.keys(), ...after.keys()])].sort();
  for (const cluster of clusters) {
    const b = before.get(cluster) ?? new Map<string, PolicyModel[]>();
    const a = after.get(cluster) ?? new Map<string, PolicyModel[]>();
    for (const namespace of [...new Set([...b.keys(), ...a.keys()])].sort()) {
      const was = b.get(namespace) ?? [];
      const is = a.get(namespace) ?? [];
      const located = is[0] ? head.locate(is[0].source) : base.locate(was[0]?.source);
      const target: Target = { cluster, subject: 'namespace', name: namespace, ...located };
      const names = (ps: readonly PolicyModel[]) => ps.map((p) => p.name);
      if (was.length > 0 && is.length === 0) {
        changes.push(change(target, 'risk', 'namespace.coverage-lost', null, names(was), null, `namespace ${namespace} is no longer backed up (was: ${names(was).join(', ')})`));
      } else if (was.length === 0 && is.length > 0) {
        changes.push(change(target, 'safe', 'namespace.coverage-gained', null, null, names(is), `namespace ${namespace} is now backed up by ${names(is).join(', ')}`));
      } else if (!same(names(was), names(is))) {
        const rpo = (ps: readonly PolicyModel[]) => Math.min(...ps.map((p) => p.rpo.seconds));
        const oldest = (ps: readonly PolicyModel[]) => Math.max(...ps.map((p) => restorePointsOf(p).oldestSeconds));
        const nominal = (ps: readonly PolicyModel[]) => Math.max(...ps.map(nominalOldest));
        const via = `now backed up by ${names(is).join(', ')} instead of ${names(was).join(', ')}`;
        if (rpo(is) !== rpo(was)) {
          const better = rpo(is) < rpo(was);
          changes.push(change(target, better ? 'safe' : 'risk', 'namespace.protection', 'rpo', duration(rpo(was)), duration(rpo(is)), `${via}: RPO ${duration(rpo(was))} -> ${duration(rpo(is))}`));
        }
        if (nominal(is) !== nominal(was)) {
          const longer = nominal(is) > nominal(was);
          changes.push(change(target, longer ? 'safe' : 'risk', 'namespace.protection', 'oldestRestorePoint', duration(oldest(was)), duration(oldest(is)), `${via}: restore points back to ${duration(oldest(was))} -> ${duration(oldest(is))}`));
        }
      }
    }
  }
  return changes;
}
