/**
 * The day-at-a-time gap computation (longestRunGapSeconds) against the reference, which walks every
 * run with cron-parser: they must agree exactly, on random UTC schedules, on the tier schedules the
 * compiler emits, and on what only the reference handles (time zones, L and #).
 */
import { CronExpressionParser } from 'cron-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cronError, isTimeZone, longestGapSeconds, longestRunGapSeconds, splitCronZone, unionOfRuns } from '../../src/model/cron.ts';
import { expandTiers } from '../../src/model/tiers.ts';

const DAY = 86_400;
const reference = (schedules: readonly string[], horizon: number): number => longestGapSeconds(unionOfRuns(schedules, horizon));

/** A cron field: `*`, a value, a list, a range, or a step over either. */
function field(min: number, max: number): fc.Arbitrary<string> {
  const value = fc.integer({ min, max });
  const range = fc.tuple(value, value).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`);
  const step = fc.integer({ min: 1, max: Math.max(1, Math.floor((max - min + 1) / 2)) });
  return fc.oneof(
    fc.constant('*'),
    value.map(String),
    fc.uniqueArray(value, { minLength: 2, maxLength: 4 }).map((values) => values.sort((a, b) => a - b).join(',')),
    range,
    step.map((s) => `*/${s}`),
    fc.tuple(range, step).map(([r, s]) => `${r}/${s}`),
  );
}

/** Sparse minute and hour fields keep the reference walk short. */
const schedule = fc
  .tuple(
    fc.oneof(fc.integer({ min: 0, max: 59 }).map(String), fc.constantFrom('0,30', '*/15', '5-50/20')),
    fc.oneof(field(0, 23), fc.constant('*')),
    field(1, 31),
    fc.oneof(fc.constant('*'), field(1, 12)),
    field(0, 6),
  )
  .map((fields) => fields.join(' '));

describe('longestRunGapSeconds', () => {
  it('equals the run-by-run walk on random UTC schedules', () => {
    fc.assert(
      fc.property(fc.array(schedule, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 60 }), fc.boolean(), (schedules, days, utc) => {
        const crons = utc ? schedules.map((s) => `CRON_TZ=UTC ${s}`) : schedules;
        expect(longestRunGapSeconds(crons, days * DAY)).toBe(reference(crons, days * DAY));
      }),
      { numRuns: 150 },
    );
  });

  it('equals the run-by-run walk on the tier schedules the compiler emits', () => {
    const retentions = [
      { hourly: 24, daily: 7, weekly: 4, monthly: 12 },
      { hourly: 24, daily: 14, weekly: 8, monthly: 12, yearly: 3 },
      { hourly: 48, daily: 30 },
      { daily: 30, monthly: 12 },
      { daily: 7, weekly: 4 },
    ];
    for (const [i, retention] of retentions.entries()) {
      for (const rpo of [900, 1800, 3600, 4 * 3600, DAY]) {
        const tiers = expandTiers({ policy: `policy-${i}-${rpo}`, rpoSeconds: rpo, retention });
        const crons = tiers.map((t) => t.cron);
        const horizon = Math.min(800 * DAY, Math.max(8 * DAY, 3 * Math.max(...tiers.map((t) => t.interval.seconds))));
        const window = rpo < 3600 ? Math.min(horizon, 120 * DAY) : horizon;
        expect(longestRunGapSeconds(crons, window), crons.join(' | ')).toBe(reference(crons, window));
      }
    }
  });

  it('leaves time zones, L and # to the reference walk, with the same answer', () => {
    const cases = [
      ['CRON_TZ=Europe/Berlin 30 2 * * *'],
      ['CRON_TZ=America/New_York 0 */6 * * *', 'CRON_TZ=America/New_York 0 3 * * 0'],
      ['0 4 L * *'],
      ['0 4 * * 5#3', '0 4 1 * *'],
      ['0 0 29 2 *'],
      ['not a cron'],
    ];
    for (const crons of cases) {
      expect(longestRunGapSeconds(crons, 400 * DAY), crons.join(' | ')).toBe(reference(crons, 400 * DAY));
    }
  });
});

/** cronError as it was before plain expressions were read without cron-parser: cron-parser decides. */
function referenceCronError(schedule: string): string | undefined {
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

describe('cronError', () => {
  /** Plain tokens and the near misses that must go to cron-parser: names, ?, L, #, a/s, 07, out of range, reversed. */
  const token = fc.oneof(
    fc.integer({ min: 0, max: 61 }).map(String),
    fc.constantFrom('*', '*/5', '*/0', '*/90', '1-5', '5-1', '0-59/15', '07', '5/10', '?', 'L', '5L', '1#2', 'MON', 'JAN', 'MON-FRI', '7', '0-7', '', '1,2', '1,,2'),
    fc.constantFrom('29', '30', '31', '30-31', '2', '4', '2,4', '4-4/1', '31-31'),
  );
  it('GIVEN random expressions WHEN checked THEN the same verdict and message as cron-parser alone', () => {
    fc.assert(
      fc.property(fc.array(token, { minLength: 5, maxLength: 5 }), fc.constantFrom('', 'CRON_TZ=UTC ', 'CRON_TZ=Europe/Berlin '), (fields, zone) => {
        const schedule = `${zone}${fields.join(' ')}`;
        expect(cronError(schedule), schedule).toBe(referenceCronError(schedule));
      }),
      { numRuns: 2000 },
    );
  });
});
