import { type CronFieldCollection, CronExpressionParser } from 'cron-parser';

/** Splits a Velero schedule into its `CRON_TZ=` zone and the five-field expression. */
export function splitCronZone(schedule: string): { zone?: string; expression: string } {
  const match = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(schedule.trim());
  return match ? { zone: match[1], expression: (match[2] ?? '').trim() } : { expression: schedule.trim() };
}

/** A schedule split and parsed once: compiling thousands of policies checks the same crons many times. */
interface ParsedSchedule {
  readonly zone?: string;
  readonly error?: string;
  readonly fields?: CronFieldCollection;
  /** The fields of a UTC schedule in the plain syntax, read without cron-parser (see plainFields). */
  readonly plain?: PlainFields;
}

/** The values of each field of a plain five-field expression, and which day fields are `*`. */
interface PlainFields {
  readonly minutes: number[];
  readonly hours: number[];
  readonly doms: number[];
  readonly months: number[];
  readonly dows: number[];
  readonly domWildcard: boolean;
  readonly dowWildcard: boolean;
}

const PLAIN_ITEM = /^(\*|(0|[1-9]\d?)(?:-(0|[1-9]\d?))?)(?:\/([1-9]\d?))?$/;

/**
 * The values of one field written only with numbers (no leading zeros), `*`, `a-b`, lists and
 * steps on `*` or on a range, within `min..max`; undefined for anything else (names, `?`, `L`,
 * `#`, `a/s`, reversed ranges, out-of-range values), which cron-parser reads instead. What this
 * accepts cron-parser accepts with the same values; test/perf/cron-gap.test.ts checks both agree.
 */
function plainField(text: string, min: number, max: number): number[] | undefined {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const match = PLAIN_ITEM.exec(item);
    if (!match) return undefined;
    const [, base, from, to, step] = match;
    let lo = min;
    let hi = max;
    if (base !== '*') {
      lo = Number(from);
      hi = to === undefined ? lo : Number(to);
      if (step !== undefined && to === undefined) return undefined;
    }
    if (lo < min || hi > max || lo > hi) return undefined;
    for (let v = lo; v <= hi; v += step === undefined ? 1 : Number(step)) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

function plainFields(expression: string): PlainFields | undefined {
  const [minute, hour, dom, month, dow, ...rest] = expression.split(/\s+/);
  if (minute === undefined || hour === undefined || dom === undefined || month === undefined || dow === undefined || rest.length > 0) return undefined;
  const minutes = plainField(minute, 0, 59);
  const hours = plainField(hour, 0, 23);
  const doms = plainField(dom, 1, 31);
  const months = plainField(month, 1, 12);
  const dows = plainField(dow, 0, 6);
  if (!minutes || !hours || !doms || !months || !dows) return undefined;
  // cron-parser rejects a day of month no listed month has (when the day of week is `*`): its call.
  if (dow === '*' && (doms[0] ?? 1) > 28) return undefined;
  return { minutes, hours, doms, months, dows, domWildcard: dom === '*', dowWildcard: dow === '*' };
}

const parsedSchedules = new Map<string, ParsedSchedule>();

function parseSchedule(schedule: string): ParsedSchedule {
  let parsed = parsedSchedules.get(schedule);
  if (parsed === undefined) {
    parsed = parseOnce(schedule);
    parsedSchedules.set(schedule, parsed);
  }
  return parsed;
}

function parseOnce(schedule: string): ParsedSchedule {
  const { zone, expression } = splitCronZone(schedule);
  if (zone !== undefined && !isTimeZone(zone)) return { zone, error: `unknown time zone "${zone}"` };
  if (expression.split(/\s+/).length !== 5) return { zone, error: 'expected five fields: minute hour day-of-month month day-of-week' };
  const plain = zone === undefined || zone === 'UTC' ? plainFields(expression) : undefined;
  if (plain) return { zone, plain };
  try {
    return { zone, fields: CronExpressionParser.parse(expression, { tz: zone ?? 'UTC' }).fields };
  } catch (error) {
    return { zone, error: (error as Error).message };
  }
}

/** Why a cron expression is not valid for Velero, or undefined when it is. */
export function cronError(schedule: string): string | undefined {
  return parseSchedule(schedule).error;
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

/** The calendar fields of one schedule that decide whether it runs on a day, and when (UTC). */
interface DayPlan {
  readonly matchesDay: (month: number, dayOfMonth: number, dayOfWeek: number) => boolean;
  /** Minutes after midnight, sorted. */
  readonly minutes: readonly number[];
}

const numbers = (values: readonly (number | string)[]): number[] | undefined =>
  values.every((v) => typeof v === 'number') ? (values as number[]) : undefined;

/**
 * A UTC schedule as its day rule and run minutes, read from cron-parser's own parse so the fields
 * mean exactly what they mean to it; undefined for what only cron-parser's walk gets right (a
 * time zone with DST, `L` and `#`, seconds).
 */
function dayPlanOf(schedule: string): DayPlan | undefined {
  if (!dayPlans.has(schedule)) dayPlans.set(schedule, readDayPlan(schedule));
  return dayPlans.get(schedule);
}

const dayPlans = new Map<string, DayPlan | undefined>();

function readDayPlan(schedule: string): DayPlan | undefined {
  const { zone, fields, plain } = parseSchedule(schedule);
  if (zone !== undefined && zone !== 'UTC') return undefined;
  if (plain) return dayPlanFrom(plain);
  if (!fields) return undefined;
  const { second, minute, hour, dayOfMonth, month, dayOfWeek } = fields;
  const [seconds, minutes, hours, doms, months, dows] = [second, minute, hour, dayOfMonth, month, dayOfWeek].map((f) => numbers(f.values));
  if (!seconds || !minutes || !hours || !doms || !months || !dows) return undefined;
  if (seconds.length !== 1 || seconds[0] !== 0 || dayOfMonth.hasLastChar || dayOfWeek.hasLastChar || dayOfWeek.nthDay !== 0) return undefined;
  return dayPlanFrom({ minutes, hours, doms, months, dows, domWildcard: dayOfMonth.isWildcard, dowWildcard: dayOfWeek.isWildcard });
}

function dayPlanFrom({ minutes, hours, doms, months, dows, domWildcard, dowWildcard }: PlainFields): DayPlan {
  const monthSet = new Set(months);
  const domSet = new Set(doms);
  const dowSet = new Set(dows);
  return {
    // cron-parser's day rule: both restricted, either matches; otherwise the restricted one decides.
    matchesDay: (m, dom, dow) => {
      if (!monthSet.has(m)) return false;
      const matchedDom = domSet.has(dom);
      const matchedDow = dowSet.has(dow);
      if (!domWildcard && !dowWildcard) return matchedDom || matchedDow;
      return dowWildcard ? matchedDom : matchedDow;
    },
    minutes: hours.flatMap((h) => minutes.map((m) => h * 60 + m)).sort((a, b) => a - b),
  };
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** Month (1-12), day of month and day of week (0 = Sunday) of the days from the analysis start's day, UTC. */
const calendar: { month: number; dayOfMonth: number; dayOfWeek: number }[] = [];

function calendarDay(index: number): { month: number; dayOfMonth: number; dayOfWeek: number } {
  while (calendar.length <= index) {
    const date = new Date(Math.floor(ANALYSIS_START.getTime() / DAY_MS) * DAY_MS + calendar.length * DAY_MS);
    calendar.push({ month: date.getUTCMonth() + 1, dayOfMonth: date.getUTCDate(), dayOfWeek: date.getUTCDay() });
  }
  return calendar[index]!;
}

/**
 * The longest gap in seconds between consecutive runs of several schedules together, over
 * `horizonSeconds` from the fixed analysis start: exactly `longestGapSeconds(unionOfRuns(...))`,
 * without walking every run. For UTC schedules a day's runs depend only on which schedules run that
 * day, so each distinct set of schedules is merged once and the horizon is walked a day at a time;
 * anything else (a time zone, `L`, `#`, fewer than two runs) takes the run-by-run walk.
 */
export function longestRunGapSeconds(schedules: readonly string[], horizonSeconds: number): number {
  const valid = schedules.filter((s) => cronError(s) === undefined);
  const plans = valid.map(dayPlanOf);
  const reference = (): number => longestGapSeconds(unionOfRuns(valid, horizonSeconds));
  if (plans.length === 0 || plans.length > 30 || plans.some((p) => p === undefined)) return reference();
  const start = ANALYSIS_START.getTime();
  const end = start + horizonSeconds * 1000;
  const merged = new Map<number, { minutes: number[]; first: number; last: number; gap: number }>();
  const mergedFor = (mask: number) => {
    let found = merged.get(mask);
    if (!found) {
      const set = new Set<number>();
      plans.forEach((plan, i) => {
        if (mask & (1 << i)) for (const m of plan!.minutes) set.add(m);
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
  const firstDay = Math.floor(start / DAY_MS) * DAY_MS;
  for (let day = firstDay; day <= end; day += DAY_MS) {
    const date = calendarDay((day - firstDay) / DAY_MS);
    let mask = 0;
    plans.forEach((plan, i) => {
      if (plan!.matchesDay(date.month, date.dayOfMonth, date.dayOfWeek)) mask |= 1 << i;
    });
    if (mask === 0) continue;
    const today = mergedFor(mask);
    if (today.minutes.length === 0) continue;
    if (day > start && day + DAY_MS <= end) {
      // A whole day inside the window: its own gaps, and the gap from the last run before it.
      if (previous !== undefined) longest = Math.max(longest, day + today.first * MINUTE_MS - previous);
      if (today.minutes.length > 1) longest = Math.max(longest, today.gap);
      previous = day + today.last * MINUTE_MS;
      runs += today.minutes.length;
    } else {
      // A day at an edge of the window: runs are after the start and at most at the end.
      for (const minute of today.minutes) {
        const at = day + minute * MINUTE_MS;
        if (at <= start || at > end) continue;
        if (previous !== undefined) longest = Math.max(longest, at - previous);
        previous = at;
        runs++;
      }
    }
    plans.forEach((_, i) => {
      if (mask & (1 << i)) ran[i] = true;
    });
  }
  // Too few runs (or a schedule that never runs in the window): the reference walk decides.
  if (runs < 2 || ran.some((r) => !r)) return reference();
  return longest / 1000;
}
