/**
 * The one simulation of a policy's Schedules that the compiler, RPO001, the retention checks and
 * `diff` read: the Backups Velero's schedule controller (v1.18.1, pkg/controller/schedule_controller.go)
 * creates over a horizon, and the restore points they leave.
 *
 * - Runs are robfig/cron v3's `Next` from the last backup (src/model/velero-cron.ts, `CRON_TZ`
 *   daylight saving time included: a time skipped when the clocks go forward does not run that day,
 *   one in the repeated hour can run twice).
 * - A Schedule whose previous Backup is still New or InProgress does not create one
 *   (`checkIfBackupInNewOrProgress`); the run stays due, so the controller, which reconciles every
 *   minute, creates it once the previous one ends, and computes the next run from that moment
 *   (`LastBackup` is the time of creation). Missed runs are not caught up.
 * - A backup lives from its run for its Schedule's TTL.
 */
import { ANALYSIS_START_MS, mergeRuns, runsOfSchedule } from './cron.ts';

const DAY = 86_400;

/** How long the simulation runs for schedules with these longest intervals (seconds): at least 400 days, to meet every month and both changes of the clocks. */
export function simulationHorizonSeconds(intervalsSeconds: readonly number[]): number {
  return Math.min(800 * DAY, Math.max(400 * DAY, 3 * Math.max(0, ...intervalsSeconds)));
}

/** Options of a simulation. */
export interface SimulationOptions {
  readonly horizonSeconds: number;
  /** How long each backup takes, in seconds. @default 0 (a backup ends before the next run) */
  readonly backupSeconds?: number;
}

/**
 * The Backups each schedule creates, in milliseconds since the epoch, sorted, one list per
 * schedule in the order given (a schedule Velero refuses creates none).
 */
export function simulateRuns(crons: readonly string[], options: SimulationOptions): (readonly number[])[] {
  const runs = crons.map((cron) => runsOfSchedule(cron, options.horizonSeconds));
  const backupMs = (options.backupSeconds ?? 0) * 1000;
  if (backupMs <= 0) return runs;
  const end = ANALYSIS_START_MS + options.horizonSeconds * 1000;
  return runs.map((list) => delayedWhileInProgress(list, backupMs).filter((at) => at <= end));
}

/**
 * One Schedule's runs when each backup takes `backupMs`: a run that falls due while the previous
 * backup is in progress waits for it to end, and the next run is computed from that moment. The
 * run after a moment `at` is the first of `due` after it, so `due` must be the Schedule's runs
 * computed without delay (each from the last, as `runsOfSchedule` lists them).
 */
export function delayedWhileInProgress(due: readonly number[], backupMs: number): number[] {
  const out: number[] = [];
  let i = 0;
  let last = Number.NEGATIVE_INFINITY;
  while (i < due.length) {
    const at = Math.max(due[i]!, last + backupMs);
    out.push(at);
    last = at;
    while (i < due.length && due[i]! <= at) i++;
  }
  return out;
}

/**
 * Longest time in seconds between two backups of the schedules together (Infinity with fewer than
 * two). The merged runs are never built: the finest tier alone has tens of thousands of runs per
 * policy, so the coarser tiers' few runs are merged first and then walked beside it.
 */
export function longestGap(runs: readonly (readonly number[])[]): number {
  let finest: readonly number[] = [];
  for (const list of runs) if (list.length > finest.length) finest = list;
  const others = mergeRuns(runs.filter((list) => list !== finest));
  let longest = 0;
  let previous = Number.NaN;
  let count = 0;
  for (let i = 0, j = 0; i < finest.length || j < others.length; ) {
    const a = i < finest.length ? finest[i]! : Number.POSITIVE_INFINITY;
    const b = j < others.length ? others[j]! : Number.POSITIVE_INFINITY;
    const at = Math.min(a, b);
    if (a === at) i++;
    if (b === at) j++;
    if (count > 0 && at === previous) continue;
    if (count > 0) longest = Math.max(longest, at - previous);
    previous = at;
    count++;
  }
  return count < 2 ? Number.POSITIVE_INFINITY : longest / 1000;
}

/** Two schedules creating a backup in the same minute: their indices, the first such minute, and how many there are. */
export interface SameMinute {
  readonly first: number;
  readonly second: number;
  readonly at: number;
  readonly count: number;
}

/** Every pair of schedules that creates backups in the same minute, in order of the schedules. */
export function sameMinuteRuns(runs: readonly (readonly number[])[]): SameMinute[] {
  const found: SameMinute[] = [];
  for (let a = 0; a < runs.length; a++) {
    for (let b = a + 1; b < runs.length; b++) {
      const met = meetings(runs[a]!, runs[b]!);
      if (met) found.push({ first: a, second: b, ...met });
    }
  }
  return found;
}

const minuteOf = (at: number): number => Math.floor(at / 60_000);

/**
 * Where two sorted lists of runs meet: the first run of `second` in a minute both run in, and how
 * many runs pair up (within one minute, as many as the list with fewer runs in it has).
 */
function meetings(first: readonly number[], second: readonly number[]): { at: number; count: number } | undefined {
  const [short, long] = first.length <= second.length ? [first, second] : [second, first];
  // A yearly tier beside a 15-minute one: look each of the few runs up instead of walking both.
  if (short.length * 2 * Math.log2(long.length + 2) < long.length) return meetingsLookedUp(short, long, short === second);
  let at: number | undefined;
  let count = 0;
  // Both lists are sorted: one walk through them.
  for (let i = 0, j = 0; i < first.length && j < second.length; ) {
    const x = minuteOf(first[i]!);
    const y = minuteOf(second[j]!);
    if (x < y) i++;
    else if (y < x) j++;
    else {
      at ??= second[j];
      count++;
      i++;
      j++;
    }
  }
  return at === undefined ? undefined : { at, count };
}

/** `meetings` by looking up each minute of the shorter list in the longer one (binary search from the last place found). */
function meetingsLookedUp(short: readonly number[], long: readonly number[], shortIsSecond: boolean): { at: number; count: number } | undefined {
  let at: number | undefined;
  let count = 0;
  let from = 0;
  for (let i = 0; i < short.length; ) {
    const minute = minuteOf(short[i]!);
    const groupStart = i;
    while (i < short.length && minuteOf(short[i]!) === minute) i++;
    // The first run of the longer list at or after the minute's start.
    let low = from;
    let high = long.length;
    const startOfMinute = minute * 60_000;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (long[middle]! < startOfMinute) low = middle + 1;
      else high = middle;
    }
    let end = low;
    while (end < long.length && minuteOf(long[end]!) === minute) end++;
    from = end;
    if (end === low) continue;
    at ??= shortIsSecond ? short[groupStart]! : long[low]!;
    count += Math.min(i - groupStart, end - low);
  }
  return at === undefined ? undefined : { at, count };
}

/** A retention tier as the restore-point analysis sees it. */
export interface CountedTier {
  /** Restore points the tier promises. */
  readonly keep: number;
  /** How long its backups live, in seconds. */
  readonly ttlSeconds: number;
  /**
   * Indices (in the same list) of the coarser tiers whose runs stand in for this tier's: this
   * tier skips the moments they run at, so their backups count among its restore points.
   */
  readonly standIns: readonly number[];
  /** False when the tier's count is measured in time, not runs (a base tier running more often than its period, or a schedule override). */
  readonly countsRuns: boolean;
}

/** Restore points in time order, as two columns: when each was taken and which tier took it. */
interface Points {
  readonly at: Float64Array;
  readonly owner: Int32Array;
}

/**
 * A tier's runs and those of the tiers standing in for it, in time order (a tie by tier index):
 * each tier's runs are sorted already, so they are merged, into columns rather than an object per
 * point (a 15-minute tier has 77,000 runs over the longest horizon).
 */
function restorePointsOf(index: number, tiers: readonly CountedTier[], runs: readonly (readonly number[])[]): Points {
  const owners = [index, ...tiers[index]!.standIns];
  const lists = owners.map((owner) => runs[owner] ?? []);
  const heads = owners.map(() => 0);
  const total = lists.reduce((sum, list) => sum + list.length, 0);
  const at = new Float64Array(total);
  const owner = new Int32Array(total);
  for (let n = 0; n < total; n++) {
    let pick = -1;
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < lists.length; i++) {
      const list = lists[i]!;
      const head = heads[i]!;
      if (head >= list.length) continue;
      const value = list[head]!;
      if (pick < 0 || value < best || (value === best && owners[i]! < owners[pick]!)) {
        pick = i;
        best = value;
      }
    }
    at[n] = best;
    owner[n] = owners[pick]!;
    heads[pick]!++;
  }
  return { at, owner };
}

/**
 * The TTL, in seconds, each tier's backups need so that every tier counting runs always holds its
 * `keep` newest restore points (its own and its stand-ins'), with `marginSeconds` for the next one
 * to be taken: a backup must live until `keep` more restore points of every tier it counts for
 * have been taken. 0 where the simulation sets no bound (too few runs within the horizon).
 */
export function ttlsKeepingCounts(tiers: readonly CountedTier[], runs: readonly (readonly number[])[], marginSeconds: number): number[] {
  const needed = tiers.map(() => 0);
  tiers.forEach((tier, index) => {
    if (!tier.countsRuns || tier.keep <= 0) return;
    const { at, owner } = restorePointsOf(index, tiers, runs);
    for (let i = 0; i + tier.keep < at.length; i++) {
      const seconds = (at[i + tier.keep]! - at[i]!) / 1000 + marginSeconds;
      needed[owner[i]!] = Math.max(needed[owner[i]!]!, seconds);
    }
  });
  return needed;
}

/**
 * The fewest restore points each tier holds at any moment of the simulation: among its `keep`
 * newest runs (its own and its stand-ins'), those whose backup has not expired. `keep` when the
 * TTLs hold the count; undefined for a tier counting time rather than runs, or when the horizon
 * holds no moment after `keep` runs.
 */
export function fewestRestorePoints(tiers: readonly CountedTier[], runs: readonly (readonly number[])[], horizonEnd: number): (number | undefined)[] {
  return tiers.map((tier, index) => {
    if (!tier.countsRuns || tier.keep <= 0) return undefined;
    const points = restorePointsOf(index, tiers, runs);
    const expiry = points.at.map((at, i) => at + tiers[points.owner[i]!]!.ttlSeconds * 1000);
    let fewest: number | undefined;
    // The count only drops when a backup expires: look just after each expiry.
    for (let i = 0; i < expiry.length; i++) {
      const t = expiry[i]!;
      if (t > horizonEnd) continue;
      const newest = lastAtOrBefore(points.at, t);
      if (newest + 1 < tier.keep) continue;
      let alive = 0;
      for (let j = newest - tier.keep + 1; j <= newest; j++) if (expiry[j]! > t) alive++;
      fewest = Math.min(fewest ?? tier.keep, alive);
    }
    return fewest;
  });
}

/** Index of the last point taken at or before `t` (points sorted by time; -1 when none). */
function lastAtOrBefore(at: Float64Array, t: number): number {
  let low = -1;
  let high = at.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high + 1) / 2);
    if (at[middle]! <= t) low = middle;
    else high = middle - 1;
  }
  return low;
}
