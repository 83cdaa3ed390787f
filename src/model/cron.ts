import { loadLocation, nextRun, parseVeleroSchedule, type VeleroSchedule, type Zone, zoneSpelling } from './velero-cron.ts';

/** A schedule parsed once: compiling thousands of policies checks the same crons many times. */
const parsedSchedules = new Map<string, { schedule: VeleroSchedule } | { error: string }>();

function parseSchedule(schedule: string): { schedule: VeleroSchedule } | { error: string } {
  let parsed = parsedSchedules.get(schedule);
  if (parsed === undefined) {
    parsed = parseVeleroSchedule(schedule);
    parsedSchedules.set(schedule, parsed);
  }
  return parsed;
}

/** Why Velero refuses a schedule (robfig/cron's ParseStandard, see velero-cron.ts), or undefined when it accepts it. */
export function cronError(schedule: string): string | undefined {
  const parsed = parseSchedule(schedule);
  return 'error' in parsed ? parsed.error : undefined;
}

/** True when Velero's server finds the time zone by this exact name (Go's time.LoadLocation). */
export function isTimeZone(zone: string): boolean {
  return 'zone' in loadLocation(zone);
}

/** The name Go's time.LoadLocation would find when `zone` differs from it only in case ('Europe/Berlin' for 'europe/berlin'). */
export function timeZoneSpelling(zone: string): string | undefined {
  return zoneSpelling(zone);
}

/** A fixed start for schedule analysis, so results never depend on the day they are computed. */
const ANALYSIS_START = new Date('2026-01-05T00:00:00Z');

/** The fixed start of schedule analysis, in milliseconds since the epoch. */
export const ANALYSIS_START_MS = ANALYSIS_START.getTime();

/**
 * Run times of several schedules together, over `horizonSeconds` from a fixed start, in
 * milliseconds since the epoch, sorted: each schedule's runs as Velero makes them, every run
 * computed from the one before. Schedules Velero refuses contribute nothing.
 */
export function unionOfRuns(schedules: readonly string[], horizonSeconds: number): number[] {
  const start = ANALYSIS_START.getTime();
  const end = start + horizonSeconds * 1000;
  const runs = new Set<number>();
  for (const text of schedules) {
    const parsed = parseSchedule(text);
    if ('error' in parsed) continue;
    for (let next = nextRun(parsed.schedule, start); next !== undefined && next <= end; next = nextRun(parsed.schedule, next)) runs.add(next);
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

type Spec = Extract<VeleroSchedule, { kind: 'spec' }>;

/** The calendar fields of one schedule that decide whether it runs on a (wall-clock) day, and when. */
interface DayPlan {
  readonly schedule: Spec;
  readonly matchesDay: (month: number, dayOfMonth: number, dayOfWeek: number) => boolean;
  /** Minutes after midnight, sorted. */
  readonly minutes: readonly number[];
}

function dayPlanOf(schedule: Spec): DayPlan {
  const minutes: number[] = [];
  for (let h = 0; h < 24; h++) {
    if (!schedule.hour[h]) continue;
    for (let m = 0; m < 60; m++) if (schedule.minute[m]) minutes.push(h * 60 + m);
  }
  return {
    schedule,
    // robfig's day rule: with a `*` (or `?`) in either day field both must match, else either.
    matchesDay: (month, dom, dow) =>
      schedule.month[month] === true && (schedule.domStar || schedule.dowStar ? schedule.dom[dom] === true && schedule.dow[dow] === true : schedule.dom[dom] === true || schedule.dow[dow] === true),
    minutes,
  };
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** Month (1-12), day of month and day of week (0 = Sunday) of a day counted from 1970-01-01. */
const calendar = new Map<number, { month: number; dayOfMonth: number; dayOfWeek: number }>();

function calendarDay(day: number): { month: number; dayOfMonth: number; dayOfWeek: number } {
  let found = calendar.get(day);
  if (!found) {
    const date = new Date(day * DAY_MS);
    found = { month: date.getUTCMonth() + 1, dayOfMonth: date.getUTCDate(), dayOfWeek: date.getUTCDay() };
    calendar.set(day, found);
  }
  return found;
}

/** Sorted, distinct run times of several schedules, each list sorted (merged, not sorted again). */
export function mergeRuns(lists: readonly (readonly number[])[]): number[] {
  const all: number[] = [];
  const heads = new Array<number>(lists.length).fill(0);
  for (;;) {
    let pick = -1;
    let at = Number.POSITIVE_INFINITY;
    for (let i = 0; i < lists.length; i++) {
      const list = lists[i]!;
      const head = heads[i]!;
      if (head < list.length && list[head]! < at) {
        at = list[head]!;
        pick = i;
      }
    }
    if (pick < 0) return all;
    if (all.length === 0 || all[all.length - 1] !== at) all.push(at);
    heads[pick]!++;
  }
}

/**
 * The runs of one schedule as Velero makes them (each computed from the last, robfig's Next), in
 * (start, start + horizon] from the fixed analysis start, in milliseconds since the epoch:
 * exactly the run-by-run walk, without it on days whose clocks do not change. There, a wall-clock
 * minute is one instant and the schedule runs at every minute its fields match. The days around a
 * change of the zone's offset (daylight saving time) take Velero's own computation, from the
 * schedule's last run; `@every` takes it throughout. A schedule Velero refuses has no runs. The
 * list is computed once per schedule and horizon and shared by every caller (hence readonly).
 */
export function runsOfSchedule(text: string, horizonSeconds: number): readonly number[] {
  const key = `${horizonSeconds} ${text}`;
  let runs = computedRuns.get(key);
  if (runs === undefined) {
    runs = computeRunsOfSchedule(text, horizonSeconds);
    if (computedRunsLength + runs.length > MAX_COMPUTED_RUNS) {
      computedRuns.clear();
      computedRunsLength = 0;
    }
    computedRuns.set(key, runs);
    computedRunsLength += runs.length;
  }
  return runs;
}

/**
 * Runs already computed, by horizon and schedule: the tiers of many policies share schedules (the
 * same RPO and retention give the same crons up to the minute slot), and a 15-minute schedule has
 * 77,000 runs over the longest horizon. Bounded (about 64 MB of runs) for long-lived processes.
 */
const computedRuns = new Map<string, readonly number[]>();
let computedRunsLength = 0;
const MAX_COMPUTED_RUNS = 8_000_000;

function computeRunsOfSchedule(text: string, horizonSeconds: number): readonly number[] {
  const parsed = parseSchedule(text);
  if ('error' in parsed) return [];
  const start = ANALYSIS_START.getTime();
  const end = start + horizonSeconds * 1000;
  const schedule = parsed.schedule;
  const runs: number[] = [];
  if (schedule.kind !== 'spec') {
    for (let next = nextRun(schedule, start); next !== undefined && next <= end; next = nextRun(schedule, next)) runs.push(next);
    return runs;
  }
  const { zone } = schedule;
  const plan = dayPlanOf(schedule);
  const irregular = irregularDays(zone, start, end);
  /** The last run so far: where Velero computes the next one from. */
  let lastRun: number | undefined;
  /**
   * After a change of offset, the first run past the days around it, as Velero computes it: robfig
   * can skip a matching time after a change (a half-hour change leaves its search at :30, so a
   * midnight run is not found until the next matching day), so none is counted before it.
   */
  let resumeAt: number | undefined;
  const firstDay = Math.floor((start + zone.offsetAt(start)) / DAY_MS) - 1;
  const lastDay = Math.floor((end + zone.offsetAt(end)) / DAY_MS) + 1;
  for (let day = firstDay; day <= lastDay; day++) {
    if (irregular.has(day)) {
      let through = day;
      while (irregular.has(through + 1)) through++;
      const until = wallClockMidnight(zone, through + 1);
      let at = nextRun(schedule, lastRun ?? start);
      for (; at !== undefined && at < until; at = nextRun(schedule, at)) {
        if (at > end) break;
        runs.push(at);
        lastRun = at;
      }
      resumeAt = at ?? Number.POSITIVE_INFINITY;
      day = through;
      continue;
    }
    const date = calendarDay(day);
    if (plan.minutes.length === 0 || !plan.matchesDay(date.month, date.dayOfMonth, date.dayOfWeek)) continue;
    const midnight = day * DAY_MS - zone.offsetAt(day * DAY_MS);
    if (resumeAt !== undefined && resumeAt >= midnight + DAY_MS) continue;
    for (const minute of plan.minutes) {
      const at = midnight + minute * MINUTE_MS;
      if (at <= start || at > end || (resumeAt !== undefined && at < resumeAt)) continue;
      runs.push(at);
      lastRun = at;
    }
    resumeAt = undefined;
  }
  return runs;
}

/** The instant of midnight, wall-clock time, of a day counted from 1970-01-01, as Go's time.Date gives it. */
function wallClockMidnight(zone: Zone, day: number): number {
  const local = day * DAY_MS;
  const guess = zone.offsetAt(local);
  return guess === 0 ? local : local - zone.offsetAt(local - guess);
}

/**
 * Wall-clock days (counted from 1970-01-01) on which the zone's offset changes, with the day before
 * and the day after: robfig's computation differs from "every matching minute" only there.
 */
function irregularDays(zone: Zone, start: number, end: number): Set<number> {
  const days = new Set<number>();
  for (const at of zone.transitions(start - 3 * DAY_MS, end + 3 * DAY_MS)) {
    const before = Math.floor((at - 1 + zone.offsetAt(at - 1)) / DAY_MS);
    const after = Math.floor((at + zone.offsetAt(at)) / DAY_MS);
    for (let day = Math.min(before, after) - 1; day <= Math.max(before, after) + 1; day++) days.add(day);
  }
  return days;
}
