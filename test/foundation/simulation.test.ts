import { describe, expect, it } from 'vitest';
import { delayedWhileInProgress, fewestRestorePoints, sameMinuteRuns, simulateRuns, ttlsKeepingCounts } from '../../src/model/simulation.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const hours = (...values: number[]): number[] => values.map((h) => h * HOUR_MS);

describe('simulation: a run is delayed while a backup of the same Schedule is in progress', () => {
  it('GIVEN hourly runs and backups taking 90 minutes WHEN simulated THEN each run waits for the previous backup and the next is computed from that moment', () => {
    // Due at 0h, 1h, 2h, ...: the 1h run waits until 1h30 (the 0h backup ends), the next due after 1h30 is 2h,
    // which waits until 3h; the next after 3h is 4h, which waits until 4h30, and so on.
    expect(delayedWhileInProgress(hours(0, 1, 2, 3, 4, 5, 6), 90 * MINUTE_MS)).toEqual(hours(0, 1.5, 3, 4.5, 6));
  });

  it('GIVEN backups shorter than the interval WHEN simulated THEN every run is on time', () => {
    expect(delayedWhileInProgress(hours(0, 1, 2), 59 * MINUTE_MS)).toEqual(hours(0, 1, 2));
  });

  it('GIVEN a 15-minute schedule whose backups take 40 minutes WHEN simulated over a day THEN each starts when the previous one ends, 40 minutes apart, not 15', () => {
    const [runs = []] = simulateRuns(['*/15 * * * *'], { horizonSeconds: 86_400, backupSeconds: 40 * 60 });
    const gaps = new Set(runs.slice(1).map((at, i) => (at - (runs[i] ?? at)) / MINUTE_MS));
    expect(gaps).toEqual(new Set([40]));
  });
});

describe('simulation: runs in the same minute', () => {
  it('GIVEN a daily and an hourly schedule at minute 7 WHEN simulated for two days THEN they meet once a day, first at 03:07', () => {
    const runs = simulateRuns(['7 * * * *', '7 3 * * *'], { horizonSeconds: 2 * 86_400 });
    expect(sameMinuteRuns(runs)).toEqual([{ first: 0, second: 1, at: Date.parse('2026-01-05T03:07:00Z'), count: 2 }]);
  });

  it('GIVEN schedules that never meet WHEN simulated THEN nothing is reported', () => {
    expect(sameMinuteRuns(simulateRuns(['7 0-2,4-23 * * *', '7 3 * * *'], { horizonSeconds: 30 * 86_400 }))).toEqual([]);
  });
});

describe('simulation: restore points', () => {
  // A daily tier of 3 (runs every day but Sunday) and a weekly tier standing in on Sundays.
  const runs = [
    Array.from({ length: 28 }, (_, i) => i * DAY_MS).filter((_, i) => i % 7 !== 6),
    Array.from({ length: 4 }, (_, i) => (i * 7 + 6) * DAY_MS),
  ];
  const end = 28 * DAY_MS;

  it('GIVEN a weekly backup standing in for a daily one but living shorter WHEN counted THEN the daily tier holds one restore point fewer at times (and the weekly one, kept 2 days, none)', () => {
    const tiers = [
      { keep: 3, ttlSeconds: 4 * 86_400, standIns: [1], countsRuns: true },
      { keep: 1, ttlSeconds: 2 * 86_400, standIns: [], countsRuns: true },
    ];
    expect(fewestRestorePoints(tiers, runs, end)).toEqual([2, 0]);
  });

  it('GIVEN the TTLs the simulation asks for WHEN counted THEN every tier holds its count', () => {
    const tiers = [
      { keep: 3, ttlSeconds: 3 * 86_400, standIns: [1], countsRuns: true },
      { keep: 1, ttlSeconds: 7 * 86_400, standIns: [], countsRuns: true },
    ];
    const needed = ttlsKeepingCounts(tiers, runs, 86_400);
    expect(needed).toEqual([4 * 86_400, 8 * 86_400]);
    const kept = tiers.map((t, i) => ({ ...t, ttlSeconds: Math.max(t.ttlSeconds, needed[i] ?? 0) }));
    expect(fewestRestorePoints(kept, runs, end)).toEqual([3, 1]);
  });
});
