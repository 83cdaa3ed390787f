import { TIERS, type Tier } from '../dsl/retention.ts';
import { type Duration, durationOf } from './duration.ts';
import { type CountedTier, longestGap, simulateRuns, simulationHorizonSeconds, ttlsKeepingCounts } from './simulation.ts';
import { stableSlot } from './stagger.ts';
import type { TierSchedule } from './types.ts';

const DAY = 86_400;

/**
 * The period of each tier: the spacing of its restore points. Months and years use their longest
 * length so a tier's TTL always spans `count` restore points.
 */
export const TIER_PERIOD_SECONDS: Readonly<Record<Tier, number>> = {
  hourly: 3600,
  daily: DAY,
  weekly: 7 * DAY,
  monthly: 31 * DAY,
  yearly: 366 * DAY,
};

/** Intervals a cron expression can keep exactly (divisors of an hour, of a day, then calendar steps). */
const CRON_INTERVALS = [
  60, 120, 180, 240, 300, 360, 600, 720, 900, 1200, 1800, 3600, 7200, 10_800, 14_400, 21_600, 28_800, 43_200, DAY,
  7 * DAY, 31 * DAY, 366 * DAY,
];

/** The longest cron-expressible interval not above `seconds` (one minute at the least). */
export function cronInterval(seconds: number): number {
  let best = CRON_INTERVALS[0]!;
  for (const interval of CRON_INTERVALS) if (interval <= seconds) best = interval;
  return best;
}

/** Inputs of the tier expansion. */
export interface TierPlanInput {
  readonly policy: string;
  readonly rpoSeconds: number;
  readonly retention: Readonly<Partial<Record<Tier, number>>>;
  readonly timeZone?: string;
  /** Cron of the finest tier, replacing the derived one. */
  readonly scheduleOverride?: string;
}

/**
 * Expands retention tiers into Velero Schedules (grandfather-father-son).
 *
 * - The finest tier is the base: it runs every RPO, rounded down to an interval cron can keep, or
 *   at its own period when that is shorter. Coarser tiers run once per period.
 * - Nothing runs twice: no two tiers create a backup in the same minute. Tiers share the
 *   staggered minute and hour where a finer tier can leave out, in cron, exactly the moments a
 *   coarser one runs, so the coarser run stands in for it (hourly skips the daily hour, daily skips
 *   the weekly day or the first of the month, monthly skips January for yearly). A tier no finer
 *   tier can make room for (monthly next to weekly, whose Sunday may be the 1st; any tier next to a
 *   base running more often than its period) runs in a later slot, minutes after, that the finer
 *   tiers never use (see `placeTiers`).
 * - TTL = count x tier period + one base interval of margin, raised so that every tier always
 *   holds its count as Velero runs the Schedules (`ttlsKeepingCounts`): a coarser run standing in
 *   for a finer tier lives as long as that tier's backups, and a run the clocks skip (a 02:30 daily
 *   run on the day they go forward) is made up by the runs before it living longer.
 *
 * Counts are assumed valid (whole numbers >= 0); rules report the others and no schedule is made.
 */
export function expandTiers(input: TierPlanInput): TierSchedule[] {
  const present = TIERS.filter((tier) => (input.retention[tier] ?? 0) > 0);
  const base = present[0];
  if (base === undefined) return [];
  const minute = stableSlot(input.policy, 'minute', 60);
  const hour = stableSlot(input.policy, 'hour', 6);
  const prefix = input.timeZone ? `CRON_TZ=${input.timeZone} ` : '';
  const baseInterval = baseIntervalOf(input, base);
  // An override, or a base running more often than its period, keeps `count` periods of runs, not `count` runs.
  const baseCountsTime = input.scheduleOverride !== undefined || baseInterval < TIER_PERIOD_SECONDS[base];
  const chains = placeTiers(present, baseCountsTime);
  // The grid the base tier runs on, in minutes: a later slot must fall between its runs.
  const gridMinutes = !input.scheduleOverride && baseInterval < 3600 ? baseInterval / 60 : 60;
  const planned = present.map((tier) => {
    const isBase = tier === base;
    const period = TIER_PERIOD_SECONDS[tier];
    const interval = isBase ? baseInterval : period;
    const chainIndex = chains.findIndex((chain) => chain.includes(tier));
    const chain = chains[chainIndex]!;
    // An override runs when it says: the coarser tiers keep the staggered slot (RET006 reports a shared minute).
    const slot = slotOf(input.scheduleOverride ? Math.max(0, chainIndex - 1) : chainIndex, gridMinutes, minute, hour);
    const cron =
      isBase && input.scheduleOverride
        ? overrideCron(input.scheduleOverride, prefix)
        : prefix +
          (interval < period ? intervalCron(interval, minute, hour) : ownCron(tier, new Set(chain), slot.minute, slot.hour));
    const keep = input.retention[tier] ?? 0;
    return { tier, cron, keep, interval, ownTtl: keep * period + baseInterval, finer: chain.slice(0, chain.indexOf(tier)) };
  });
  const counted: CountedTier[] = planned.map((p, i) => ({
    keep: p.keep,
    ttlSeconds: p.ownTtl,
    standIns: planned.flatMap((q, j) => (q.finer.includes(p.tier) ? [j] : [])),
    countsRuns: !(i === 0 && baseCountsTime),
  }));
  // A base counting time needs no runs here (and may run every minute): it is left out of the simulation.
  const runs = simulateRuns(
    planned.map((p, i) => (counted[i]!.countsRuns ? p.cron : '')),
    { horizonSeconds: simulationHorizonSeconds(planned.map((p) => p.interval)) },
  );
  const simulated = ttlsKeepingCounts(counted, runs, baseInterval);
  return planned.map((p, i) => {
    // A run standing in for finer tiers lives at least as long as their backups.
    const standingIn = planned.filter((q) => p.finer.includes(q.tier)).map((q) => q.ownTtl);
    const ttl = Math.max(p.ownTtl, ...standingIn, simulated[i] ?? 0);
    return {
      tier: p.tier,
      name: `${input.policy}-${p.tier}`,
      cron: p.cron,
      ttl: durationOf(ttl),
      keep: p.keep,
      interval: durationOf(p.interval),
      replaces: p.finer,
    };
  });
}

/**
 * Groups the tiers (finest first) into chains that share one time of day. A tier joins the first
 * chain whose every finer tier can leave out, in one cron, the moments it runs at; otherwise it
 * starts a chain of its own, in a later slot. The first chain starts with the base tier, which
 * makes room for nothing when it runs more often than its period, or is an override.
 */
export function placeTiers(present: readonly Tier[], baseAlone: boolean): Tier[][] {
  const chains: Tier[][] = [];
  for (const tier of present) {
    const chain = chains.find((c, i) => !(i === 0 && baseAlone) && c.every((finer) => skips(finer, tier, new Set([...c, tier]))));
    if (chain) chain.push(tier);
    else chains.push([tier]);
  }
  return chains;
}

/** Whether `finer`'s cron (see `ownCron`) leaves out every moment `coarser` runs at, in a chain of `members`. */
function skips(finer: Tier, coarser: Tier, members: ReadonlySet<Tier>): boolean {
  switch (finer) {
    case 'hourly':
      // Hourly leaves out the chain's hour every day, which daily (or what stands in for it) fills.
      return members.has('daily');
    case 'daily':
      if (coarser === 'weekly') return true;
      // Day of month and day of week are OR-ed by cron: daily can leave out Sundays or the 1st, not both.
      if (members.has('weekly')) return false;
      return coarser === 'monthly' || (coarser === 'yearly' && members.has('monthly'));
    case 'monthly':
      return coarser === 'yearly';
    default:
      return false;
  }
}

/**
 * Minute and hour of a chain: the first at the staggered slot, each later one at the next minute
 * after it that is not on the base tier's grid (every `gridMinutes`), from half a grid step on.
 * With a one-minute grid there is no such minute, and the slot shares a minute with the base tier.
 */
function slotOf(chain: number, gridMinutes: number, minute: number, hour: number): { minute: number; hour: number } {
  let offset = 0;
  for (let found = 0; found < chain; ) {
    offset = offset === 0 ? Math.max(1, Math.floor(gridMinutes / 2)) : offset + 1;
    if (gridMinutes === 1 || offset % gridMinutes !== 0) found++;
  }
  return { minute: (minute + offset) % 60, hour: hour + Math.floor((minute + offset) / 60) };
}

/** The override as Velero gets it: in the policy's time zone like the other tiers, unless it names its own. */
function overrideCron(override: string, prefix: string): string {
  return /^(CRON_)?TZ=/.test(override) ? override : prefix + override;
}

function baseIntervalOf(input: TierPlanInput, base: Tier): number {
  if (input.scheduleOverride) {
    const gap = longestGap(simulateRuns([overrideCron(input.scheduleOverride, input.timeZone ? `CRON_TZ=${input.timeZone} ` : '')], { horizonSeconds: 400 * DAY }));
    return Number.isFinite(gap) ? gap : TIER_PERIOD_SECONDS.yearly;
  }
  return cronInterval(Math.min(input.rpoSeconds, TIER_PERIOD_SECONDS[base]));
}

/** A cron that runs every `interval` seconds, anchored at the staggered minute and hour. */
function intervalCron(interval: number, minute: number, hour: number): string {
  if (interval < 3600) {
    const step = interval / 60;
    return `${steps(minute % step, step, 60)} * * * *`;
  }
  if (interval < DAY) {
    const step = interval / 3600;
    return `${minute} ${steps(hour % step, step, 24)} * * *`;
  }
  if (interval === DAY) return `${minute} ${hour} * * *`;
  if (interval === 7 * DAY) return `${minute} ${hour} * * 0`;
  if (interval === 31 * DAY) return `${minute} ${hour} 1 * *`;
  return `${minute} ${hour} 1 1 *`;
}

/** A tier at its own period, leaving out the runs the coarser tiers of its chain make at the same moment. */
function ownCron(tier: Tier, present: ReadonlySet<Tier>, minute: number, hour: number): string {
  switch (tier) {
    case 'hourly':
      return `${minute} ${present.has('daily') ? allBut(hour, 24) : '*'} * * *`;
    case 'daily':
      if (present.has('weekly')) return `${minute} ${hour} * * 1-6`;
      return `${minute} ${hour} ${present.has('monthly') ? '2-31' : '*'} * *`;
    case 'weekly':
      return `${minute} ${hour} * * 0`;
    case 'monthly':
      return `${minute} ${hour} 1 ${present.has('yearly') ? '2-12' : '*'} *`;
    case 'yearly':
      return `${minute} ${hour} 1 1 *`;
  }
}

function steps(start: number, step: number, limit: number): string {
  const values: number[] = [];
  for (let value = start; value < limit; value += step) values.push(value);
  return values.join(',');
}

function allBut(skip: number, size: number): string {
  const ranges: string[] = [];
  if (skip > 0) ranges.push(skip === 1 ? '0' : `0-${skip - 1}`);
  if (skip < size - 1) ranges.push(skip === size - 2 ? `${size - 1}` : `${skip + 1}-${size - 1}`);
  return ranges.join(',');
}

/** The oldest restore point a policy keeps: its longest TTL. */
export function oldestRestorePoint(schedules: readonly TierSchedule[]): Duration | undefined {
  const longest = Math.max(0, ...schedules.map((s) => s.ttl.seconds));
  return longest > 0 ? durationOf(longest) : undefined;
}
