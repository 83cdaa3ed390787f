/**
 * Velero's reading of a Schedule's cron: github.com/robfig/cron/v3 v3.0.1, `ParseStandard` (five
 * fields or a descriptor such as `@daily` or `@every 1h30m`, with an optional `CRON_TZ=` or `TZ=`
 * prefix), and `SpecSchedule.Next`, which Velero calls with the time of the last backup. Written
 * after robfig's parser.go, spec.go and constantdelay.go and Go's time.Date, AddDate and
 * LoadLocation, so that what passes here is what Velero accepts and runs happen when Velero runs
 * them, daylight saving time included (test/foundation/velero-cron.test.ts checks both against
 * vectors made with the library itself).
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A time zone as Go's time package uses it: the offset from UTC in effect at an instant. */
export interface Zone {
  readonly name: string;
  /** Milliseconds to add to an instant to get its wall-clock time. */
  offsetAt(ms: number): number;
  /** Instants in [from, to) at which the offset changes. */
  transitions(from: number, to: number): number[];
}

const UTC: Zone = { name: 'UTC', offsetAt: () => 0, transitions: () => [] };

/**
 * A zone of the IANA database, read through Intl (the same tzdata Go reads). Offsets are cached per
 * UTC day; a day whose offset at its start and end differ holds one transition, found to the second.
 */
class IanaZone implements Zone {
  private readonly format: Intl.DateTimeFormat;
  private readonly startOffsets = new Map<number, number>();
  private readonly dayTransitions = new Map<number, number | undefined>();

  constructor(readonly name: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  offsetAt(ms: number): number {
    const day = Math.floor(ms / DAY);
    const transition = this.transitionOn(day);
    return transition !== undefined && ms >= transition ? this.offsetAtDayStart(day + 1) : this.offsetAtDayStart(day);
  }

  transitions(from: number, to: number): number[] {
    const found: number[] = [];
    for (let day = Math.floor(from / DAY); day * DAY < to; day++) {
      const at = this.transitionOn(day);
      if (at !== undefined && at >= from && at < to) found.push(at);
    }
    return found;
  }

  private offsetAtDayStart(day: number): number {
    let offset = this.startOffsets.get(day);
    if (offset === undefined) {
      offset = this.intlOffset(day * DAY);
      this.startOffsets.set(day, offset);
    }
    return offset;
  }

  /** The instant the offset changes within UTC day `day`, if it does (at most once a day). */
  private transitionOn(day: number): number | undefined {
    if (this.dayTransitions.has(day)) return this.dayTransitions.get(day);
    const before = this.offsetAtDayStart(day);
    let found: number | undefined;
    if (this.offsetAtDayStart(day + 1) !== before) {
      let low = day * DAY;
      let high = low + DAY;
      while (high - low > SECOND) {
        const middle = low + Math.floor((high - low) / 2 / SECOND) * SECOND;
        if (this.intlOffset(middle) === before) low = middle;
        else high = middle;
      }
      found = high;
    }
    this.dayTransitions.set(day, found);
    return found;
  }

  private intlOffset(ms: number): number {
    const parts: Record<string, number> = {};
    for (const part of this.format.formatToParts(new Date(ms))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
    const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
    return Date.UTC(year, month - 1, day, hour, minute, second) - Math.floor(ms / SECOND) * SECOND;
  }
}

const zones = new Map<string, Zone>();
let knownSpellings: Map<string, string> | undefined;

/**
 * Go's time.LoadLocation as Velero's server runs it: "" and "UTC" are UTC, "Local" is the
 * server's zone (UTC in Velero's image), anything else a file of the IANA database, looked up by
 * its exact name (so `europe/berlin` is unknown). Names Intl does not know, names with `..` or a
 * leading `/`, and names spelt in another case than the database's are refused.
 */
export function loadLocation(name: string): { zone: Zone } | { error: string } {
  if (name === '' || name === 'UTC' || name === 'Local') return { zone: UTC };
  if (name.includes('..') || name.startsWith('/') || name.startsWith('\\')) return { error: 'time: invalid location name' };
  const cached = zones.get(name);
  if (cached) return { zone: cached };
  const unknown = { error: `unknown time zone ${name}` };
  // Every name of the database starts each of its parts with a capital letter (America/Port-au-Prince, Etc/GMT+5).
  if (!/^[A-Z][A-Za-z0-9_+-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/.test(name)) return unknown;
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return unknown;
  }
  knownSpellings ??= new Map(Intl.supportedValuesOf('timeZone').map((zone) => [zone.toLowerCase(), zone]));
  const spelt = knownSpellings.get(name.toLowerCase()) ?? (canonical.toLowerCase() === name.toLowerCase() ? canonical : name);
  if (spelt !== name) return unknown;
  const zone = new IanaZone(name);
  zones.set(name, zone);
  return { zone };
}

/** The spelling of a zone name that Go would find, when `name` differs from it only in case. */
export function zoneSpelling(name: string): string | undefined {
  try {
    const canonical = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    knownSpellings ??= new Map(Intl.supportedValuesOf('timeZone').map((zone) => [zone.toLowerCase(), zone]));
    const spelt = knownSpellings.get(name.toLowerCase()) ?? (canonical.toLowerCase() === name.toLowerCase() ? canonical : undefined);
    return spelt !== name ? spelt : undefined;
  } catch {
    return undefined;
  }
}

/** A parsed Velero schedule: robfig's SpecSchedule (bit sets per field) or ConstantDelaySchedule (`@every`). */
export type VeleroSchedule =
  | {
      readonly kind: 'spec';
      readonly zone: Zone;
      readonly second: readonly boolean[];
      readonly minute: readonly boolean[];
      readonly hour: readonly boolean[];
      readonly dom: readonly boolean[];
      readonly month: readonly boolean[];
      readonly dow: readonly boolean[];
      /** Whether the day-of-month or day-of-week field was `*` or `?` (robfig's star bit): then both must match, else either. */
      readonly domStar: boolean;
      readonly dowStar: boolean;
    }
  | { readonly kind: 'every'; readonly zone: Zone; readonly delayMs: number };

interface Bounds {
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const SECONDS: Bounds = { min: 0, max: 59 };
const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = { min: 1, max: 12, names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 } };
const DOW: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

/** A field's values and its star bit. */
interface Bits {
  readonly set: boolean[];
  star: boolean;
}

class ParseError extends Error {}

/** Go's strings.Fields: split at Unicode white space, no empty fields. */
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** robfig's cron.ParseStandard, with Velero's handling of a panic (an invalid schedule, not a crash). */
export function parseVeleroSchedule(spec: string): { schedule: VeleroSchedule } | { error: string } {
  try {
    return { schedule: parseStandard(spec) };
  } catch (error) {
    if (error instanceof ParseError) return { error: error.message };
    throw error;
  }
}

function parseStandard(input: string): VeleroSchedule {
  let spec = input;
  if (spec.length === 0) throw new ParseError('empty spec string');
  let zone = UTC;
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const space = spec.indexOf(' ');
    // robfig slices spec[eq+1:-1] and panics; Velero reports the panic as an invalid schedule.
    if (space < 0) throw new ParseError('invalid schedule: runtime error: slice bounds out of range [:-1]');
    const name = spec.slice(spec.indexOf('=') + 1, space);
    const location = loadLocation(name);
    if ('error' in location) throw new ParseError(`provided bad location ${name}: ${location.error}`);
    zone = location.zone;
    spec = spec.slice(space).replace(/^[\s\u0085\u00a0]+|[\s\u0085\u00a0]+$/g, '');
  }
  if (spec.startsWith('@')) return parseDescriptor(spec, zone);
  const fields = spec.split(GO_SPACE).filter((field) => field !== '');
  if (fields.length !== 5) throw new ParseError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const [minute, hour, dom, month, dow] = [fieldBits(fields[0]!, MINUTES), fieldBits(fields[1]!, HOURS), fieldBits(fields[2]!, DOM), fieldBits(fields[3]!, MONTHS), fieldBits(fields[4]!, DOW)];
  return { kind: 'spec', zone, second: only(0, SECONDS), minute: minute.set, hour: hour.set, dom: dom.set, month: month.set, dow: dow.set, domStar: dom.star, dowStar: dow.star };
}

function only(value: number, bounds: Bounds): boolean[] {
  const set = new Array<boolean>(bounds.max + 1).fill(false);
  set[value] = true;
  return set;
}

function all(bounds: Bounds): boolean[] {
  return Array.from({ length: bounds.max + 1 }, (_, i) => i >= bounds.min);
}

function parseDescriptor(descriptor: string, zone: Zone): VeleroSchedule {
  const spec = (minute: boolean[], hour: boolean[], dom: boolean[], month: boolean[], dow: boolean[], domStar: boolean, dowStar: boolean): VeleroSchedule => ({
    kind: 'spec',
    zone,
    second: only(0, SECONDS),
    minute,
    hour,
    dom,
    month,
    dow,
    domStar,
    dowStar,
  });
  switch (descriptor) {
    case '@yearly':
    case '@annually':
      return spec(only(0, MINUTES), only(0, HOURS), only(1, DOM), only(1, MONTHS), all(DOW), false, true);
    case '@monthly':
      return spec(only(0, MINUTES), only(0, HOURS), only(1, DOM), all(MONTHS), all(DOW), false, true);
    case '@weekly':
      return spec(only(0, MINUTES), only(0, HOURS), all(DOM), all(MONTHS), only(0, DOW), true, false);
    case '@daily':
    case '@midnight':
      return spec(only(0, MINUTES), only(0, HOURS), all(DOM), all(MONTHS), all(DOW), true, true);
    case '@hourly':
      return spec(only(0, MINUTES), all(HOURS), all(DOM), all(MONTHS), all(DOW), true, true);
  }
  if (descriptor.startsWith('@every ')) {
    const nanoseconds = goDuration(descriptor.slice('@every '.length));
    if (typeof nanoseconds === 'string') throw new ParseError(`failed to parse duration ${descriptor}: ${nanoseconds}`);
    // Every(): at least a second, whole seconds.
    const seconds = nanoseconds < 1_000_000_000n ? 1n : nanoseconds / 1_000_000_000n;
    return { kind: 'every', zone, delayMs: Number(seconds) * SECOND };
  }
  throw new ParseError(`unrecognized descriptor: ${descriptor}`);
}

const DURATION_UNITS: Readonly<Record<string, bigint>> = { ns: 1n, us: 1000n, 'µs': 1000n, 'μs': 1000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };
const MAX_DURATION = 2n ** 63n - 1n;

/** Go's time.ParseDuration in nanoseconds (`1h30m`, `1.5h`, `-2m`, `300ms`), or Go's error message. */
function goDuration(text: string): bigint | string {
  const invalid = `time: invalid duration ${JSON.stringify(text)}`;
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return invalid;
  let total = 0n;
  while (s !== '') {
    const match = /^(\d*)(?:\.(\d*))?([^\d.]*)/.exec(s);
    if (!match || (match[1] === '' && (match[2] === undefined || match[2] === ''))) return invalid;
    const [whole, integer = '', fraction = '', unitName = ''] = match;
    if (unitName === '') return `time: missing unit in duration ${JSON.stringify(text)}`;
    const unit = DURATION_UNITS[unitName];
    if (unit === undefined) return `time: unknown unit ${JSON.stringify(unitName)} in duration ${JSON.stringify(text)}`;
    const scale = 10n ** BigInt(fraction.length);
    total += BigInt(integer || '0') * unit + (BigInt(fraction || '0') * unit) / scale;
    if (total > MAX_DURATION) return invalid;
    s = s.slice(whole.length);
  }
  return negative ? -total : total;
}

/** robfig's getField: a comma-separated list of ranges (empty items skipped, as strings.FieldsFunc does). */
function fieldBits(field: string, bounds: Bounds): Bits {
  const bits: Bits = { set: new Array<boolean>(bounds.max + 1).fill(false), star: false };
  for (const expression of field.split(',').filter((item) => item !== '')) rangeBits(expression, bounds, bits);
  return bits;
}

/** robfig's getRange: `*`, `?`, `n`, `a-b`, each optionally `/step`; `n/step` means n to the maximum. */
function rangeBits(expression: string, bounds: Bounds, bits: Bits): void {
  const rangeAndStep = expression.split('/');
  const lowAndHigh = (rangeAndStep[0] ?? '').split('-');
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = bounds.min;
    end = bounds.max;
    star = true;
  } else {
    start = intOrName(lowAndHigh[0] ?? '', bounds.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = intOrName(lowAndHigh[1] ?? '', bounds.names);
    else throw new ParseError(`too many hyphens: ${expression}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = goInt(rangeAndStep[1] ?? '');
    if (lowAndHigh.length === 1) end = bounds.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new ParseError(`too many slashes: ${expression}`);
  }
  if (start < bounds.min) throw new ParseError(`beginning of range (${start}) below minimum (${bounds.min}): ${expression}`);
  if (end > bounds.max) throw new ParseError(`end of range (${end}) above maximum (${bounds.max}): ${expression}`);
  if (start > end) throw new ParseError(`beginning of range (${start}) beyond end of range (${end}): ${expression}`);
  if (step === 0) throw new ParseError(`step of range should be a positive number: ${expression}`);
  for (let value = start; value <= end; value += step) bits.set[value] = true;
  if (star) bits.star = true;
}

function intOrName(expression: string, names: Bounds['names']): number {
  const named = names?.[expression.toLowerCase()];
  return named ?? goInt(expression);
}

/** robfig's mustParseInt: Go's strconv.Atoi (optional sign, decimal digits), then no negative numbers. */
function goInt(expression: string): number {
  if (!/^[+-]?\d+$/.test(expression)) throw new ParseError(`failed to parse int from ${expression}: strconv.Atoi: parsing ${JSON.stringify(expression)}: invalid syntax`);
  const value = BigInt(expression);
  if (value > MAX_DURATION || value < -MAX_DURATION - 1n) throw new ParseError(`failed to parse int from ${expression}: strconv.Atoi: parsing ${JSON.stringify(expression)}: value out of range`);
  if (value < 0n) throw new ParseError(`negative number (${value}) not allowed: ${expression}`);
  // Anything above 2^53 is far above every field's maximum, and reported as such.
  return Number(value);
}

/** The wall-clock fields of an instant in a zone, as Go's Time methods give them. */
interface Clock {
  readonly year: number;
  /** 1 to 12. */
  readonly month: number;
  readonly day: number;
  /** 0 (Sunday) to 6. */
  readonly weekday: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

function clockOf(ms: number, zone: Zone): Clock {
  const local = ms + zone.offsetAt(ms);
  const days = Math.floor(local / DAY);
  const ofDay = local - days * DAY;
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return {
    year: yoe + era * 400 + (month <= 2 ? 1 : 0),
    month,
    day,
    weekday: (((days + 4) % 7) + 7) % 7,
    hour: Math.floor(ofDay / HOUR),
    minute: Math.floor((ofDay % HOUR) / MINUTE),
    second: Math.floor((ofDay % MINUTE) / SECOND),
  };
}

/**
 * Go's time.Date in a zone: the fields normalised (month 13 is January of the next year), then the
 * offset looked up as Go does, first at the wall-clock time read as UTC, then at the instant that
 * gives. So a time that does not exist (skipped when clocks go forward) and one that exists twice
 * (when they go back) land where Go puts them.
 */
function goDate(zone: Zone, year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  const guess = zone.offsetAt(local);
  if (guess === 0) return local;
  return local - zone.offsetAt(local - guess);
}

/**
 * robfig's SpecSchedule.Next (or ConstantDelaySchedule.Next): the first run after `ms`, or
 * undefined when there is none within five years. Velero computes each run from the last backup,
 * so the runs of a Schedule are next(start), next(next(start)), and so on.
 */
export function nextRun(schedule: VeleroSchedule, ms: number): number | undefined {
  if (schedule.kind === 'every') return Math.floor(ms / SECOND) * SECOND + schedule.delayMs;
  const { zone } = schedule;
  let t = Math.floor(ms / SECOND) * SECOND + SECOND;
  let added = false;
  const yearLimit = clockOf(t, zone).year + 5;
  wrap: for (;;) {
    let c = clockOf(t, zone);
    if (c.year > yearLimit) return undefined;
    while (!schedule.month[c.month]) {
      if (!added) {
        added = true;
        t = goDate(zone, c.year, c.month, 1, 0, 0, 0);
        c = clockOf(t, zone);
      }
      t = goDate(zone, c.year, c.month + 1, c.day, c.hour, c.minute, c.second);
      c = clockOf(t, zone);
      if (c.month === 1) continue wrap;
    }
    while (!dayMatches(schedule, c)) {
      if (!added) {
        added = true;
        t = goDate(zone, c.year, c.month, c.day, 0, 0, 0);
        c = clockOf(t, zone);
      }
      t = goDate(zone, c.year, c.month, c.day + 1, c.hour, c.minute, c.second);
      c = clockOf(t, zone);
      // Midnight may not exist on a day clocks change: robfig moves to the nearest midnight.
      if (c.hour !== 0) {
        t += (c.hour > 12 ? 24 - c.hour : -c.hour) * HOUR;
        c = clockOf(t, zone);
      }
      if (c.day === 1) continue wrap;
    }
    while (!schedule.hour[c.hour]) {
      if (!added) {
        added = true;
        t = goDate(zone, c.year, c.month, c.day, c.hour, 0, 0);
      }
      t += HOUR;
      c = clockOf(t, zone);
      if (c.hour === 0) continue wrap;
    }
    while (!schedule.minute[c.minute]) {
      if (!added) {
        added = true;
        t = Math.floor(t / MINUTE) * MINUTE;
        c = clockOf(t, zone);
      }
      // One minute at a time, as robfig steps, but in one jump while the offset stays the same.
      let next = c.minute + 1;
      while (next < 60 && !schedule.minute[next]) next++;
      const target = t + (next - c.minute) * MINUTE;
      t = zone.offsetAt(target) === zone.offsetAt(t) ? target : t + MINUTE;
      c = clockOf(t, zone);
      if (c.minute === 0) continue wrap;
    }
    while (!schedule.second[c.second]) {
      if (!added) {
        added = true;
        t = Math.floor(t / SECOND) * SECOND;
        c = clockOf(t, zone);
      }
      let next = c.second + 1;
      while (next < 60 && !schedule.second[next]) next++;
      const target = t + (next - c.second) * SECOND;
      t = zone.offsetAt(target) === zone.offsetAt(t) ? target : t + SECOND;
      c = clockOf(t, zone);
      if (c.second === 0) continue wrap;
    }
    return t;
  }
}

function dayMatches(schedule: Extract<VeleroSchedule, { kind: 'spec' }>, c: Clock): boolean {
  const domMatch = schedule.dom[c.day] === true;
  const dowMatch = schedule.dow[c.weekday] === true;
  return schedule.domStar || schedule.dowStar ? domMatch && dowMatch : domMatch || dowMatch;
}
