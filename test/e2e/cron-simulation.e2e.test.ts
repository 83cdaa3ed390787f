/**
 * The schedule simulation the compiler, RPO001, RET006 and `diff` read (src/model/simulation.ts)
 * against the real robfig/cron v3.0.1, driven as Velero v1.18.1's schedule controller drives it
 * (test/e2e/go/robfig-cron: a reconcile every minute, Next from the last backup, no Backup while one
 * of the same Schedule is in progress): the same Backups in the same minutes over 400 days, for
 * tier Schedules the compiler emits in UTC and in zones whose clocks change, and with backups that
 * outlast the interval. No cluster: the controller's loop is replayed, the cron library is real.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { Tier } from '../../src/dsl/retention.ts';
import { ANALYSIS_START_MS } from '../../src/model/cron.ts';
import { fewestRestorePoints, sameMinuteRuns, simulateRuns } from '../../src/model/simulation.ts';
import { stableSlot } from '../../src/model/stagger.ts';
import { expandTiers, TIER_PERIOD_SECONDS } from '../../src/model/tiers.ts';

const DAY = 86_400;
const HORIZON = 400 * DAY;
const bin = path.join(inject('robfigCronBin'), 'robfig-cron');

/** Backup creation times (ms, to the minute) of each schedule, from the real library and Velero's loop. */
function robfig(schedules: readonly { spec: string; backupSeconds?: number }[]): number[][] {
  const request = {
    start: ANALYSIS_START_MS / 1000,
    until: ANALYSIS_START_MS / 1000 + HORIZON,
    // The controller reconciles at some second of each minute, not at :00.
    offsetSeconds: 30,
    schedules: schedules.map((s) => ({ spec: s.spec, backupSeconds: s.backupSeconds ?? 0 })),
  };
  const out = execFileSync(bin, { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const results = JSON.parse(out) as { runs: number[]; error?: string }[];
  return results.map((r, i) => {
    if (r.error) throw new Error(`robfig/cron refused ${schedules[i]?.spec}: ${r.error}`);
    return r.runs.map((seconds) => Math.floor(seconds / 60) * 60_000);
  });
}

/** A policy name whose staggered hour is `hour`, so its runs meet the change of the clocks. */
const policyAtHour = (hour: number): string => Array.from({ length: 500 }, (_, i) => `policy-${i}`).find((name) => stableSlot(name, 'hour', 6) === hour) ?? '';

const policies: readonly { title: string; policy: string; rpo: number; retention: Partial<Record<Tier, number>>; timeZone?: string }[] = [
  { title: 'the standard tiers, RPO 1h, UTC', policy: 'ledger', rpo: 3600, retention: { hourly: 24, daily: 7, weekly: 4, monthly: 12 } },
  { title: 'daily 30, weekly 4, monthly 12, yearly 3 at 02:xx in Europe/Berlin', policy: policyAtHour(2), rpo: DAY, retention: { daily: 30, weekly: 4, monthly: 12, yearly: 3 }, timeZone: 'Europe/Berlin' },
  { title: 'hourly 24 and daily 7 at 01:xx in America/New_York (the repeated hour)', policy: policyAtHour(1), rpo: 3600, retention: { hourly: 24, daily: 7 }, timeZone: 'America/New_York' },
  { title: 'all five tiers every 15 minutes in Australia/Lord_Howe (a half-hour change)', policy: policyAtHour(2), rpo: 900, retention: { hourly: 24, daily: 7, weekly: 4, monthly: 12, yearly: 2 }, timeZone: 'Australia/Lord_Howe' },
  { title: 'daily every 6 hours with weekly, in America/Havana (clocks change at midnight)', policy: policyAtHour(0), rpo: 6 * 3600, retention: { daily: 7, weekly: 4 }, timeZone: 'America/Havana' },
];

describe('schedule simulation against robfig/cron v3.0.1 and Velero’s schedule controller loop', () => {
  for (const p of policies) {
    it(`GIVEN ${p.title} WHEN the compiler's Schedules run for 400 days THEN every Backup is created in the minute the simulation says, no two tiers share a minute, and every tier holds its count`, () => {
      const tiers = expandTiers({ policy: p.policy, rpoSeconds: p.rpo, retention: p.retention, timeZone: p.timeZone });
      const real = robfig(tiers.map((t) => ({ spec: t.cron })));
      const simulated = simulateRuns(
        tiers.map((t) => t.cron),
        { horizonSeconds: HORIZON },
      );
      tiers.forEach((t, i) => {
        expect(simulated[i], t.cron).toEqual(real[i]);
      });
      expect(sameMinuteRuns(real)).toEqual([]);
      const counted = tiers.map((t, i) => ({
        keep: t.keep,
        ttlSeconds: t.ttl.seconds,
        standIns: tiers.flatMap((other, j) => (other.replaces.includes(t.tier) ? [j] : [])),
        countsRuns: !(i === 0 && t.interval.seconds < TIER_PERIOD_SECONDS[t.tier]),
      }));
      const held = fewestRestorePoints(counted, real, ANALYSIS_START_MS + HORIZON * 1000);
      tiers.forEach((t, i) => {
        if (counted[i]?.countsRuns && held[i] !== undefined) expect(held[i], `${t.tier} ${t.cron}`).toBe(t.keep);
      });
    });
  }

  it('GIVEN backups that outlast the interval WHEN the controller finds one in progress THEN the run waits for it and the next is computed from then, as the simulation says', () => {
    const schedules = [
      { spec: '*/15 * * * *', backupSeconds: 40 * 60 },
      { spec: 'CRON_TZ=Europe/Berlin 37 * * * *', backupSeconds: 100 * 60 },
      { spec: 'CRON_TZ=America/New_York 7 1 * * *', backupSeconds: 26 * 3600 },
    ];
    const real = robfig(schedules);
    schedules.forEach((s, i) => {
      const [simulated] = simulateRuns([s.spec], { horizonSeconds: HORIZON, backupSeconds: s.backupSeconds });
      expect(simulated, s.spec).toEqual(real[i]);
    });
  });
});
