import { CronExpressionParser } from 'cron-parser';

/** Splits a Velero schedule into its `CRON_TZ=` zone and the five-field expression. */
export function splitCronZone(schedule: string): { zone?: string; expression: string } {
  const match = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(schedule.trim());
  return match ? { zone: match[1], expression: (match[2] ?? '').trim() } : { expression: schedule.trim() };
}

/** Why a cron expression is not valid for Velero, or undefined when it is. */
export function cronError(schedule: string): string | undefined {
  const { zone, expression } = splitCronZone(schedule);
  if (zone !== undefined && !isTimeZone(zone)) return `unknown time zone "${zone}"`;
  if (expression.split(/\s+/).length !== 5) return 'expected five fields: minute hour day-of-month month day-of-week';
  try {
    CronExpressionParser.parse(expression, { tz: zone ?? 'UTC' });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** True when the runtime knows the IANA time zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A fixed start for schedule analysis, so results never depend on the day they are computed. */
const ANALYSIS_START = new Date('2026-01-05T00:00:00Z');

/**
 * Run times of several schedules together, over `horizonSeconds` from a fixed start, in
 * milliseconds since the epoch, sorted. Invalid schedules contribute nothing.
 */
export function unionOfRuns(schedules: readonly string[], horizonSeconds: number): number[] {
  const end = ANALYSIS_START.getTime() + horizonSeconds * 1000;
  const runs = new Set<number>();
  for (const schedule of schedules) {
    if (cronError(schedule) !== undefined) continue;
    const { zone, expression } = splitCronZone(schedule);
    const parsed = CronExpressionParser.parse(expression, { currentDate: ANALYSIS_START, tz: zone ?? 'UTC' });
    for (let next = parsed.next().getTime(); next <= end; next = parsed.next().getTime()) runs.add(next);
  }
  return [...runs].sort((a, b) => a - b);
}

/** Longest gap in seconds between consecutive runs (Infinity with fewer than two runs). */
export function longestGapSeconds(runs: readonly number[]): number {
  if (runs.length < 2) return Number.POSITIVE_INFINITY;
  let longest = 0;
  for (let i = 1; i < runs.length; i++) longest = Math.max(longest, (runs[i]! - runs[i - 1]!) / 1000);
  return longest;
}
