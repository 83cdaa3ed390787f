/**
 * Byte-identical output whatever the order policy files are discovered and loaded in, and the order
 * folders are read in (RESTORABLE_TEST_SHUFFLE_SEED, src/loader/discover.ts), under more time zones
 * and locales than test/foundation/determinism.test.ts (which covers repeated runs, Pacific/Kiritimati
 * with a Turkish locale, and UTC with the C locale), and with both at once. Diagnostics too: the same
 * report, and the same declaration blamed for a duplicate name, in every order.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runSynth } from '../support/run-cli.ts';
import { hashTree, makeTempProject, readTree, repoRoot, type TempProject } from '../support/temp.ts';
import { createPool } from './support/pool.ts';

/**
 * Added to the example organisation: policies in nested folders that import each other, zones with
 * half-hour and quarter-hour offsets, and file names that sort differently by code point and by
 * locale (upper case, a digit, an underscore and a dash).
 */
const FILES: Readonly<Record<string, string>> = {
  'teams/orders/Orders_v2.ts': `import { backupPolicy, postgres } from 'restorable';
import { prodEu } from '../../clusters.ts';

export const orders = backupPolicy('orders', {
  cluster: prodEu,
  namespaces: ['orders', 'orders-archive'],
  rpo: '30m',
  retention: { hourly: 48, daily: 14, weekly: 8, monthly: 12 },
  timeZone: 'America/St_Johns',
  volumes: 'snapshot-data-mover',
  apps: [postgres({ name: 'orders-db', selector: { app: 'orders-db' }, database: 'orders', dumpDir: '/data/restorable' })],
});
`,
  'teams/orders/orders-plan.ts': `import { restorePlan } from 'restorable';
import { drUs } from '../../clusters.ts';
import { kathmandu } from '../2-kathmandu.ts';
import { orders } from './Orders_v2.ts';

export const ordersRegionLoss = restorePlan('orders-region-loss', {
  from: [orders, kathmandu],
  to: drUs,
  scenario: 'region-loss',
  rto: '2h',
  secretsRecovery: 'secrets-from-backup',
  drill: { every: 'week' },
});
`,
  'teams/2-kathmandu.ts': `import { backupPolicy } from 'restorable';
import { prodEu } from '../clusters.ts';

export const kathmandu = backupPolicy('kathmandu', {
  cluster: prodEu,
  namespaces: ['valley'],
  rpo: '1h',
  retention: { hourly: 24, daily: 7, weekly: 4, monthly: 12 },
  timeZone: 'Asia/Kathmandu',
  volumes: 'snapshot-data-mover',
});
`,
};

/** A second team declaring "orders" again: DUP001 must blame the same file whatever the load order. */
const DUPLICATE = `import { backupPolicy } from 'restorable';
import { prodEu } from '../clusters.ts';

export const ordersAgain = backupPolicy('orders', { cluster: prodEu, namespaces: ['orders-b'], rpo: '1h', retention: { hourly: 24, daily: 7, weekly: 4, monthly: 12 } });
`;

const RUNS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  sorted: {},
  'seed 1': { RESTORABLE_TEST_SHUFFLE_SEED: '1' },
  'seed 2': { RESTORABLE_TEST_SHUFFLE_SEED: '2' },
  'St_Johns, German': { TZ: 'America/St_Johns', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' },
  'Lord_Howe, Japanese, seed 4': { TZ: 'Australia/Lord_Howe', LANG: 'ja_JP.UTF-8', LC_ALL: 'ja_JP.UTF-8', RESTORABLE_TEST_SHUFFLE_SEED: '4' },
};

const pool = createPool(3);
let project: TempProject;
let duplicate: TempProject;
const results = new Map<string, CliResult>();
const duplicateReports = new Map<string, string>();
const outOf = (name: string): string => path.join(project.dir, `out-${name.replace(/[^a-z0-9]+/gi, '-')}`);

beforeAll(async () => {
  [project, duplicate] = await Promise.all([
    makeTempProject({ copyExamplePolicies: true, policies: FILES }),
    makeTempProject({ copyExamplePolicies: true, policies: { ...FILES, 'teams/zz-orders-again.ts': DUPLICATE } }),
  ]);
  await Promise.all([
    ...Object.entries(RUNS).map(async ([name, env]) => results.set(name, await pool(() => runSynth(project.policiesDir, outOf(name), { env })))),
    ...['1', '2', '5'].map(async (seed) => {
      const run = await pool(() => runSynth(duplicate.policiesDir, duplicate.outDir, { env: { RESTORABLE_TEST_SHUFFLE_SEED: seed } }));
      duplicateReports.set(seed, run.stderr);
    }),
  ]);
}, 180_000);
afterAll(async () => {
  await project.cleanup();
  await duplicate.cleanup();
});

/** The files discovery returns under `policiesDir` with the given seed (unset: the sorted order). */
function discovered(policiesDir: string, seed?: string): string[] {
  const discover = pathToFileURL(path.join(repoRoot, 'src', 'loader', 'discover.ts')).href;
  const script = `const { discoverPolicyFiles } = await import(${JSON.stringify(discover)}); process.stdout.write(JSON.stringify(await discoverPolicyFiles(${JSON.stringify(policiesDir)})));`;
  const env: NodeJS.ProcessEnv = { ...process.env, RESTORABLE_TEST_SHUFFLE_SEED: seed };
  if (seed === undefined) delete env.RESTORABLE_TEST_SHUFFLE_SEED;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, env, encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as string[];
}

describe('determinism across load order, folder read order, time zones and locales', () => {
  it('GIVEN RESTORABLE_TEST_SHUFFLE_SEED WHEN policy files are discovered THEN each seed gives its own order of the same files, and the same order every time', () => {
    const sorted = discovered(project.policiesDir);
    expect(sorted).toEqual([...sorted].sort());
    const [one, oneAgain, two] = [discovered(project.policiesDir, '1'), discovered(project.policiesDir, '1'), discovered(project.policiesDir, '2')];
    expect(one).toEqual(oneAgain);
    for (const order of [one, two]) {
      expect([...order].sort()).toEqual(sorted);
      expect(order).not.toEqual(sorted);
    }
    expect(one).not.toEqual(two);
  });

  it('GIVEN the policies WHEN synth runs in every order and environment THEN each run succeeds with the same report', () => {
    const sorted = results.get('sorted');
    for (const [name, run] of results) {
      expect(run.code, `${name}: ${run.stderr}`).toBe(0);
      expect(run.stderr, name).toBe(sorted?.stderr);
    }
  });

  it('GIVEN shuffled discovery and folder read orders, other zones and locales WHEN synth runs THEN every output equals the sorted one, byte for byte', async () => {
    const reference = await readTree(outOf('sorted'));
    expect(reference.size).toBeGreaterThan(100);
    for (const name of Object.keys(RUNS)) {
      const tree = await readTree(outOf(name));
      expect([...tree.keys()], name).toEqual([...reference.keys()]);
      const differing = [...tree].filter(([file, bytes]) => !bytes.equals(reference.get(file) ?? Buffer.alloc(0))).map(([file]) => file);
      expect(differing, name).toEqual([]);
      expect(await hashTree(outOf(name))).toBe(await hashTree(outOf('sorted')));
    }
  });

  it('GIVEN the zoned policies WHEN synthesized THEN their Schedules carry their zones, so the comparison covered zoned crons', async () => {
    const tree = await readTree(outOf('sorted'));
    const text = (file: string): string => tree.get(file)?.toString('utf8') ?? '';
    expect(text('clusters/prod-eu/velero/schedule-orders-hourly.yaml')).toMatch(/schedule: CRON_TZ=America\/St_Johns /);
    expect(text('clusters/prod-eu/velero/schedule-kathmandu-daily.yaml')).toMatch(/schedule: CRON_TZ=Asia\/Kathmandu /);
  });

  it('GIVEN the same name declared in two files WHEN loaded in three orders THEN DUP001 blames the same declaration every time', () => {
    const reports = [...duplicateReports.values()];
    expect(reports[0]).toMatch(/teams\/zz-orders-again\.ts:4: orders\.name: two backupPolicy declarations are named "orders" \(first declared at .*teams\/orders\/Orders_v2\.ts:4\) \(DUP001\)/);
    for (const report of reports) expect(report).toBe(reports[0]);
  });
});
