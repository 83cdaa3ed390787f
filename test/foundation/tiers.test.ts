import { describe, expect, it } from 'vitest';
import type { Tier } from '../../src/dsl/retention.ts';
import { cronInterval, expandTiers, type TierPlanInput } from '../../src/model/tiers.ts';
import type { TierSchedule } from '../../src/model/types.ts';
import {
  cronFriendly,
  DAY,
  expectedBaseInterval,
  fieldCount,
  gapsOf,
  HOUR,
  longestGap,
  MINUTE,
  PERIOD,
  runsOf,
  splitZone,
  unionOfRuns,
} from './helpers.ts';

type Counts = Readonly<Partial<Record<Tier, number>>>;

const standard: Counts = { hourly: 24, daily: 7, weekly: 4, monthly: 12 };

function expand(retention: Counts, rpoSeconds = HOUR, extra: Partial<TierPlanInput> = {}): TierSchedule[] {
  return expandTiers({ policy: 'ledger', rpoSeconds, retention, ...extra });
}

function tierOf(schedules: readonly TierSchedule[], tier: Tier): TierSchedule {
  const found = schedules.find((s) => s.tier === tier);
  if (!found) throw new Error(`no ${tier} schedule in ${schedules.map((s) => s.name).join(', ')}`);
  return found;
}

/** The staggered minute and hour of a policy, read from its coarsest tier (which runs once per period). */
function staggerOf(policy: string): { minute: number; hour: number } {
  const [schedule] = expandTiers({ policy, rpoSeconds: DAY, retention: { daily: 1 } });
  const [minute, hour] = splitZone(schedule?.cron ?? '').expression.split(' ').map(Number);
  return { minute: minute ?? Number.NaN, hour: hour ?? Number.NaN };
}

const from = new Date('2026-03-02T00:00:00Z');
const days = (n: number): Date => new Date(from.getTime() + n * DAY * 1000);

describe('expandTiers: one Schedule per tier', () => {
  it('GIVEN the standard retention WHEN expanded THEN there is one Schedule per tier, finest first, named <policy>-<tier>, keeping the declared count', () => {
    const schedules = expand(standard);
    expect(schedules.map((s) => [s.tier, s.name, s.keep])).toEqual([
      ['hourly', 'ledger-hourly', 24],
      ['daily', 'ledger-daily', 7],
      ['weekly', 'ledger-weekly', 4],
      ['monthly', 'ledger-monthly', 12],
    ]);
  });

  it('GIVEN tiers with a count of zero WHEN expanded THEN they make no Schedule', () => {
    expect(expand({ hourly: 0, daily: 7, weekly: 0, yearly: 2 }, DAY).map((s) => s.tier)).toEqual(['daily', 'yearly']);
  });

  it('GIVEN no tier above zero WHEN expanded THEN there are no Schedules', () => {
    expect(expand({})).toEqual([]);
    expect(expand({ daily: 0 })).toEqual([]);
  });
});

describe('expandTiers: every cron parses', () => {
  const inputs: readonly { readonly title: string; readonly retention: Counts; readonly rpo: number; readonly timeZone?: string }[] = [
    { title: 'standard, 1h', retention: standard, rpo: HOUR },
    { title: 'all five tiers, 15m', retention: { ...standard, yearly: 7 }, rpo: 15 * MINUTE },
    { title: 'daily only, 6h', retention: { daily: 14 }, rpo: 6 * HOUR },
    { title: 'gfs, 1d', retention: { daily: 7, weekly: 4, monthly: 12 }, rpo: DAY },
    { title: 'monthly and yearly, 31d', retention: { monthly: 12, yearly: 5 }, rpo: 31 * DAY },
    { title: 'weekly only, 7d, Tokyo', retention: { weekly: 8 }, rpo: 7 * DAY, timeZone: 'Asia/Tokyo' },
    { title: 'hourly and daily, 1h, New York', retention: { hourly: 48, daily: 30 }, rpo: HOUR, timeZone: 'America/New_York' },
  ];
  for (const input of inputs) {
    it(`GIVEN ${input.title} WHEN expanded THEN every cron has five fields, parses with cron-parser, and the tiers together run every base interval`, () => {
      const schedules = expand(input.retention, input.rpo, { timeZone: input.timeZone });
      expect(schedules.length).toBeGreaterThan(0);
      for (const schedule of schedules) {
        const { zone, expression } = splitZone(schedule.cron);
        expect(zone).toBe(input.timeZone ?? 'UTC');
        expect(fieldCount(expression), schedule.cron).toBe(5);
        // A tier skips the moments a coarser tier covers, so alone it may leave out every other run.
        const period = Math.max(PERIOD[schedule.tier], schedule.interval.seconds);
        const runs = runsOf(schedule.cron, from, days((4 * period) / DAY));
        expect(runs.length, schedule.cron).toBeGreaterThanOrEqual(2);
        expect(longestGap(runs), schedule.cron).toBeLessThanOrEqual(2 * period + HOUR);
      }
      const base = expectedBaseInterval(input.rpo, input.retention);
      const together = unionOfRuns(
        schedules.map((s) => s.cron),
        from,
        days(Math.max(3, (3 * base) / DAY)),
      );
      expect(longestGap(together)).toBe(base);
    });
  }
});

describe('expandTiers: TTL = count x tier period + one base interval', () => {
  const cases: readonly { readonly retention: Counts; readonly rpo: number; readonly ttl: Partial<Record<Tier, number>> }[] = [
    {
      retention: standard,
      rpo: HOUR,
      ttl: { hourly: 25 * HOUR, daily: 7 * DAY + HOUR, weekly: 28 * DAY + HOUR, monthly: 12 * 31 * DAY + HOUR },
    },
    { retention: { hourly: 24 }, rpo: 15 * MINUTE, ttl: { hourly: 24 * HOUR + 15 * MINUTE } },
    { retention: { daily: 7 }, rpo: DAY, ttl: { daily: 8 * DAY } },
    { retention: { daily: 7, weekly: 4 }, rpo: 6 * HOUR, ttl: { daily: 7 * DAY + 6 * HOUR, weekly: 28 * DAY + 6 * HOUR } },
    { retention: { daily: 30 }, rpo: 5 * HOUR, ttl: { daily: 30 * DAY + 4 * HOUR } },
    { retention: { monthly: 3, yearly: 7 }, rpo: 31 * DAY, ttl: { monthly: 3 * 31 * DAY + 31 * DAY, yearly: 7 * 366 * DAY + 31 * DAY } },
    { retention: { weekly: 1 }, rpo: 2 * DAY, ttl: { weekly: 7 * DAY + DAY } },
  ];
  for (const c of cases) {
    it(`GIVEN ${JSON.stringify(c.retention)} and an RPO of ${c.rpo}s WHEN expanded THEN each TTL is count x period + the base interval`, () => {
      const schedules = expand(c.retention, c.rpo);
      const base = expectedBaseInterval(c.rpo, c.retention);
      for (const schedule of schedules) {
        expect(schedule.ttl.seconds, schedule.name).toBe(schedule.keep * PERIOD[schedule.tier] + base);
        expect(schedule.ttl.seconds, schedule.name).toBe(c.ttl[schedule.tier]);
      }
      expect(schedules.map((s) => s.tier).sort()).toEqual(Object.keys(c.ttl).sort());
    });
  }
});

describe('expandTiers: the base tier runs every RPO, rounded down to a cron-friendly interval', () => {
  const cases: readonly { readonly rpo: number; readonly retention: Counts; readonly interval: number }[] = [
    { rpo: 15 * MINUTE, retention: { hourly: 24 }, interval: 15 * MINUTE },
    { rpo: 45 * MINUTE, retention: { daily: 7 }, interval: 30 * MINUTE },
    { rpo: 7 * MINUTE, retention: { daily: 7 }, interval: 6 * MINUTE },
    { rpo: 30, retention: { hourly: 1 }, interval: MINUTE },
    { rpo: 90 * MINUTE, retention: { daily: 7 }, interval: HOUR },
    { rpo: 5 * HOUR, retention: { daily: 7 }, interval: 4 * HOUR },
    { rpo: 8 * HOUR, retention: { daily: 7 }, interval: 8 * HOUR },
    { rpo: 2 * HOUR, retention: { hourly: 24 }, interval: HOUR },
    { rpo: 2 * DAY, retention: { daily: 7 }, interval: DAY },
    { rpo: 3 * DAY, retention: { weekly: 4 }, interval: DAY },
    { rpo: 10 * DAY, retention: { monthly: 12 }, interval: 7 * DAY },
    { rpo: 7 * DAY, retention: { weekly: 4 }, interval: 7 * DAY },
  ];
  for (const c of cases) {
    it(`GIVEN an RPO of ${c.rpo}s and ${JSON.stringify(c.retention)} WHEN expanded THEN the base Schedule runs exactly every ${c.interval}s`, () => {
      const [base] = expand(c.retention, c.rpo);
      expect(base?.interval.seconds).toBe(c.interval);
      expect(expectedBaseInterval(c.rpo, c.retention)).toBe(c.interval);
      const runs = runsOf(base?.cron ?? '', from, days(Math.max(3, (5 * c.interval) / DAY)));
      expect(new Set(gapsOf(runs)), base?.cron).toEqual(new Set([c.interval]));
    });
  }

  it('GIVEN RPOs between the cron-friendly steps WHEN rounded THEN the interval is never above the RPO and never below one minute', () => {
    for (let rpo = 1; rpo <= 2 * DAY; rpo += 97) {
      const interval = cronInterval(rpo);
      expect(interval).toBeLessThanOrEqual(Math.max(rpo, MINUTE));
      expect(interval).toBeGreaterThanOrEqual(MINUTE);
      expect(interval).toBe(cronFriendly(rpo));
    }
  });
});

describe('expandTiers: coarser tiers stand in for the finer tier at the same moment', () => {
  const window = { from, to: days(62) };

  function overlap(a: string, b: string): number[] {
    const runsOfB = new Set(runsOf(b, window.from, window.to));
    return runsOf(a, window.from, window.to).filter((run) => runsOfB.has(run));
  }

  it('GIVEN hourly and daily tiers WHEN expanded THEN hourly skips the daily hour and together they run exactly every hour', () => {
    const schedules = expand({ hourly: 24, daily: 7 });
    const hourly = tierOf(schedules, 'hourly');
    const daily = tierOf(schedules, 'daily');
    expect(overlap(hourly.cron, daily.cron)).toEqual([]);
    expect(runsOf(hourly.cron, from, days(1))).toHaveLength(23);
    expect(new Set(gapsOf(unionOfRuns([hourly.cron, daily.cron], window.from, window.to)))).toEqual(new Set([HOUR]));
  });

  it('GIVEN daily and weekly tiers WHEN expanded THEN daily skips the weekly day and together they run exactly once a day', () => {
    const schedules = expand({ daily: 7, weekly: 4 }, DAY);
    const daily = tierOf(schedules, 'daily');
    const weekly = tierOf(schedules, 'weekly');
    expect(overlap(daily.cron, weekly.cron)).toEqual([]);
    expect(runsOf(daily.cron, from, days(7))).toHaveLength(6);
    expect(new Set(gapsOf(unionOfRuns([daily.cron, weekly.cron], window.from, window.to)))).toEqual(new Set([DAY]));
  });

  it('GIVEN daily and monthly tiers without weekly WHEN expanded THEN daily skips the first of the month', () => {
    const schedules = expand({ daily: 7, monthly: 12 }, DAY);
    const daily = tierOf(schedules, 'daily');
    const monthly = tierOf(schedules, 'monthly');
    expect(overlap(daily.cron, monthly.cron)).toEqual([]);
    expect(runsOf(daily.cron, window.from, window.to).some((run) => new Date(run).getUTCDate() === 1)).toBe(false);
    expect(new Set(gapsOf(unionOfRuns([daily.cron, monthly.cron], window.from, window.to)))).toEqual(new Set([DAY]));
  });

  it('GIVEN monthly and yearly tiers WHEN expanded THEN monthly skips January and together they run once a month', () => {
    const schedules = expand({ monthly: 12, yearly: 7 }, 31 * DAY);
    const monthly = tierOf(schedules, 'monthly');
    const yearly = tierOf(schedules, 'yearly');
    const twoYears = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2028-01-01T00:00:00Z') };
    const monthlyRuns = runsOf(monthly.cron, twoYears.from, twoYears.to);
    expect(monthlyRuns).toHaveLength(22);
    expect(monthlyRuns.some((run) => new Date(run).getUTCMonth() === 0)).toBe(false);
    const together = unionOfRuns([monthly.cron, yearly.cron], twoYears.from, twoYears.to);
    expect(together.map((run) => new Date(run).toISOString().slice(0, 7))).toEqual(
      Array.from({ length: 24 }, (_, i) => `${2026 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`),
    );
  });

  it('GIVEN a monthly tier without a yearly one WHEN expanded THEN monthly also runs in January', () => {
    const monthly = tierOf(expand({ monthly: 12 }, 31 * DAY), 'monthly');
    const runs = runsOf(monthly.cron, new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z'));
    expect(runs).toHaveLength(12);
    expect(new Date(runs[0] ?? 0).getUTCMonth()).toBe(0);
  });
});

describe('expandTiers: time zone', () => {
  it('GIVEN a time zone WHEN expanded THEN every cron starts with CRON_TZ=<zone> and runs at the staggered local hour', () => {
    const schedules = expand(standard, HOUR, { timeZone: 'Europe/Berlin' });
    const { minute, hour } = staggerOf('ledger');
    for (const schedule of schedules) expect(schedule.cron.startsWith('CRON_TZ=Europe/Berlin ')).toBe(true);
    const [firstDaily] = runsOf(tierOf(schedules, 'daily').cron, new Date('2026-01-10T00:00:00Z'), new Date('2026-01-12T00:00:00Z'));
    const local = Object.fromEntries(
      new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' })
        .formatToParts(new Date(firstDaily ?? 0))
        .map((part) => [part.type, Number(part.value)]),
    );
    expect([local.hour, local.minute]).toEqual([hour, minute]);
    expect(new Date(firstDaily ?? 0).getUTCHours()).toBe((hour + 23) % 24);
  });

  it('GIVEN no time zone WHEN expanded THEN no cron has a CRON_TZ prefix and they run in UTC', () => {
    const schedules = expand(standard);
    const { hour } = staggerOf('ledger');
    for (const schedule of schedules) expect(schedule.cron).not.toMatch(/TZ=/);
    const [firstDaily] = runsOf(tierOf(schedules, 'daily').cron, from, days(2));
    expect(new Date(firstDaily ?? 0).getUTCHours()).toBe(hour);
  });

  // Velero computes each run from the last (robfig/cron's Next): after the daily run at 01:53 EDT,
  // the next 01:53 is the repeated one, 01:53 EST, an hour later.
  it(
    'GIVEN a policy in America/New_York whose staggered hour is the hour repeated when clocks fall back WHEN the clocks go back on 2026-11-01 THEN backups are still at most the RPO apart',
    () => {
      const policy = Array.from({ length: 500 }, (_, i) => `policy-${i}`).find((name) => staggerOf(name).hour === 1) ?? '';
      const schedules = expandTiers({ policy, rpoSeconds: HOUR, retention: { hourly: 24, daily: 7 }, timeZone: 'America/New_York' });
      const runs = unionOfRuns(
        schedules.map((s) => s.cron),
        new Date('2026-10-31T12:00:00Z'),
        new Date('2026-11-02T12:00:00Z'),
      );
      expect(longestGap(runs)).toBeLessThanOrEqual(HOUR);
    },
  );
});

describe('expandTiers: stagger', () => {
  it('GIVEN the same policy name twice WHEN expanded THEN the Schedules are identical', () => {
    expect(expand(standard)).toEqual(expand(standard));
    expect(staggerOf('ledger')).toEqual(staggerOf('ledger'));
  });

  it('GIVEN one name WHEN its retention changes THEN its minute and hour stay the same', () => {
    const slotOfDaily = (schedules: TierSchedule[]) => splitZone(tierOf(schedules, 'daily').cron).expression.split(' ').slice(0, 2);
    expect(slotOfDaily(expand({ daily: 7 }, DAY))).toEqual(slotOfDaily(expand(standard)));
  });

  it('GIVEN fifty policy names WHEN expanded THEN their minutes and hours spread out, within the first six hours of the day', () => {
    const slots = Array.from({ length: 50 }, (_, i) => staggerOf(`team-${i}-db`));
    for (const { minute, hour } of slots) {
      expect(minute).toBeGreaterThanOrEqual(0);
      expect(minute).toBeLessThan(60);
      expect(hour).toBeGreaterThanOrEqual(0);
      expect(hour).toBeLessThan(6);
    }
    expect(new Set(slots.map((s) => s.minute)).size).toBeGreaterThanOrEqual(20);
    expect(new Set(slots.map((s) => s.hour)).size).toBe(6);
    expect(new Set(slots.map((s) => `${s.hour}:${s.minute}`)).size).toBeGreaterThanOrEqual(40);
  });

  it('GIVEN two different names WHEN expanded THEN their Schedules differ', () => {
    const a = expandTiers({ policy: 'ledger', rpoSeconds: HOUR, retention: standard });
    const b = expandTiers({ policy: 'search', rpoSeconds: HOUR, retention: standard });
    expect(a.map((s) => s.cron)).not.toEqual(b.map((s) => s.cron));
  });
});

describe('expandTiers: schedule override', () => {
  it('GIVEN an override WHEN expanded THEN the base tier uses it verbatim and the coarser tiers are unchanged', () => {
    const derived = expand({ hourly: 24, daily: 7, weekly: 4 }, 2 * HOUR);
    const overridden = expand({ hourly: 24, daily: 7, weekly: 4 }, 2 * HOUR, { scheduleOverride: '0 */2 * * *' });
    expect(overridden[0]?.cron).toBe('0 */2 * * *');
    expect(overridden.slice(1).map((s) => s.cron)).toEqual(derived.slice(1).map((s) => s.cron));
  });

  it('GIVEN an override every two hours WHEN expanded THEN the base interval is the longest gap of the override, in every TTL', () => {
    const schedules = expand({ hourly: 24, daily: 7 }, 2 * HOUR, { scheduleOverride: '0 */2 * * *' });
    expect(tierOf(schedules, 'hourly').interval.seconds).toBe(2 * HOUR);
    expect(tierOf(schedules, 'hourly').ttl.seconds).toBe(24 * HOUR + 2 * HOUR);
    expect(tierOf(schedules, 'daily').ttl.seconds).toBe(7 * DAY + 2 * HOUR);
  });

  it('GIVEN a daily override at 02:30 WHEN expanded THEN the daily TTL is 7 days + 1 day', () => {
    const [daily] = expand({ daily: 7 }, DAY, { scheduleOverride: '30 2 * * *' });
    expect(daily?.cron).toBe('30 2 * * *');
    expect(daily?.ttl.seconds).toBe(8 * DAY);
  });

  it('GIVEN a time zone and an override WHEN expanded THEN the override runs in the policy time zone like the other tiers', () => {
    const schedules = expand({ daily: 7, weekly: 4 }, DAY, { timeZone: 'Europe/Berlin', scheduleOverride: '30 2 * * *' });
    for (const schedule of schedules) expect(splitZone(schedule.cron).zone, schedule.cron).toBe('Europe/Berlin');
    expect(schedules[0]?.cron).toBe('CRON_TZ=Europe/Berlin 30 2 * * *');
  });

  it('GIVEN a time zone and an override that names its own WHEN expanded THEN the override keeps its zone', () => {
    const [daily] = expand({ daily: 7 }, DAY, { timeZone: 'Europe/Berlin', scheduleOverride: 'CRON_TZ=America/New_York 30 2 * * *' });
    expect(daily?.cron).toBe('CRON_TZ=America/New_York 30 2 * * *');
  });
});

/** Tier pairs of `schedules` that run in the same minute within `window`, computed with cron-parser. */
function sameMinute(schedules: readonly TierSchedule[], window: { from: Date; to: Date }): string[] {
  const found: string[] = [];
  const runs = schedules.map((s) => new Set(runsOf(s.cron, window.from, window.to)));
  for (const [i, a] of schedules.entries()) {
    for (const [j, b] of schedules.entries()) {
      if (j <= i) continue;
      for (const run of runs[j] ?? []) if (runs[i]?.has(run)) found.push(`${a.tier}+${b.tier} at ${new Date(run).toISOString()}`);
    }
  }
  return found;
}

describe('expandTiers: nothing runs twice', () => {
  // Windows holding a 1st that is a Sunday and one that is not (February, March and April 2026),
  // a 1st of January, and a 1st of January that is a Sunday (2034).
  const windows = [
    { from: new Date('2026-01-30T00:00:00Z'), to: new Date('2026-04-02T12:00:00Z') },
    { from: new Date('2026-12-31T00:00:00Z'), to: new Date('2027-01-02T00:00:00Z') },
    { from: new Date('2033-12-31T00:00:00Z'), to: new Date('2034-01-02T00:00:00Z') },
  ];
  const retentions: readonly Counts[] = [
    standard,
    { ...standard, yearly: 7 },
    { daily: 30, weekly: 4, monthly: 12, yearly: 3 },
    { daily: 7, monthly: 12 },
    { daily: 7, yearly: 2 },
    { hourly: 24, weekly: 4, monthly: 12, yearly: 2 },
    { hourly: 24, monthly: 12 },
    { weekly: 4, monthly: 12, yearly: 1 },
  ];
  const cases = [...retentions.flatMap((retention) => [15 * MINUTE, HOUR, 6 * HOUR, DAY].map((rpo) => ({ retention, rpo }))), { retention: standard, rpo: 2 * MINUTE }];
  for (const { retention, rpo } of cases) {
      it(`GIVEN ${JSON.stringify(retention)} and an RPO of ${rpo}s WHEN expanded THEN no two tiers run in the same minute, and together they still run every base interval`, () => {
        const schedules = expand(retention, rpo);
        for (const window of windows) expect(sameMinute(schedules, window)).toEqual([]);
        const base = expectedBaseInterval(rpo, retention);
        if (base <= DAY) {
          const together = unionOfRuns(
            schedules.map((s) => s.cron),
            from,
            days(Math.max(3, (3 * base) / DAY)),
          );
          expect(longestGap(together)).toBe(base);
        }
      });
  }

  it('GIVEN the standard retention WHEN expanded THEN monthly runs half an hour after the shared slot, where neither daily nor weekly runs', () => {
    const schedules = expand(standard);
    const daily = splitZone(tierOf(schedules, 'daily').cron).expression.split(' ');
    const monthly = splitZone(tierOf(schedules, 'monthly').cron).expression.split(' ');
    const minutes = (Number(daily[1]) * 60 + Number(daily[0]) + 30) % (24 * 60);
    expect([Number(monthly[1]) * 60 + Number(monthly[0]), monthly[2]]).toEqual([minutes, '1']);
  });
});

/**
 * The fewest restore points a tier holds as Velero runs the Schedules, computed here from
 * cron-parser's runs: at every moment after `count` runs, how many of the tier's `count` newest
 * runs (its own and those of the tiers standing in for it) are not yet expired.
 */
function fewestHeld(tiers: readonly TierSchedule[], window: { from: Date; to: Date }): number {
  const [counted, ...standIns] = tiers;
  if (!counted) throw new Error('no tier');
  const points = tiers
    .flatMap((t) => runsOf(t.cron, window.from, window.to).map((at) => ({ at, expires: at + t.ttl.seconds * 1000 })))
    .sort((a, b) => a.at - b.at);
  expect(standIns.every((s) => s.replaces.includes(counted.tier))).toBe(true);
  let fewest = counted.keep;
  for (const moment of points.map((p) => p.expires).filter((t) => t < window.to.getTime())) {
    const taken = points.filter((p) => p.at <= moment);
    if (taken.length < counted.keep) continue;
    fewest = Math.min(fewest, taken.slice(-counted.keep).filter((p) => p.expires > moment).length);
  }
  return fewest;
}

describe('expandTiers: every tier keeps its count', () => {
  const year = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-07-01T00:00:00Z') };

  it('GIVEN 30 daily and 4 weekly WHEN expanded THEN the weekly backup standing in for Sunday lives as long as a daily one, and 30 daily restore points are held at every moment', () => {
    const schedules = expand({ daily: 30, weekly: 4 }, DAY);
    const daily = tierOf(schedules, 'daily');
    const weekly = tierOf(schedules, 'weekly');
    expect(weekly.replaces).toEqual(['daily']);
    expect(weekly.ttl.seconds).toBeGreaterThanOrEqual(daily.ttl.seconds);
    expect(fewestHeld([daily, weekly], year)).toBe(30);
    expect(fewestHeld([weekly], year)).toBe(4);
  });

  it('GIVEN 7 daily and 12 monthly without weekly WHEN expanded THEN daily holds 7 restore points at every moment, the 1st coming from the monthly run', () => {
    const schedules = expand({ daily: 7, monthly: 1 }, DAY);
    const daily = tierOf(schedules, 'daily');
    const monthly = tierOf(schedules, 'monthly');
    expect(monthly.replaces).toEqual(['daily']);
    expect(fewestHeld([daily, monthly], year)).toBe(7);
  });

  it('GIVEN a daily tier at 02:xx in Europe/Berlin WHEN the clocks go forward and Velero skips that day THEN the backups before it live a day longer and 7 daily restore points are still held', () => {
    const policy = Array.from({ length: 500 }, (_, i) => `policy-${i}`).find((name) => staggerOf(name).hour === 2) ?? '';
    const [daily] = expandTiers({ policy, rpoSeconds: 2 * DAY, retention: { daily: 7 }, timeZone: 'Europe/Berlin' });
    if (!daily) throw new Error('no daily tier');
    const spring = { from: new Date('2026-03-20T00:00:00Z'), to: new Date('2026-04-12T00:00:00Z') };
    expect(runsOf(daily.cron, spring.from, spring.to)).toHaveLength(22);
    expect(daily.ttl.seconds).toBe(8 * DAY - HOUR + DAY);
    expect(fewestHeld([daily], spring)).toBe(7);
  });
});
