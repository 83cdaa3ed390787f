/**
 * The day-at-a-time run computation (runsOfSchedule, which the simulation of src/model/simulation.ts
 * reads) against the reference, which walks every run as Velero makes them, each computed from the last (src/model/velero-cron.ts, checked against
 * robfig/cron itself in test/foundation/velero-cron.test.ts): they must agree exactly, on random
 * schedules without a zone, in UTC and in zones whose clocks change, on the tier schedules the
 * compiler emits, and on what only the reference handles (`@every`, schedules in two zones).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { longestGapSeconds, runsOfSchedule, unionOfRuns } from '../../src/model/cron.ts';
import { longestGap, simulateRuns } from '../../src/model/simulation.ts';
import { expandTiers } from '../../src/model/tiers.ts';

const DAY = 86_400;
const reference = (schedules: readonly string[], horizon: number): number => longestGapSeconds(unionOfRuns(schedules, horizon));
const longestRunGapSeconds = (schedules: readonly string[], horizon: number): number => longestGap(simulateRuns(schedules, { horizonSeconds: horizon }));

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

/** No zone, UTC, an hour at 02:00 or 03:00 local, at midnight, half an hour, and an offset with minutes. */
const ZONES = ['', 'CRON_TZ=UTC ', 'CRON_TZ=Europe/Berlin ', 'CRON_TZ=America/New_York ', 'CRON_TZ=America/Havana ', 'CRON_TZ=Australia/Lord_Howe ', 'CRON_TZ=Asia/Kathmandu '];

describe('runsOfSchedule, and the longest gap of the simulation', () => {
  it('lists exactly the runs of the run-by-run walk, schedule by schedule, on random schedules and zones', () => {
    fc.assert(
      fc.property(schedule, fc.integer({ min: 1, max: 400 }), fc.constantFrom(...ZONES), (expression, days, zone) => {
        const cron = `${zone}${expression}`;
        expect(runsOfSchedule(cron, days * DAY), cron).toEqual(unionOfRuns([cron], days * DAY));
      }),
      { numRuns: 100 },
    );
  });

  it('equals the run-by-run walk on random schedules, without a zone, in UTC and in zones whose clocks change', () => {
    fc.assert(
      fc.property(fc.array(schedule, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 400 }), fc.constantFrom(...ZONES), (schedules, days, zone) => {
        const crons = schedules.map((s) => `${zone}${s}`);
        expect(longestRunGapSeconds(crons, days * DAY), crons.join(' | ')).toBe(reference(crons, days * DAY));
      }),
      { numRuns: 150 },
    );
  });

  it('equals the run-by-run walk on the tier schedules the compiler emits, in UTC and in Europe/Berlin', () => {
    const retentions = [
      { hourly: 24, daily: 7, weekly: 4, monthly: 12 },
      { hourly: 24, daily: 14, weekly: 8, monthly: 12, yearly: 3 },
      { hourly: 48, daily: 30 },
      { daily: 30, monthly: 12 },
      { daily: 7, weekly: 4 },
    ];
    for (const [i, retention] of retentions.entries()) {
      for (const rpo of [900, 1800, 3600, 4 * 3600, DAY]) {
        for (const timeZone of [undefined, 'Europe/Berlin']) {
          const tiers = expandTiers({ policy: `policy-${i}-${rpo}`, rpoSeconds: rpo, retention, timeZone });
          const crons = tiers.map((t) => t.cron);
          const horizon = Math.min(800 * DAY, Math.max(400 * DAY, 3 * Math.max(...tiers.map((t) => t.interval.seconds))));
          const window = rpo < 3600 ? Math.min(horizon, 120 * DAY) : horizon;
          expect(longestRunGapSeconds(crons, window), crons.join(' | ')).toBe(reference(crons, window));
        }
      }
    }
  });

  it('leaves @every and schedules in two zones to the reference walk, and agrees with it on the rest', () => {
    const cases = [
      ['CRON_TZ=Europe/Berlin 30 2 * * *'],
      ['CRON_TZ=America/New_York 0 */6 * * *', 'CRON_TZ=America/New_York 0 3 * * 0'],
      ['CRON_TZ=Australia/Lord_Howe 0 0 * * 0', 'CRON_TZ=Australia/Lord_Howe 0 0 1 * *'],
      ['@every 7h', '0 4 * * *'],
      ['CRON_TZ=Europe/Berlin 0 4 * * *', '0 4 * * *'],
      ['0 4 L * *'],
      ['0 0 29 2 *'],
      ['not a cron'],
    ];
    for (const crons of cases) {
      expect(longestRunGapSeconds(crons, 400 * DAY), crons.join(' | ')).toBe(reference(crons, 400 * DAY));
    }
  });
});
