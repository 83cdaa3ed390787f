/**
 * Random valid organisations, compiled in process: they resolve and pass the rules, lower to objects
 * the real CRDs and the project's schemas accept, lower deterministically, and their schedules keep
 * the RPO. Cron runs are computed here with cron-parser, independently of src/model/cron.ts.
 */
import { CronExpressionParser } from 'cron-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AppProfile,
  azureStorage,
  backupPolicy,
  cluster,
  csi,
  type DurationString,
  execHooks,
  gcsStorage,
  mongodb,
  mysql,
  postgres,
  type Retention,
  redis,
  s3Storage,
  sealed,
  type Storage,
  type Tier,
  type VolumeMode,
  type VolumePolicy,
} from '../../src/dsl/index.ts';
import type { Declaration } from '../../src/dsl/declaration.ts';
import type { IPrometheusRule } from '../../src/k8s/monitoring/prometheus-rule.ts';
import { validateObject } from '../../src/k8s/schema-registry.ts';
import { lower } from '../../src/lower/index.ts';
import { parseDuration } from '../../src/model/duration.ts';
import { resolve } from '../../src/model/resolve.ts';
import type { Model } from '../../src/model/types.ts';
import { checkModel, RULES } from '../../src/rules/index.ts';
import { checkObjects } from '../../src/rules/objects.ts';
import { rpoRule } from '../../src/rules/rpo.ts';
import { validateAgainstReferenceCrds } from '../support/crd.ts';
import { clusterWith, errorCodes, ofKind, schedules, storage } from './support.ts';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/** Restore-point spacing per tier, written out again rather than imported. */
const PERIOD: Readonly<Record<Tier, number>> = { hourly: HOUR, daily: DAY, weekly: 7 * DAY, monthly: 31 * DAY, yearly: 366 * DAY };
const TIER_NAMES: readonly Tier[] = ['hourly', 'daily', 'weekly', 'monthly', 'yearly'];

/** RPOs a cron keeps exactly, and ones it cannot (rounded down to a shorter interval). */
const RPOS: readonly DurationString[] = [
  '30s', '45s', '1m', '5m', '15m', '1h', '2h', '6h', '1d', '1w',
  '7m', '25m', '90m', '5h', '13h', '36h', '3d', '10d', '2w', '5w',
];
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney', 'Asia/Kathmandu'] as const;
const MODES: readonly VolumeMode[] = ['csi-snapshot', 'snapshot-data-mover', 'native-snapshot', 'filesystem', 'none'];
const DRIVERS = ['ebs.csi.aws.com', 'pd.csi.storage.gke.io', 'disk.csi.azure.com'] as const;

/** RFC 1123 labels, short enough for every derived name (`<policy>-monthly` stays under 48). */
const name = fc.stringMatching(/^[a-z]([-a-z0-9]{0,14}[a-z0-9])?$/);

const storageSpec = fc.record({
  name,
  provider: fc.constantFrom('aws', 'gcp', 'azure'),
  encrypted: fc.boolean(),
  prefix: fc.option(fc.constantFrom('velero', 'clusters/prod'), { nil: undefined }),
  credentialKey: fc.option(fc.constantFrom('cloud', 'aws', 'gcp-sa'), { nil: undefined }),
});
type StorageSpec = typeof storageSpec extends fc.Arbitrary<infer T> ? T : never;

function makeStorage(spec: StorageSpec): Storage {
  const credentials = sealed(`velero-${spec.name}`, spec.credentialKey);
  const common = { credentials, prefix: spec.prefix };
  switch (spec.provider) {
    case 'aws':
      return s3Storage(spec.name, { ...common, bucket: `b-${spec.name}`, region: 'eu-west-1', encryption: spec.encrypted ? { kmsKeyId: 'alias/velero' } : undefined });
    case 'gcp':
      return gcsStorage(spec.name, { ...common, bucket: `b-${spec.name}`, encryption: spec.encrypted ? { kmsKeyName: 'projects/p/keys/k' } : undefined });
    default:
      return azureStorage(spec.name, { ...common, container: spec.name, resourceGroup: 'rg', storageAccount: 'acct', encryption: spec.encrypted ? { keyVaultKeyUri: 'https://v/keys/k' } : undefined });
  }
}

const clusterSpec = fc.record({
  name,
  storageMask: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  monitored: fc.boolean(),
  veleroNamespace: fc.option(fc.constantFrom('velero', 'backup-system'), { nil: undefined }),
  drivers: fc.subarray([...DRIVERS]),
  deletionPolicy: fc.option(fc.constantFrom('Retain' as const, 'Delete' as const), { nil: undefined }),
});

const appSpec = fc.record({
  kind: fc.constantFrom('postgres', 'mysql', 'mongodb', 'redis', 'custom'),
  name,
  database: fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.includes('/')),
  timeout: fc.option(fc.constantFrom<DurationString>('30s', '5m', '10m', '1h'), { nil: undefined }),
  ordered: fc.boolean(),
});
type AppSpec = typeof appSpec extends fc.Arbitrary<infer T> ? T : never;

function makeApp(spec: AppSpec): AppProfile {
  const common = { name: spec.name, selector: { app: spec.name }, dumpDir: '/data/restorable', timeout: spec.timeout };
  switch (spec.kind) {
    case 'postgres':
      return postgres({ ...common, database: spec.database });
    case 'mysql':
      return mysql({ ...common, database: spec.database });
    case 'mongodb':
      return mongodb(common);
    case 'redis':
      return redis(common);
    default:
      return execHooks({
        name: spec.name,
        selector: { app: spec.name },
        pre: [['app-ctl', 'freeze', spec.database]],
        post: [['app-ctl', 'thaw']],
        hookTimeout: spec.timeout,
        orderedResources: spec.ordered ? { pods: [`ns/${spec.name}-0`, `ns/${spec.name}-1`] } : undefined,
        restore: [{ command: ['app-ctl', 'check'], waitTimeout: '5m', execTimeout: '1m' }],
      });
  }
}

const volumePolicy: fc.Arbitrary<VolumePolicy> = fc.record({
  conditions: fc.record(
    {
      capacity: fc.constantFrom('0,10Gi', '100Gi,', '1Ti,2Ti', ',500Mi'),
      storageClass: fc.uniqueArray(name, { minLength: 1, maxLength: 2 }),
      csiDriver: fc.constantFrom(...DRIVERS),
      pvcLabels: fc.dictionary(fc.constantFrom('tier', 'backup', 'app'), name, { minKeys: 1, maxKeys: 2 }),
    },
    { requiredKeys: [] },
  ),
  action: fc.constantFrom('skip' as const, 'snapshot' as const, 'fs-backup' as const),
});

const policySpec = fc.record({
  name,
  clusterIndex: fc.nat(),
  storageIndex: fc.nat(),
  namespaces: fc.uniqueArray(name, { minLength: 0, maxLength: 3 }),
  selectorValue: name,
  rpo: fc.constantFrom(...RPOS),
  counts: fc.array(fc.nat({ max: 30 }), { minLength: 5, maxLength: 5 }),
  volumes: fc.constantFrom(...MODES),
  timeZone: fc.option(fc.constantFrom(...ZONES), { nil: undefined }),
  apps: fc.option(fc.uniqueArray(appSpec, { selector: (a) => a.name, maxLength: 3 }), { nil: undefined }),
  volumePolicies: fc.option(fc.array(volumePolicy, { maxLength: 3 }), { nil: undefined }),
});
type PolicySpec = typeof policySpec extends fc.Arbitrary<infer T> ? T : never;

/**
 * Tier counts as generated, made valid the way a user would fix them: at least one tier above zero,
 * and restore points kept at least as long as the RPO (otherwise RET001 rightly fires).
 */
function retentionOf(spec: PolicySpec): Retention {
  const counts: Partial<Record<Tier, number>> = {};
  TIER_NAMES.forEach((tier, index) => {
    const count = spec.counts[index] ?? 0;
    if (count > 0 || index % 2 === 0) counts[tier] = count;
  });
  if (!TIER_NAMES.some((tier) => (counts[tier] ?? 0) > 0)) counts.daily = 1;
  const rpo = parseDuration(spec.rpo)?.seconds ?? 0;
  if (!TIER_NAMES.some((tier) => (counts[tier] ?? 0) * PERIOD[tier] >= rpo)) counts.monthly = Math.ceil(rpo / PERIOD.monthly);
  return counts;
}

const organisation = fc
  .record({
    storages: fc.uniqueArray(
      storageSpec.filter((s) => !s.name.startsWith('home-')),
      { selector: (s) => s.name, minLength: 1, maxLength: 3 },
    ),
    clusters: fc.uniqueArray(clusterSpec, { selector: (c) => c.name, minLength: 1, maxLength: 2 }),
    policies: fc.uniqueArray(policySpec, { selector: (p) => p.name, minLength: 1, maxLength: 3 }),
  })
  .map(({ storages: storageSpecs, clusters: clusterSpecs, policies: policySpecs }) => {
    const storages = storageSpecs.map(makeStorage);
    // Every cluster backs up by default to a bucket of its own (STO006, STO007), besides the shared ones.
    const homes = clusterSpecs.map((spec) => s3Storage(`home-${spec.name}`, { bucket: `home-${spec.name}`, region: 'eu-west-1', credentials: sealed(`velero-home-${spec.name}`) }));
    const clusters = clusterSpecs.map((spec, index) => {
      const listed = storages.filter((_, i) => spec.storageMask[i] === true);
      const home = homes[index] as Storage;
      return cluster(spec.name, {
        environment: 'staging',
        storage: [home, ...(listed.length > 0 ? listed : [storages[index % storages.length] as Storage])],
        defaultStorage: home,
        monitoring: spec.monitored ? 'prometheus-operator' : undefined,
        veleroNamespace: spec.veleroNamespace,
        snapshotClasses: spec.drivers.map((driver) => csi({ driver, deletionPolicy: spec.deletionPolicy })),
      });
    });
    const policies = policySpecs.map((spec) => {
      const target = clusters[spec.clusterIndex % clusters.length]!;
      const reachable = target.props.storage;
      return backupPolicy(spec.name, {
        cluster: target,
        storage: reachable[spec.storageIndex % reachable.length],
        namespaces: spec.namespaces,
        selector: spec.namespaces.length === 0 ? { matchLabels: { 'app.kubernetes.io/part-of': spec.selectorValue } } : undefined,
        rpo: spec.rpo,
        retention: retentionOf(spec),
        volumes: spec.volumes,
        timeZone: spec.timeZone,
        apps: spec.apps?.map(makeApp),
        volumePolicies: spec.volumePolicies,
      });
    });
    return [...storages, ...homes, ...clusters, ...policies] as Declaration[];
  });

/**
 * Every model rule except RPO001. RPO001 analyses up to 800 days of runs (a yearly tier with a
 * 5-minute RPO costs seconds per policy); the gap check below covers the same property in windows.
 */
const RULES_BUT_RPO = RULES.filter((rule) => rule !== rpoRule);

/** Run times (ms) of one Velero schedule in [from, to], computed by cron-parser. */
function runsBetween(schedule: string, from: Date, to: Date): number[] {
  const match = /^CRON_TZ=(\S+) (.+)$/.exec(schedule);
  const [expression, tz] = match ? [match[2] ?? '', match[1] ?? ''] : [schedule, 'UTC'];
  const parsed = CronExpressionParser.parse(expression, { currentDate: from, tz });
  const runs: number[] = [];
  for (let next = parsed.next().getTime(); next <= to.getTime(); next = parsed.next().getTime()) runs.push(next);
  return runs;
}

/** Longest gap (seconds) between consecutive runs of several schedules together, in one window. */
function longestGap(crons: readonly string[], from: Date, seconds: number): number {
  const to = new Date(from.getTime() + seconds * 1000);
  const runs = [...new Set(crons.flatMap((cron) => runsBetween(cron, from, to)))].sort((a, b) => a - b);
  let longest = 0;
  for (let i = 1; i < runs.length; i++) longest = Math.max(longest, (runs[i]! - runs[i - 1]!) / 1000);
  return runs.length < 2 ? Number.POSITIVE_INFINITY : longest;
}

/**
 * Windows the gap check looks at: one across January 1st and one across Sunday March 1st, the
 * moments where coarser tiers stand in for finer ones (yearly, monthly, weekly). Neither holds a
 * fall-back DST change, whose longer day is tested on its own below.
 */
const WINDOWS = [new Date('2025-12-31T12:00:00Z'), new Date('2026-02-28T12:00:00Z')];

/**
 * How long each window lasts. A base interval under an hour is a step cron that runs all day, so a
 * day and a half shows every gap it can have; cron-parser needs about 0.1 ms per run, which makes
 * longer windows of minute schedules the cost of this file. Coarser bases get three intervals.
 */
function windowSeconds(baseInterval: number): number {
  return baseInterval < HOUR ? 1.5 * DAY : Math.max(8 * DAY, 3 * baseInterval + DAY);
}

/**
 * Built-in Kubernetes kinds (core `v1` ConfigMaps, `batch/v1`, `*.k8s.io` groups) have no CRD and no
 * project schema; every other group restorable emits must be known to both.
 */
function isBuiltIn(apiVersion: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return !group.includes('.') || (group.endsWith('.k8s.io') && group !== 'snapshot.storage.k8s.io');
}

function checkOrganisation(declarations: readonly Declaration[]): void {
  const { model, diagnostics } = resolve(declarations);
  expect(errorCodes(diagnostics)).toEqual([]);
  expect(errorCodes(checkModel(model, { now: new Date('2026-06-01T00:00:00Z') }, RULES_BUT_RPO))).toEqual([]);

  const objects = lower(model);
  expect(objects.length).toBeGreaterThan(0);
  for (const { object } of objects) {
    if (isBuiltIn(String(object.apiVersion))) continue;
    expect(validateAgainstReferenceCrds(object), JSON.stringify(object)).toEqual([]);
    expect(validateObject(object), JSON.stringify(object)).toEqual([]);
  }
  expect(checkObjects(objects, model)).toEqual([]);

  const again = lower(resolve(declarations).model);
  expect(again).toEqual(objects);
  expect(JSON.stringify(again)).toBe(JSON.stringify(objects));

  checkSchedules(model, objects);
}

function checkSchedules(model: Model, objects: ReturnType<typeof lower>): void {
  const lowered = schedules(objects);
  const alerts = ofKind<IPrometheusRule>(objects, 'PrometheusRule');
  for (const policy of model.policies) {
    const own = lowered.filter((s) => s.metadata?.labels?.['restorable.dev/policy'] === policy.name);
    expect(own.map((s) => s.metadata?.name)).toEqual(policy.schedules.map((s) => s.name));
    for (const schedule of own) {
      const text = schedule.spec.schedule;
      const zone = /^CRON_TZ=(\S+) /.exec(text)?.[1];
      expect(zone).toBe(policy.timeZone);
      const expression = text.replace(/^CRON_TZ=\S+ /, '');
      expect(expression.split(' ')).toHaveLength(5);
      expect(() => CronExpressionParser.parse(expression, { tz: zone ?? 'UTC' })).not.toThrow();
    }
    const crons = own.map((s) => s.spec.schedule);
    const base = policy.schedules[0]?.interval.seconds ?? DAY;
    const gap = Math.max(...WINDOWS.map((from) => longestGap(crons, from, windowSeconds(base))));
    expect(gap, `${policy.name}: ${crons.join(' | ')}`).toBeLessThanOrEqual(Math.max(policy.rpo.seconds, MINUTE));

    const alert = alerts.find((a) => a.metadata?.labels?.['restorable.dev/policy'] === policy.name);
    const stale = alert?.spec.groups?.[0]?.rules?.find((r) => r.alert === 'RestorableBackupStale');
    if (stale) expect(Number(/> (\d+)$/.exec(stale.expr)?.[1])).toBeGreaterThan(gap);
  }
}

describe('random valid organisations', () => {
  it('GIVEN random valid policies WHEN resolved, checked and lowered THEN no errors, every object is valid, lowering is deterministic and the schedules keep the RPO', () => {
    fc.assert(fc.property(organisation, checkOrganisation), { numRuns: 60 });
  });

  for (const rpo of RPOS) {
    it(`GIVEN an RPO of ${rpo} with every tier, in UTC WHEN lowered THEN the schedules keep the RPO`, () => {
      const store = storage('eu');
      const target = clusterWith('prod', [store], { monitoring: 'prometheus-operator' });
      const retention = { hourly: 24, daily: 7, weekly: 4, monthly: 12, yearly: 2 };

      checkOrganisation([store, target, backupPolicy('every-tier', { cluster: target, namespaces: ['app'], rpo, retention })]);
    });
  }
});

describe('schedules in a time zone with daylight saving time', () => {
  /** The longest gap of a policy's lowered schedules over October and early November 2026. */
  function autumnGap(rpo: DurationString, retention: Retention, timeZone: string) {
    const store = storage('eu');
    const target = clusterWith('prod', [store]);
    const policy = backupPolicy('autumn', { cluster: target, namespaces: ['app'], rpo, retention, timeZone });
    const { model, diagnostics } = resolve([store, target, policy]);
    const rules = [...diagnostics, ...checkModel(model, { now: new Date('2026-06-01T00:00:00Z') })];
    const crons = schedules(lower(model)).map((s) => s.spec.schedule);
    return { gap: longestGap(crons, new Date('2026-10-15T00:00:00Z'), 25 * DAY), rpo001: rules.filter((d) => d.code === 'RPO001') };
  }

  it('GIVEN a daily policy in UTC WHEN its runs over the autumn are computed THEN no gap exceeds a day', () => {
    expect(autumnGap('1d', { daily: 7 }, 'UTC').gap).toBe(DAY);
  });

  // With `timeZone` set, tier crons are prefixed `CRON_TZ=<zone>` and keep wall-clock times, so on
  // the day a zone falls back (Europe/Berlin, 2026-10-25) a day lasts 25 hours: an RPO of '1d' gets
  // a 25-hour gap, and every other local hour (an RPO of '2h') a 3-hour gap around the repeated
  // hour unless its runs fall on it; on the day clocks go forward, Velero's cron library skips a run
  // in the skipped hour. RPO001 analyses 400 days of runs as Velero makes them, so it sees both.
  it("GIVEN a daily policy with RPO '1d' in Europe/Berlin WHEN its runs across the fall-back day are computed THEN the gap stays within the RPO or RPO001 reports it", () => {
    const { gap, rpo001 } = autumnGap('1d', { daily: 7 }, 'Europe/Berlin');

    expect(gap <= DAY || rpo001.length > 0, `gap ${gap}s`).toBe(true);
    expect(rpo001).toHaveLength(1);
  });

  it("GIVEN a daily policy with RPO '2h' in Europe/Berlin WHEN its runs across the fall-back day are computed THEN the gap stays within the RPO or RPO001 reports it", () => {
    const { gap, rpo001 } = autumnGap('2h', { daily: 7 }, 'Europe/Berlin');

    expect(gap <= 2 * HOUR || rpo001.length > 0, `gap ${gap}s`).toBe(true);
    expect(rpo001).toHaveLength(1);
  });
});
