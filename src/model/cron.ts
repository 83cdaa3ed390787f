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

/**
 * The longest gap in seconds between consecutive runs of several schedules together, over
 * `horizonSeconds` from the fixed analysis start: exactly `longestGapSeconds(unionOfRuns(...))`,
 * without walking every run. Schedules in one zone run, on a day whose clocks do not change, at
 * every minute their fields match: each distinct set of schedules running on a day is merged once
 * and the horizon walked a day at a time. The days around a change of the zone's offset (daylight
 * saving time) take Velero's run-by-run computation, from each schedule's last run; anything else
 * (`@every`, schedules in different zones, fewer than two runs) takes the run-by-run walk throughout.
 */
export function longestRunGapSeconds(schedules: readonly string[], horizonSeconds: number): number {
  const parsed = schedules.map(parseSchedule).flatMap((p) => ('schedule' in p ? [p.schedule] : []));
  const reference = (): number => longestGapSeconds(unionOfRuns(schedules, horizonSeconds));
  const zone = parsed[0]?.zone;
  if (!zone || parsed.length > 30 || parsed.some((s) => s.kind !== 'spec' || s.zone !== zone)) return reference();
  const plans = (parsed as Spec[]).map(dayPlanOf);
  const start = ANALYSIS_START.getTime();
  const end = start + horizonSeconds * 1000;
  const irregular = irregularDays(zone, start, end);

  const merged = new Map<number, { minutes: number[]; first: number; last: number; gap: number }>();
  const mergedFor = (mask: number) => {
    let found = merged.get(mask);
    if (!found) {
      const set = new Set<number>();
      plans.forEach((plan, i) => {
        if (mask & (1 << i)) for (const m of plan.minutes) set.add(m);
      });
      const minutes = [...set].sort((a, b) => a - b);
      let gap = 0;
      for (let i = 1; i < minutes.length; i++) gap = Math.max(gap, minutes[i]! - minutes[i - 1]!);
      found = { minutes, first: minutes[0] ?? 0, last: minutes[minutes.length - 1] ?? 0, gap: gap * MINUTE_MS };
      merged.set(mask, found);
    }
    return found;
  };

  let previous: number | undefined;
  let longest = 0;
  let runs = 0;
  const ran = new Array<boolean>(plans.length).fill(false);
  /** Each schedule's last run so far: where Velero computes its next one from. */
  const lastRun = new Array<number | undefined>(plans.length).fill(undefined);
  /**
   * After a change of offset, each schedule's first run past the days around it, as Velero computes
   * it: robfig can skip a matching time after a change (a half-hour change leaves its search at :30,
   * so a midnight run is not found until the next matching day), so none is counted before it.
   */
  const resumeAt = new Array<number | undefined>(plans.length).fill(undefined);
  const record = (at: number): void => {
    if (at <= start || at > end) return;
    if (previous !== undefined) longest = Math.max(longest, at - previous);
    previous = at;
    runs++;
  };

  const firstDay = Math.floor((start + zone.offsetAt(start)) / DAY_MS) - 1;
  const lastDay = Math.floor((end + zone.offsetAt(end)) / DAY_MS) + 1;
  for (let day = firstDay; day <= lastDay; day++) {
    if (irregular.has(day)) {
      // Consecutive days around a change of offset: Velero's own computation, from each schedule's last run.
      let through = day;
      while (irregular.has(through + 1)) through++;
      const from = wallClockMidnight(zone, day);
      const until = wallClockMidnight(zone, through + 1);
      const window = new Set<number>();
      plans.forEach((plan, i) => {
        let at = nextRun(plan.schedule, lastRun[i] ?? start);
        for (; at !== undefined && at < until; at = nextRun(plan.schedule, at)) {
          if (at >= from) window.add(at);
          lastRun[i] = at;
          if (at > start && at <= end) ran[i] = true;
        }
        resumeAt[i] = at ?? Number.POSITIVE_INFINITY;
      });
      for (const at of [...window].sort((a, b) => a - b)) record(at);
      day = through;
      continue;
    }
    // No change of offset today: a wall-clock minute is one instant.
    const midnight = day * DAY_MS - zone.offsetAt(day * DAY_MS);
    const date = calendarDay(day);
    let mask = 0;
    let resumesToday = false;
    plans.forEach((plan, i) => {
      if (!plan.matchesDay(date.month, date.dayOfMonth, date.dayOfWeek)) return;
      const resume = resumeAt[i];
      if (resume !== undefined && resume >= midnight + DAY_MS) return;
      if (resume !== undefined && resume > midnight) resumesToday = true;
      mask |= 1 << i;
    });
    if (mask === 0) continue;
    const today = mergedFor(mask);
    if (today.minutes.length === 0) continue;
    if (!resumesToday && midnight > start && midnight + DAY_MS <= end) {
      // A whole day inside the window: its own gaps, and the gap from the last run before it.
      if (previous !== undefined) longest = Math.max(longest, midnight + today.first * MINUTE_MS - previous);
      if (today.minutes.length > 1) longest = Math.max(longest, today.gap);
      previous = midnight + today.last * MINUTE_MS;
      runs += today.minutes.length;
    } else {
      // A day at an edge of the window, or one a schedule resumes on: run by run.
      const times = new Set<number>();
      plans.forEach((plan, i) => {
        if (!(mask & (1 << i))) return;
        for (const minute of plan.minutes) if (midnight + minute * MINUTE_MS >= (resumeAt[i] ?? 0)) times.add(midnight + minute * MINUTE_MS);
      });
      for (const at of [...times].sort((a, b) => a - b)) record(at);
    }
    plans.forEach((plan, i) => {
      if (!(mask & (1 << i)) || plan.minutes.length === 0) return;
      resumeAt[i] = undefined;
      const last = midnight + plan.minutes[plan.minutes.length - 1]! * MINUTE_MS;
      if (last > start) {
        lastRun[i] = last;
        if (midnight + plan.minutes[0]! * MINUTE_MS <= end) ran[i] = true;
      }
    });
  }
  // Too few runs (or a schedule that never runs in the window): the reference walk decides.
  if (runs < 2 || ran.some((r) => !r)) return reference();
  return longest / 1000;
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
