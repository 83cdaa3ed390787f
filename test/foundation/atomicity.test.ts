/**
 * The output folder is only ever replaced whole: a failing synth leaves it byte for byte as it was,
 * an unchanged synth does not touch it, and a synth killed in the middle of the swap is finished by
 * the next one. Each case works in its own copy of the example organisation, so they run at once.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, type ExpectStatic, it } from 'vitest';
import { type CliResult, runSynth, stackTraceLines } from '../support/run-cli.ts';
import { hashTree, makeTempProject, mtimesOf, readTree, type TempProject } from '../support/temp.ts';

/** A valid extra policy, to change the output. */
const extraPolicy = `import { backupPolicy, restorePlan } from 'restorable';
import { prodEu } from '../clusters.ts';

export const tickets = backupPolicy('tickets', {
  cluster: prodEu,
  namespaces: ['tickets'],
  rpo: '1h',
  retention: { hourly: 24, daily: 7, weekly: 4, monthly: 12 },
  volumes: 'snapshot-data-mover',
});

export const ticketsNamespaceLoss = restorePlan('tickets-namespace-loss', {
  from: tickets,
  to: prodEu,
  scenario: 'namespace-loss',
  rto: '1h',
  drill: { every: 'week' },
});
`;

/**
 * A copy of the example organisation with a populated output, and what that output was. The output
 * is synthesized, or (cheaper, for cases that only need some output) copied from `generated/`.
 */
interface Populated {
  readonly project: TempProject;
  readonly hash: string;
  readonly times: Map<string, bigint>;
  synth(env?: Readonly<Record<string, string>>): Promise<CliResult>;
  /** What lies beside the output folder: the output and any swap or lock leftovers. */
  besideOutput(): Promise<string[]>;
}

async function populated(expect: ExpectStatic, how: 'synth' | 'copy' = 'synth'): Promise<Populated> {
  const project = await makeTempProject({ copyExamplePolicies: true, populateOutput: how === 'copy' });
  const synth = (env: Readonly<Record<string, string>> = {}) => runSynth(project.policiesDir, project.outDir, { env });
  if (how === 'synth') {
    const first = await synth();
    expect(first.code, first.stderr).toBe(0);
  }
  return {
    project,
    hash: await hashTree(project.outDir),
    times: await mtimesOf(project.outDir),
    synth,
    besideOutput: async () => (await readdir(project.dir)).filter((name) => name !== 'policies').sort(),
  };
}

async function expectUntouched(expect: ExpectStatic, p: Populated): Promise<void> {
  expect(await hashTree(p.project.outDir)).toBe(p.hash);
  expect(await mtimesOf(p.project.outDir)).toEqual(p.times);
  expect(await p.besideOutput()).toEqual(['out']);
}

const failures: readonly { readonly title: string; readonly file: string; readonly source: string; readonly stderr: RegExp }[] = [
  {
    title: 'a policy error (negative retention)',
    file: 'teams/broken.ts',
    source: `import { backupPolicy } from 'restorable';\nimport { prodEu } from '../clusters.ts';\n\nexport const broken = backupPolicy('broken', { cluster: prodEu, namespaces: ['broken'], rpo: '1h', retention: { daily: -1 } });\n`,
    stderr: /broken\.retention\.daily: expected a whole number >= 0, got -1 \(RET002\)[\s\S]*synth failed: \d+ errors?, \d+ warnings?; .*out left unchanged\n$/,
  },
  {
    title: 'a policy file that throws while loading',
    file: 'teams/throws.ts',
    source: `throw new Error('the inventory service is down');\n`,
    stderr: /teams\/throws\.ts:1: the inventory service is down/,
  },
];

describe.concurrent('atomicity', () => {
  for (const failure of failures) {
    it(`GIVEN a populated output and ${failure.title} WHEN synth runs THEN it exits 1, prints no stack trace and leaves the output byte for byte unchanged`, async ({ expect }) => {
      const p = await populated(expect, 'copy');
      try {
        await p.project.writePolicy(failure.file, failure.source);
        const result = await p.synth();
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr).toMatch(failure.stderr);
        expect(stackTraceLines(result.stderr)).toEqual([]);
        expect(result.stdout).toBe('');
        await expectUntouched(expect, p);
      } finally {
        await p.project.cleanup();
      }
    });
  }

  it('GIVEN a populated output and a value that only fails once objects are rendered (a NaN snapshot class parameter) WHEN synth runs THEN it exits non-zero and the output is unchanged', async ({
    expect,
  }) => {
    const p = await populated(expect, 'copy');
    try {
      const clusters = path.join(p.project.policiesDir, 'clusters.ts');
      const original = await readFile(clusters, 'utf8');
      const broken = original.replace("deletionPolicy: 'Retain' }", "deletionPolicy: 'Retain', parameters: { iops: Number.NaN } }");
      expect(broken).not.toBe(original);
      await writeFile(clusters, broken);
      const result = await p.synth();
      expect(result.code).not.toBe(0);
      await expectUntouched(expect, p);
    } finally {
      await p.project.cleanup();
    }
  });

  it('GIVEN a populated output and unchanged policies WHEN synth runs again THEN it reports up to date and touches nothing', async ({ expect }) => {
    const p = await populated(expect);
    try {
      const result = await p.synth();
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^synth: .*out is up to date \(\d+ files\)\n$/);
      await expectUntouched(expect, p);
    } finally {
      await p.project.cleanup();
    }
  });

  it('GIVEN a new policy WHEN synth runs THEN the output changes, and removing the policy restores the original bytes', async ({ expect }) => {
    const p = await populated(expect);
    try {
      await p.project.writePolicy('teams/tickets.ts', extraPolicy);
      const added = await p.synth();
      expect(added.code, added.stderr).toBe(0);
      expect(added.stdout).toMatch(/^synth: wrote \d+ files to /);
      expect(await hashTree(p.project.outDir)).not.toBe(p.hash);
      expect([...(await readTree(p.project.outDir)).keys()]).toContain('clusters/prod-eu/velero/schedule-tickets-daily.yaml');
      await rm(path.join(p.project.policiesDir, 'teams/tickets.ts'));
      const removed = await p.synth();
      expect(removed.code, removed.stderr).toBe(0);
      expect(await hashTree(p.project.outDir)).toBe(p.hash);
      expect(await p.besideOutput()).toEqual(['out']);
    } finally {
      await p.project.cleanup();
    }
  });

  it('GIVEN synth killed between the two renames of the swap WHEN synth runs again THEN it finishes the swap, takes over the dead lock and the output equals a clean synth', async ({
    expect,
  }) => {
    const p = await populated(expect);
    try {
      await p.project.writePolicy('teams/tickets.ts', extraPolicy);
      const probeDir = path.join(p.project.dir, 'probe');
      const probe = await runSynth(p.project.policiesDir, probeDir);
      expect(probe.code, probe.stderr).toBe(0);
      const expected = await hashTree(probeDir);
      const files = Number(/wrote (\d+) files/.exec(probe.stdout)?.[1]);
      await rm(probeDir, { recursive: true });

      // Writes: every file, the manifest, rename out -> .prev, then rename .next -> out.
      const killed = await p.synth({ RESTORABLE_FAILPOINT_WRITE: String(files + 3) });
      expect(killed.signal).toBe('SIGKILL');
      expect(await p.besideOutput()).toEqual(['.out.lock', '.out.next', '.out.prev']);

      const resumed = await p.synth();
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toMatch(/is up to date/);
      expect(await hashTree(p.project.outDir)).toBe(expected);
      expect(await p.besideOutput()).toEqual(['out']);
    } finally {
      await p.project.cleanup();
    }
  });
});
