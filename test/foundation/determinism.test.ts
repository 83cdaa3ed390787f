/**
 * The same policies give the same bytes: run after run, and whatever the time zone and locale of
 * the machine. The CLI runs as child processes so TZ and the locale apply from process start.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runSynth } from '../support/run-cli.ts';
import { hashTree, listTree, makeTempProject, readTree, type TempProject } from '../support/temp.ts';

/**
 * Added to a copy of the example organisation: a policy with a time zone (every cron gets a
 * CRON_TZ prefix) and the letters i and I, which Turkish case mapping treats differently.
 */
const istanbul = `import { backupPolicy, restorePlan } from 'restorable';
import { prodEu } from '../clusters.ts';

export const invoices = backupPolicy('invoices-istanbul', {
  cluster: prodEu,
  namespaces: ['invoices', 'billing-ii'],
  includedResources: ['persistentvolumeclaims', 'Ingresses.networking.k8s.io'],
  rpo: '30m',
  retention: { hourly: 48, daily: 31, weekly: 8, monthly: 12 },
  timeZone: 'Europe/Istanbul',
  volumes: 'snapshot-data-mover',
});

export const invoicesNamespaceLoss = restorePlan('invoices-namespace-loss', {
  from: invoices,
  to: prodEu,
  scenario: 'namespace-loss',
  rto: '1h',
  drill: { every: 'week' },
});
`;

const turkishKiritimati = { TZ: 'Pacific/Kiritimati', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' };
const plainUtc = { TZ: 'UTC', LANG: 'C', LC_ALL: 'C' };

let project: TempProject;
let runs: Record<'first' | 'second' | 'turkish' | 'utc', CliResult>;
const outOf = (name: string): string => path.join(project.dir, `out-${name}`);

beforeAll(async () => {
  project = await makeTempProject({ copyExamplePolicies: true, policies: { 'teams/invoices.ts': istanbul } });
  const [first, second, turkish, utc] = await Promise.all([
    runSynth(project.policiesDir, outOf('first')),
    runSynth(project.policiesDir, outOf('second')),
    runSynth(project.policiesDir, outOf('turkish'), { env: turkishKiritimati }),
    runSynth(project.policiesDir, outOf('utc'), { env: plainUtc }),
  ]);
  runs = { first: first, second: second, turkish: turkish, utc: utc };
}, 120_000);
afterAll(() => project.cleanup());

describe('determinism', () => {
  it('GIVEN the policies WHEN synth runs four times THEN every run succeeds', () => {
    for (const [name, run] of Object.entries(runs)) expect(run.code, `${name}: ${run.stderr}`).toBe(0);
  });

  it('GIVEN the same policies WHEN synth runs twice THEN both outputs are identical, byte for byte', async () => {
    expect(await hashTree(outOf('first'))).toBe(await hashTree(outOf('second')));
  });

  it('GIVEN TZ=Pacific/Kiritimati and a Turkish locale vs TZ=UTC and the C locale WHEN synth runs THEN the outputs are identical, byte for byte', async () => {
    const turkish = await readTree(outOf('turkish'));
    const utc = await readTree(outOf('utc'));
    expect([...turkish.keys()]).toEqual([...utc.keys()]);
    const differing = [...turkish].filter(([file, bytes]) => !bytes.equals(utc.get(file) ?? Buffer.alloc(0))).map(([file]) => file);
    expect(differing).toEqual([]);
    expect(await hashTree(outOf('turkish'))).toBe(await hashTree(outOf('first')));
  });

  it('GIVEN the policy with a time zone WHEN synthesized THEN its Schedules carry CRON_TZ, so the check above covered zoned crons', async () => {
    const files = await listTree(outOf('utc'));
    const schedules = files.filter((file) => /schedule-invoices-istanbul-(hourly|daily|weekly|monthly)\.yaml$/.test(file));
    expect(schedules).toHaveLength(4);
    const tree = await readTree(outOf('utc'));
    for (const file of schedules) expect(tree.get(file)?.toString('utf8')).toMatch(/schedule: CRON_TZ=Europe\/Istanbul /);
  });
});
