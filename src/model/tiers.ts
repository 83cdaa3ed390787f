import { TIERS, type Tier } from '../dsl/retention.ts';
import { longestRunGapSeconds } from './cron.ts';
import { type Duration, durationOf } from './duration.ts';
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
 * - All tiers run at the same staggered minute and hour, so a coarser tier's run can stand in for
 *   the finer tier's run at that moment: hourly skips the daily hour, daily skips the weekly day
 *   (or the first of the month), monthly skips January when a yearly tier exists.
 * - TTL = count x tier period + one base interval of margin, so the tier always holds `count`
 *   restore points even while the next one is being taken.
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
  return present.map((tier) => {
    const isBase = tier === base;
    const period = TIER_PERIOD_SECONDS[tier];
    const interval = isBase ? baseInterval : period;
    const cron =
      isBase && input.scheduleOverride
        ? overrideCron(input.scheduleOverride, prefix)
        : prefix +
          (interval < period ? intervalCron(interval, minute, hour) : ownCron(tier, new Set(present), minute, hour));
    const keep = input.retention[tier] ?? 0;
    return {
      tier,
      name: `${input.policy}-${tier}`,
      cron,
      ttl: durationOf(keep * period + baseInterval),
      keep,
      interval: durationOf(interval),
    };
  });
}

/** The override as Velero gets it: in the policy's time zone like the other tiers, unless it names its own. */
function overrideCron(override: string, prefix: string): string {
  return /^(CRON_)?TZ=/.test(override) ? override : prefix + override;
}

function baseIntervalOf(input: TierPlanInput, base: Tier): number {
  if (input.scheduleOverride) {
    const gap = longestRunGapSeconds([overrideCron(input.scheduleOverride, input.timeZone ? `CRON_TZ=${input.timeZone} ` : '')], 400 * DAY);
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

/** A tier at its own period, leaving out the runs a coarser tier makes at the same moment. */
function ownCron(tier: Tier, present: ReadonlySet<Tier>, minute: number, hour: number): string {
  switch (tier) {
    case 'hourly':
      return `${minute} ${present.has('daily') ? allBut(hour, 24) : '*'} * * *`;
    case 'daily':
      if (present.has('weekly')) return `${minute} ${hour} * * 1-6`;
      return `${minute} ${hour} ${present.has('monthly') ? '2-31' : '*'} * *`;
    case 'weekly':
      // Day of month and day of week are OR-ed by cron, so weekly cannot also skip the 1st.
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
