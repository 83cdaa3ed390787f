/**
 * The output folder is only ever replaced whole: a failing synth leaves it byte for byte as it was,
 * an unchanged synth does not touch it, and a synth killed in the middle of the swap is finished by
 * the next one.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runSynth, stackTraceLines } from '../support/run-cli.ts';
import { hashTree, makeTempProject, mtimesOf, readTree, type TempProject } from '../support/temp.ts';

/** A valid extra policy, to change the output. */
const extraPolicy = `import { backupPolicy, restorePlan } from 'restorable';
import { drUs, prodEu } from '../clusters.ts';

export const tickets = backupPolicy('tickets', {
  cluster: prodEu,
  namespaces: ['tickets'],
  rpo: '1h',
  retention: { hourly: 24, daily: 7, weekly: 4, monthly: 12 },
  volumes: 'snapshot-data-mover',
});

export const ticketsRegionLoss = restorePlan('tickets-region-loss', {
  from: tickets,
  to: drUs,
  scenario: 'region-loss',
  rto: '1h',
  drill: { every: 'week' },
});
`;

let project: TempProject;
let populated: { hash: string; times: Map<string, bigint> };

async function synth(env: Readonly<Record<string, string>> = {}): Promise<CliResult> {
  return runSynth(project.policiesDir, project.outDir, { env });
}

/** What lies beside the output folder: the output and any swap or lock leftovers. */
async function besideOutput(): Promise<string[]> {
  return (await readdir(project.dir)).filter((name) => name !== 'policies').sort();
}

async function expectUntouched(): Promise<void> {
  expect(await hashTree(project.outDir)).toBe(populated.hash);
  expect(await mtimesOf(project.outDir)).toEqual(populated.times);
  expect(await besideOutput()).toEqual(['out']);
}

beforeAll(async () => {
  project = await makeTempProject({ copyExamplePolicies: true });
  const first = await synth();
  expect(first.code, first.stderr).toBe(0);
  populated = { hash: await hashTree(project.outDir), times: await mtimesOf(project.outDir) };
}, 120_000);
afterAll(() => project.cleanup());

describe('atomicity: failed synth', () => {
  const failures: readonly { readonly title: string; readonly file: string; readonly source: string; readonly expect: RegExp; readonly code: number }[] = [
    {
      title: 'a policy error (negative retention)',
      file: 'teams/broken.ts',
      source: `import { backupPolicy } from 'restorable';\nimport { prodEu } from '../clusters.ts';\n\nexport const broken = backupPolicy('broken', { cluster: prodEu, namespaces: ['broken'], rpo: '1h', retention: { daily: -1 } });\n`,
      expect: /broken\.retention\.daily: expected a whole number >= 0, got -1 \(RET002\)[\s\S]*synth failed: \d+ errors?, \d+ warnings?; .*out left unchanged\n$/,
      code: 1,
    },
    {
      title: 'a policy file that throws while loading',
      file: 'teams/throws.ts',
      source: `throw new Error('the inventory service is down');\n`,
      expect: /teams\/throws\.ts:1: the inventory service is down/,
      code: 1,
    },
  ];

  for (const failure of failures) {
    it(`GIVEN a populated output and ${failure.title} WHEN synth runs THEN it exits ${failure.code}, prints no stack trace and leaves the output byte for byte unchanged`, async () => {
      await project.writePolicy(failure.file, failure.source);
      try {
        const result = await synth();
        expect(result.code, result.stderr).toBe(failure.code);
        expect(result.stderr).toMatch(failure.expect);
        expect(stackTraceLines(result.stderr)).toEqual([]);
        expect(result.stdout).toBe('');
        await expectUntouched();
      } finally {
        await rm(path.join(project.policiesDir, failure.file));
      }
    });
  }
});

describe('atomicity: failure after lowering', () => {
  it('GIVEN a populated output and a value that only fails once objects are rendered (a NaN snapshot class parameter) WHEN synth runs THEN it exits non-zero and the output is unchanged', async () => {
    const clusters = path.join(project.policiesDir, 'clusters.ts');
    const original = await readFile(clusters, 'utf8');
    const broken = original.replace("deletionPolicy: 'Retain' }", "deletionPolicy: 'Retain', parameters: { iops: Number.NaN } }");
    expect(broken).not.toBe(original);
    await writeFile(clusters, broken);
    try {
      const result = await synth();
      expect(result.code).not.toBe(0);
      await expectUntouched();
    } finally {
      await writeFile(clusters, original);
    }
  });
});

describe('atomicity: unchanged synth', () => {
  it('GIVEN a populated output and unchanged policies WHEN synth runs again THEN it reports up to date and touches nothing', async () => {
    const result = await synth();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^synth: .*out is up to date \(\d+ files\)\n$/);
    await expectUntouched();
  });
});

describe('atomicity: changed synth and crash', () => {
  it('GIVEN a new policy WHEN synth runs THEN the output changes, and removing the policy restores the original bytes', async () => {
    await project.writePolicy('teams/tickets.ts', extraPolicy);
    const added = await synth();
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^synth: wrote \d+ files to /);
    expect(await hashTree(project.outDir)).not.toBe(populated.hash);
    expect([...(await readTree(project.outDir)).keys()]).toContain('clusters/prod-eu/velero/schedule-tickets-daily.yaml');
    await rm(path.join(project.policiesDir, 'teams/tickets.ts'));
    const removed = await synth();
    expect(removed.code, removed.stderr).toBe(0);
    expect(await hashTree(project.outDir)).toBe(populated.hash);
    expect(await besideOutput()).toEqual(['out']);
  });

  it('GIVEN synth killed between the two renames of the swap WHEN synth runs again THEN it finishes the swap, takes over the dead lock and the output equals a clean synth', async () => {
    await project.writePolicy('teams/tickets.ts', extraPolicy);
    try {
      const probe = await runSynth(project.policiesDir, path.join(project.dir, 'probe'));
      expect(probe.code, probe.stderr).toBe(0);
      const expected = await hashTree(path.join(project.dir, 'probe'));
      const files = Number(/wrote (\d+) files/.exec(probe.stdout)?.[1]);
      await rm(path.join(project.dir, 'probe'), { recursive: true });

      // Writes: every file, the manifest, rename out -> .prev, then rename .next -> out.
      const killed = await synth({ RESTORABLE_FAILPOINT_WRITE: String(files + 3) });
      expect(killed.signal).toBe('SIGKILL');
      expect(await besideOutput()).toEqual(['.out.lock', '.out.next', '.out.prev']);

      const resumed = await synth();
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toMatch(/is up to date/);
      expect(await hashTree(project.outDir)).toBe(expected);
      expect(await besideOutput()).toEqual(['out']);
    } finally {
      await rm(path.join(project.policiesDir, 'teams/tickets.ts'), { force: true });
    }
  });
});
