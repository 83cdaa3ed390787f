/**
 * src/model/velero-cron.ts against robfig/cron v3.0.1 itself, the cron library of Velero v1.18:
 * test/fixtures/cron/robfig-v3.0.1.json was written by test/fixtures/cron/gen (Go, the library
 * from the module proxy): which specs ParseStandard accepts, and the runs of schedules in sixteen
 * zones around each change of their clocks in 2026, every run computed from the one before, as
 * Velero's schedule controller does.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cronError, isTimeZone, longestGapSeconds, runsOfSchedule, timeZoneSpelling, unionOfRuns } from '../../src/model/cron.ts';
import { longestGap, simulateRuns } from '../../src/model/simulation.ts';
import { nextRun, parseVeleroSchedule } from '../../src/model/velero-cron.ts';

interface Vectors {
  readonly parse: readonly { readonly spec: string; readonly error?: string }[];
  readonly runs: readonly { readonly spec: string; readonly from: number; readonly until: number; readonly runs: readonly number[] }[];
}

const vectors = JSON.parse(readFileSync(new URL('../fixtures/cron/robfig-v3.0.1.json', import.meta.url), 'utf8')) as Vectors;
const DAY = 86_400;
const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

describe('Velero cron: what ParseStandard accepts', () => {
  it(`GIVEN ${vectors.parse.length} specs (fixed and random) WHEN parsed THEN exactly the ones robfig accepts are accepted, with its message`, () => {
    const differences = vectors.parse.flatMap(({ spec, error }) => {
      const got = cronError(spec);
      return got === error ? [] : [{ spec, robfig: error ?? 'accepted', here: got ?? 'accepted' }];
    });
    expect(differences).toEqual([]);
  });

  it("GIVEN the syntax cron-parser reads and robfig does not (L, 5L, 1#1, H, a day of week 7) WHEN parsed THEN refused", () => {
    for (const spec of ['0 2 L * *', '0 2 * * 5L', '0 2 * * 1#1', 'H 2 * * *', '0 2 * * 7', '0 2 * * 1-7']) expect(cronError(spec), spec).toBeDefined();
  });

  it("GIVEN robfig's own syntax (?, names, descriptors, @every, TZ=) WHEN parsed THEN accepted", () => {
    for (const spec of ['0 2 ? * MON-FRI', '0 2 1 jan *', '@daily', '@every 1h30m', 'TZ=Europe/Berlin 30 2 * * *', 'CRON_TZ=America/New_York @weekly']) {
      expect(cronError(spec), spec).toBeUndefined();
    }
  });
});

describe('Velero cron: time zone names as Go looks them up', () => {
  it('GIVEN names spelt as in the zone database WHEN looked up THEN found', () => {
    for (const zone of ['Europe/Berlin', 'America/New_York', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5', 'UTC', 'Etc/UTC', 'US/Eastern', 'Asia/Kolkata', 'Asia/Calcutta', 'Europe/Kyiv', 'EST5EDT', 'Local', '']) {
      expect(isTimeZone(zone), zone).toBe(true);
    }
  });

  it('GIVEN names in another case, a path, or unknown WHEN looked up THEN not found, and a case variant names the right spelling', () => {
    for (const zone of ['europe/berlin', 'EUROPE/BERLIN', 'utc', 'etc/utc', 'us/eastern', '../etc/passwd', '/etc/localtime', 'Mars/Olympus', '+01:00', 'Europe/Berlin ']) {
      expect(isTimeZone(zone), zone).toBe(false);
    }
    expect(timeZoneSpelling('europe/berlin')).toBe('Europe/Berlin');
    expect(timeZoneSpelling('utc')).toBe('UTC');
    expect(timeZoneSpelling('Europe/Berlin')).toBeUndefined();
  });
});

describe('Velero cron: when runs happen', () => {
  it(`GIVEN ${vectors.runs.length} schedules around the clock changes of sixteen zones WHEN each run is computed from the last THEN the runs are robfig's, to the second`, () => {
    const differences = vectors.runs.flatMap(({ spec, from, until, runs }): Record<string, string>[] => {
      const parsed = parseVeleroSchedule(spec);
      if (!('schedule' in parsed)) return [{ spec, error: parsed.error }];
      const end = until * 1000;
      const got: number[] = [];
      for (let at = nextRun(parsed.schedule, from * 1000); at !== undefined && at < end; at = nextRun(parsed.schedule, at)) got.push(at / 1000 - from);
      if (got.length === runs.length && got.every((run, i) => run === runs[i])) return [];
      const first = Array.from({ length: Math.max(got.length, runs.length) }, (_, i) => i).find((i) => got[i] !== runs[i]) ?? 0;
      const at = (run: number | undefined) => (run === undefined ? 'none' : iso(from + run));
      return [{ spec, from: iso(from), robfig: at(runs[first]), here: at(got[first]) }];
    });
    expect(differences).toEqual([]);
  });

  it('GIVEN a 02:30 daily run in Europe/Berlin WHEN clocks go forward (2026-03-29) THEN that day has no run; WHEN they go back (2026-10-25) THEN 02:30 runs twice', () => {
    const parsed = parseVeleroSchedule('CRON_TZ=Europe/Berlin 30 2 * * *');
    if (!('schedule' in parsed)) throw new Error(parsed.error);
    const runsFrom = (start: string, count: number): string[] => {
      const runs: string[] = [];
      for (let at = nextRun(parsed.schedule, Date.parse(start)); at !== undefined && runs.length < count; at = nextRun(parsed.schedule, at)) runs.push(new Date(at).toISOString());
      return runs;
    };
    expect(runsFrom('2026-03-27T12:00:00Z', 3)).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-30T00:30:00.000Z', '2026-03-31T00:30:00.000Z']);
    expect(runsFrom('2026-10-23T12:00:00Z', 4)).toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });
});

describe('Velero cron: the longest gap, a day at a time', () => {
  const zones = ['', 'CRON_TZ=UTC ', 'CRON_TZ=Europe/Berlin ', 'CRON_TZ=America/New_York ', 'CRON_TZ=Australia/Lord_Howe ', 'CRON_TZ=America/Santiago ', 'CRON_TZ=Africa/Cairo ', 'CRON_TZ=Asia/Kolkata '];
  const groups = [
    ['30 2 * * *'],
    ['0 1 * * *'],
    ['15 */2 * * *'],
    ['53 0,2-23 * * *', '53 1 * * *'],
    ['37 0-2,4-23 * * *', '37 3 * * 1-6', '37 3 * * 0', '37 3 1 * *'],
    ['0 0 * * 0', '0 0 1 * *'],
    ['0 * 1-27 * *'],
    ['0 * * 1-11 *', '0 0 * 12 *'],
    ['0 0 29 2 *'],
  ];
  for (const zone of zones) {
    it(`GIVEN schedules ${zone ? `in ${zone.slice(8).trim()}` : 'without a zone'} WHEN simulated over 400 days THEN each schedule's runs and their longest gap equal the run-by-run walk`, () => {
      for (const group of groups) {
        const crons = group.map((cron) => zone + cron);
        for (const cron of crons) expect(runsOfSchedule(cron, 400 * DAY), cron).toEqual(unionOfRuns([cron], 400 * DAY));
        expect(longestGap(simulateRuns(crons, { horizonSeconds: 400 * DAY })), crons.join(' | ')).toBe(longestGapSeconds(unionOfRuns(crons, 400 * DAY)));
      }
    });
  }
});
