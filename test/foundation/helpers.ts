/**
 * Independent oracles for the foundation tests: cron runs computed with cron-parser (in a time zone,
 * every minute whose wall-clock time matches the fields cron-parser reads), Go durations parsed by
 * hand, and the documented tier periods and cron-friendly intervals written out again rather than
 * imported, so a test does not check the code against itself.
 */
import { CronExpressionParser } from 'cron-parser';
import type { Tier } from '../../src/dsl/retention.ts';

export const MINUTE = 60;
export const HOUR = 3600;
export const DAY = 86_400;

/** Tiers finest first, and the spacing of their restore points (months and years at their longest). */
export const TIER_ORDER: readonly Tier[] = ['hourly', 'daily', 'weekly', 'monthly', 'yearly'];
export const PERIOD: Readonly<Record<Tier, number>> = {
  hourly: HOUR,
  daily: DAY,
  weekly: 7 * DAY,
  monthly: 31 * DAY,
  yearly: 366 * DAY,
};

/** Intervals a five-field cron keeps exactly: divisors of an hour in minutes, of a day in hours, then calendar steps. */
const CRON_FRIENDLY = [
  ...[1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30].map((m) => m * MINUTE),
  ...[1, 2, 3, 4, 6, 8, 12].map((h) => h * HOUR),
  DAY,
  7 * DAY,
  31 * DAY,
  366 * DAY,
];

/** The longest cron-friendly interval not above `seconds`, one minute at the least. */
export function cronFriendly(seconds: number): number {
  return CRON_FRIENDLY.filter((interval) => interval <= seconds).at(-1) ?? MINUTE;
}

/** The base interval the README and tiers.ts promise: every RPO rounded down, or the base tier's own period when shorter. */
export function expectedBaseInterval(rpoSeconds: number, retention: Readonly<Partial<Record<Tier, number>>>): number {
  const base = TIER_ORDER.find((tier) => (retention[tier] ?? 0) > 0);
  if (base === undefined) throw new Error('no tier');
  return cronFriendly(Math.min(rpoSeconds, PERIOD[base]));
}

/** Seconds of a Go duration as Velero writes TTLs (`721h0m0s`, `30m`, `1h30m`, `90s`). */
export function parseGoDuration(text: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?$/.exec(text);
  if (!match || text === '') throw new Error(`not a Go duration: ${JSON.stringify(text)}`);
  const [, h = '0', m = '0', s = '0'] = match;
  return Number(h) * HOUR + Number(m) * MINUTE + Number(s);
}

/** A Velero schedule split into its `CRON_TZ=` zone (UTC when absent) and five-field expression. */
export function splitZone(schedule: string): { zone: string; expression: string; prefixed: boolean } {
  const match = /^CRON_TZ=(\S+) (.+)$/.exec(schedule);
  return match ? { zone: match[1] ?? '', expression: match[2] ?? '', prefixed: true } : { zone: 'UTC', expression: schedule, prefixed: false };
}

/**
 * Run times (ms since the epoch) of a Velero schedule in [from, to). In UTC, computed by
 * cron-parser. In a time zone, every minute whose wall-clock time matches the fields: that is how
 * Velero's cron library runs around a change of the clocks that moves them by an hour away from
 * midnight (a time skipped when clocks go forward does not run that day, one repeated when they go
 * back runs twice: each run is computed from the last), and not how cron-parser does (it moves the
 * skipped time and runs the repeated one once).
 */
export function runsOf(schedule: string, from: Date, to: Date): number[] {
  const { zone, expression } = splitZone(schedule);
  if (zone === 'UTC') {
    const parsed = CronExpressionParser.parse(expression, { currentDate: new Date(from.getTime() - 1), tz: zone });
    const runs: number[] = [];
    for (;;) {
      const next = parsed.next().getTime();
      if (next >= to.getTime()) return runs;
      runs.push(next);
    }
  }
  const { minute, hour, dayOfMonth, month, dayOfWeek } = CronExpressionParser.parse(expression, { tz: 'UTC' }).fields;
  const has = (field: { values: readonly (number | string)[] }, value: number) => field.values.includes(value);
  const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
  const runs: number[] = [];
  for (let at = Math.ceil(from.getTime() / 60_000) * 60_000; at < to.getTime(); at += 60_000) {
    const parts = Object.fromEntries(format.formatToParts(new Date(at)).map((part) => [part.type, Number(part.value)]));
    const { year = 0, month: m = 0, day = 0, hour: h = 0, minute: mi = 0 } = parts;
    if (!has(minute, mi) || !has(hour, h) || !has(month, m)) continue;
    const weekday = new Date(Date.UTC(year, m - 1, day)).getUTCDay();
    const domMatch = has(dayOfMonth, day);
    const dowMatch = has(dayOfWeek, weekday) || (weekday === 0 && has(dayOfWeek, 7));
    const dayMatch = dayOfMonth.isWildcard ? dowMatch : dayOfWeek.isWildcard ? domMatch : domMatch || dowMatch;
    if (dayMatch) runs.push(at);
  }
  return runs;
}

/** Sorted, de-duplicated run times of several schedules together. */
export function unionOfRuns(schedules: readonly string[], from: Date, to: Date): number[] {
  return [...new Set(schedules.flatMap((s) => runsOf(s, from, to)))].sort((a, b) => a - b);
}

/** Gaps in seconds between consecutive runs. */
export function gapsOf(runs: readonly number[]): number[] {
  return runs.slice(1).map((run, i) => (run - (runs[i] ?? run)) / 1000);
}

/** Longest gap in seconds (Infinity with fewer than two runs). */
export function longestGap(runs: readonly number[]): number {
  return runs.length < 2 ? Number.POSITIVE_INFINITY : Math.max(...gapsOf(runs));
}

/** Number of fields of a cron expression. */
export function fieldCount(expression: string): number {
  return expression.trim().split(/\s+/).length;
}
