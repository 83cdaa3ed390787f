/**
 * Processes racing on one output through the real binary: two synths (same or different policies),
 * two commits of a full synth output, and a synth racing a commit. Each either succeeds (one after
 * the other) or fails cleanly with the lock message; the output and the commits are always one
 * complete tree. test/foundation/writer.test.ts covers the lock itself (live, stale and pid-less
 * owners) and test/git/concurrency.test.ts commits racing on a small sample output.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRepo, fsck, type TestRepo } from '../git/support/repo.ts';
import { type CliResult, runSynth, stackTraceLines } from '../support/run-cli.ts';
import { hashTree } from '../support/temp.ts';
import { runBin } from './support/cli.ts';
import { type TwoTrees, twoTrees } from './support/trees.ts';

let trees: TwoTrees;
beforeAll(async () => {
  trees = await twoTrees();
}, 120_000);
afterAll(() => trees.project.cleanup());

/** A synth that lost the race may only fail with the lock message, never with a stack trace. */
function expectSucceededOrLocked(run: CliResult): void {
  expect(run.signal).toBeNull();
  expect(stackTraceLines(run.stderr)).toEqual([]);
  if (run.code !== 0) {
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: another restorable process \(pid \d+\) is writing this output; lock file /m);
  }
}

describe('two synths at once on one output', () => {
  it('GIVEN the old tree WHEN two synths of the new policies start together THEN both succeed one after the other (or one reports the lock), and the output is the complete new tree', async () => {
    const dir = path.join(trees.project.dir, 'race-same');
    const out = path.join(dir, 'generated');
    await trees.copyOld(out);

    const runs = await Promise.all([runSynth(trees.newPolicies, out), runSynth(trees.newPolicies, out)]);

    for (const run of runs) expectSucceededOrLocked(run);
    expect(runs.some((run) => run.code === 0)).toBe(true);
    expect(await hashTree(out)).toBe(trees.newHash);
    expect(await readdir(dir)).toEqual(['generated']);
  }, 120_000);

  it('GIVEN no output WHEN synths of the old and of the new policies start together THEN the output is one complete tree, never a mix', async () => {
    const dir = path.join(trees.project.dir, 'race-different');
    const out = path.join(dir, 'generated');
    await mkdir(dir, { recursive: true });

    const runs = await Promise.all([runSynth(trees.oldPolicies, out), runSynth(trees.newPolicies, out)]);

    for (const run of runs) expectSucceededOrLocked(run);
    expect([trees.oldHash, trees.newHash]).toContain(await hashTree(out));
    expect(await readdir(dir)).toEqual(['generated']);
  }, 120_000);
});

describe('commits racing on a full synth output', () => {
  let repo: TestRepo;

  beforeAll(async () => {
    repo = await createTestRepo();
  });
  afterAll(() => repo.cleanup());

  /** The generated tree of HEAD, extracted and hashed like an output folder. */
  async function headTree(): Promise<string> {
    const dir = path.join(path.dirname(repo.dir), 'head');
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
    const archive = execFileSync('git', ['archive', 'HEAD', 'generated'], { cwd: repo.dir, env: repo.env, maxBuffer: 256 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
    return hashTree(path.join(dir, 'generated'));
  }

  it('GIVEN the new tree WHEN two commits start together THEN one commits it, the other waits and finds nothing (or reports the lock), and fsck passes', async () => {
    await cp(trees.newTree, path.join(repo.dir, 'generated'), { recursive: true });

    const runs = await Promise.all([
      runBin(['commit', '-m', 'new tree'], { cwd: repo.dir, env: repo.env }),
      runBin(['commit', '-m', 'new tree'], { cwd: repo.dir, env: repo.env }),
    ]);

    for (const run of runs) {
      expect(run.signal).toBeNull();
      expect(stackTraceLines(run.stderr)).toEqual([]);
      if (run.code !== 0) expect(run.stderr).toContain('another git process holds .git/index.lock');
    }
    expect(runs.filter((run) => run.stdout.startsWith('committed '))).toHaveLength(1);
    expect(repo.git('rev-list', '--count', 'HEAD').trim()).toBe('2');
    expect(await headTree()).toBe(trees.newHash);
    expect(repo.git('status', '--porcelain')).toBe('');
    expect(fsck(repo)).toMatchObject({ status: 0, stderr: '' });
  }, 120_000);

  it('GIVEN the new tree committed WHEN a synth back to the old policies and a commit start together THEN the commit holds one complete tree or refuses cleanly, and a last commit lands the old tree', async () => {
    const out = path.join(repo.dir, 'generated');
    const [synth, commit] = await Promise.all([
      runSynth(trees.oldPolicies, out),
      runBin(['commit', '-m', 'racing synth'], { cwd: repo.dir, env: repo.env }),
    ]);

    expect(synth.code, synth.stderr).toBe(0);
    expect(commit.signal).toBeNull();
    expect(stackTraceLines(commit.stderr)).toEqual([]);
    // It read the tree before the swap (nothing to commit), after it (the old tree), or saw it change under it and refused.
    expect([0, 1]).toContain(commit.code);
    expect([trees.oldHash, trees.newHash]).toContain(await headTree());
    expect(fsck(repo)).toMatchObject({ status: 0, stderr: '' });

    const last = await runBin(['commit', '-m', 'old tree'], { cwd: repo.dir, env: repo.env });
    expect(last.code, last.stderr).toBe(0);
    expect(await headTree()).toBe(trees.oldHash);
    expect(repo.git('status', '--porcelain', '--', 'generated')).toBe('');
    expect(fsck(repo)).toMatchObject({ status: 0, stderr: '' });
  }, 120_000);
});
