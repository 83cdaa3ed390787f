import * as fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitGenerated, FAILPOINT_ENV } from '../../src/git/index.ts';
import { createTestRepo, fsck, sampleOutput, type TestRepo, writeGenerated } from './support/repo.ts';
import { type CliRun, runCommitCli } from './support/run-cli.ts';

/** The second synth: one cluster changes, one gains a file, one disappears. */
function nextOutput(): Record<string, string> {
  const files = sampleOutput(['prod-eu'], 2, 2);
  files['clusters/prod-eu/velero/new.yaml'] = 'kind: New\n';
  return files;
}

async function prepare(): Promise<TestRepo> {
  const repo = await createTestRepo();
  await writeGenerated(repo.dir, sampleOutput(['prod-eu', 'dr-us'], 2));
  expect((await commitGenerated({ dir: repo.dir, env: repo.env })).status).toBe('committed');
  await writeGenerated(repo.dir, nextOutput());
  return repo;
}

/** Commits again after the crash; removes a leftover ref lock only when told to, as a user would. */
async function recover(repo: TestRepo): Promise<CliRun> {
  let run = await runCommitCli(['--lock-timeout', '0'], { cwd: repo.dir, env: repo.env });
  const refLock = /holds (\.git\/refs\/heads\/main\.lock); if none is running, remove it/.exec(run.stderr)?.[1];
  if (run.code === 1 && refLock) {
    await fs.rm(path.join(repo.dir, refLock));
    run = await runCommitCli(['--lock-timeout', '0'], { cwd: repo.dir, env: repo.env });
  }
  return run;
}

describe('commit crash safety', () => {
  it('GIVEN a commit SIGKILLed at its n-th write WHEN inspected THEN fsck passes and a re-run completes the commit', async () => {
    const killedAt: number[] = [];
    let completedAt = 0;
    // Every write point until a run gets through; four at a time, bounded.
    for (let base = 1; completedAt === 0 && base <= 40; base += 4) {
      const batch = [base, base + 1, base + 2, base + 3];
      const outcomes = await Promise.all(
        batch.map(async (n) => {
          const repo = await prepare();
          try {
            const before = repo.git('rev-parse', 'HEAD').trim();
            const run = await runCommitCli([], { cwd: repo.dir, env: { ...repo.env, [FAILPOINT_ENV]: String(n) } });
            if (run.signal !== 'SIGKILL') {
              expect(run.code, run.stderr).toBe(0);
              return { n, killed: false };
            }
            const check = fsck(repo);
            expect(check.status, `fsck after kill at write ${n}: ${check.stdout}${check.stderr}`).toBe(0);
            expect(check.stderr, `fsck after kill at write ${n}`).toBe('');
            const head = repo.git('rev-parse', 'HEAD').trim();
            const rerun = await recover(repo);
            expect(rerun.code, `re-run after kill at write ${n}: ${rerun.stderr}`).toBe(0);
            // The branch moved exactly once: either by the killed run or by the re-run.
            expect(repo.git('rev-list', '--count', `${before}..HEAD`).trim()).toBe('1');
            if (head !== before) expect(rerun.stdout).toBe('nothing to commit\n');
            expect(repo.git('ls-tree', '-r', '--name-only', 'HEAD', 'generated/clusters')).not.toContain('dr-us');
            expect(repo.git('status', '--porcelain')).toBe('');
            expect(fsck(repo).status).toBe(0);
            return { n, killed: true };
          } finally {
            await repo.cleanup();
          }
        }),
      );
      for (const o of outcomes) {
        if (o.killed) killedAt.push(o.n);
        else if (completedAt === 0 || o.n < completedAt) completedAt = o.n;
      }
    }
    expect(completedAt).toBeGreaterThan(5);
    // Every write before the first completed run was a crash point.
    expect(killedAt.filter((n) => n < completedAt)).toEqual(Array.from({ length: completedAt - 1 }, (_, i) => i + 1));
  }, 240_000);
});
