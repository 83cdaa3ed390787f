/**
 * Crash safety of the real CLI. `synth` is SIGKILLed (RESTORABLE_FAILPOINT_WRITE=N) at twenty
 * points spread over its write phase, from the first file to the cleanup after the swap: the output
 * must be the complete old or the complete new tree when read through the recovery rules the README
 * states, and after the recovery the next run performs (src/output/writer.ts recoverInterruptedSwap,
 * on a copy); the next run itself is run from five of the points, the swap among them.
 *
 * `commit` is killed the same way (RESTORABLE_FAILPOINT_COMMIT=N) while committing a real synth
 * output through the real binary. test/git/crash.test.ts kills it at every write on a small sample
 * output; here a spread of points over a full-size output, and a synth killed mid-swap inside a
 * repository, followed by commit.
 */
import { cp, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoverInterruptedSwap } from '../../src/output/writer.ts';
import { createTestRepo, fsck, runGit, type TestRepo } from '../git/support/repo.ts';
import { runSynth } from '../support/run-cli.ts';
import { hashTree } from '../support/temp.ts';
import { runBin } from './support/cli.ts';
import { createPool } from './support/pool.ts';
import { type TwoTrees, twoTrees } from './support/trees.ts';

const pool = createPool(3);

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/**
 * The tree a reader gets by the README's recovery rules, independently of src/output: the output
 * folder if it exists; else `.<out>.next` when its manifest (written last) exists; else `.<out>.prev`.
 */
async function viewThroughRecoveryRules(out: string): Promise<string> {
  const next = path.join(path.dirname(out), `.${path.basename(out)}.next`);
  const prev = path.join(path.dirname(out), `.${path.basename(out)}.prev`);
  if (await exists(out)) return out;
  if (await exists(path.join(next, '.restorable', 'manifest.json'))) return next;
  return prev;
}

/**
 * Synth's writes, in order: each file of the new tree, the manifest, renaming the output to `.prev`,
 * renaming `.next` to the output, removing `.prev`. Twenty kill points: the first two, fourteen
 * spread over the files, and the last four, where the swap happens.
 */
function killPoints(files: number): number[] {
  const spread = Array.from({ length: 14 }, (_, i) => 3 + Math.floor((i * (files - 3)) / 13));
  return [...new Set([1, 2, ...spread, files + 1, files + 2, files + 3, files + 4])];
}

let trees: TwoTrees;
beforeAll(async () => {
  trees = await twoTrees();
}, 120_000);
afterAll(() => trees.project.cleanup());

describe('synth killed during its write phase', () => {
  it('GIVEN the new tree WHEN the kill points are chosen THEN there are twenty, covering the files, the manifest and both renames', () => {
    const points = killPoints(trees.newFiles);
    expect(points).toHaveLength(20);
    expect(points.at(-1)).toBe(trees.newFiles + 4);
  });

  describe.concurrent('each kill point', () => {
    for (let index = 0; index < 20; index++) {
      it(`GIVEN the old tree and new policies WHEN synth is SIGKILLed at kill point ${index + 1} of 20 THEN the old or the new tree is readable at once, after recovery and after the next run`, async ({ expect }) => {
        const total = trees.newFiles + 4;
        const write = killPoints(trees.newFiles)[index] ?? 0;
        const dir = path.join(trees.project.dir, 'crash', String(write));
        const out = path.join(dir, 'generated');
        await trees.copyOld(out);

        const killed = await pool(() => runSynth(trees.newPolicies, out, { env: { RESTORABLE_FAILPOINT_WRITE: String(write) } }));
        expect(killed.signal, `write ${write} of ${total}: ${killed.stderr}`).toBe('SIGKILL');

        // Until the output is renamed away (write total - 1), readers see the old tree; from then on, the new one.
        const expected = write <= total - 2 ? trees.oldHash : trees.newHash;
        expect(await hashTree(await viewThroughRecoveryRules(out)), `read at write ${write} of ${total}`).toBe(expected);

        // What the next run does before anything else; a copy, so the next run below starts from the crash itself.
        const copy = path.join(`${dir}-copy`, 'generated');
        await cp(dir, `${dir}-copy`, { recursive: true });
        await recoverInterruptedSwap(copy);
        expect(await hashTree(copy), `recovered at write ${write}`).toBe(expected);
        expect((await readdir(path.dirname(copy))).filter((name) => name !== '.generated.lock')).toEqual(['generated']);
        await rm(`${dir}-copy`, { recursive: true, force: true });

        // The next run itself, from a sample of the points (the first, one amid the files, and the swap).
        if ([0, 9, 17, 18, 19].includes(index)) {
          const next = await pool(() => runSynth(trees.newPolicies, out));
          expect(next.code, next.stderr).toBe(0);
          expect(await hashTree(out)).toBe(trees.newHash);
          expect(await readdir(dir)).toEqual(['generated']);
        }
        await rm(dir, { recursive: true, force: true });
      }, 240_000);
    }
  });
});

describe('commit killed while committing a full synth output', () => {
  let base: TestRepo;
  let baseHead: string;

  /** A repository whose HEAD holds the old tree and whose working tree holds the new one. */
  beforeAll(async () => {
    base = await createTestRepo();
    await trees.copyOld(path.join(base.dir, 'generated'));
    const first = await runBin(['commit', '-m', 'old tree'], { cwd: base.dir, env: base.env });
    expect(first.code, first.stderr).toBe(0);
    baseHead = base.git('rev-parse', 'HEAD').trim();
    await rm(path.join(base.dir, 'generated'), { recursive: true });
    await cp(trees.newTree, path.join(base.dir, 'generated'), { recursive: true });
  }, 120_000);
  afterAll(() => base.cleanup());

  /** A copy of the base repository, git files and all, driven by the git CLI with the base's environment. */
  async function copyOfBase(name: string): Promise<TestRepo> {
    const dir = path.join(path.dirname(base.dir), name);
    await cp(base.dir, dir, { recursive: true });
    const tryGit = (...args: string[]) => runGit(dir, base.env, args);
    return {
      dir,
      home: base.home,
      env: base.env,
      tryGit,
      git: (...args: string[]) => {
        const run = tryGit(...args);
        if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`);
        return run.stdout;
      },
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  }

  /** The new tree as committed: one entry per file plus the manifest. */
  function committedFiles(repo: TestRepo): number {
    return repo.git('ls-tree', '-r', '--name-only', 'HEAD', '--', 'generated').trim().split('\n').length;
  }

  const killedAt: number[] = [];
  /** Spread over the commit's writes (a few dozen here: the new blobs, trees, the index and the ref). */
  const COMMIT_KILL_POINTS = [1, 3, 6, 10, 15, 21, 28, 36];

  describe.concurrent('each kill point', () => {
    for (const write of COMMIT_KILL_POINTS) {
      it(`GIVEN a commit SIGKILLed at its write ${write} WHEN inspected THEN git fsck --strict passes, and the next commit lands the new tree exactly once`, async ({ expect }) => {
        const repo = await copyOfBase(`kill-${write}`);
        try {
          const run = await pool(() => runBin(['commit', '-m', 'new tree'], { cwd: repo.dir, env: { ...repo.env, RESTORABLE_FAILPOINT_COMMIT: String(write) } }));
          const check = fsck(repo);
          expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
          expect(check.stderr).toBe('');
          if (run.signal !== 'SIGKILL') {
            // Past the commit's last write: it simply finished.
            expect(run.code, run.stderr).toBe(0);
          } else {
            killedAt.push(write);
            let again = await pool(() => runBin(['commit', '-m', 'new tree', '--lock-timeout', '0'], { cwd: repo.dir, env: repo.env }));
            const refLock = /holds (\.git\/refs\/heads\/main\.lock); if none is running, remove it/.exec(again.stderr)?.[1];
            if (again.code === 1 && refLock) {
              // The one lock a user removes by hand, as the message says (test/git/crash.test.ts covers why).
              await rm(path.join(repo.dir, refLock));
              again = await pool(() => runBin(['commit', '-m', 'new tree', '--lock-timeout', '0'], { cwd: repo.dir, env: repo.env }));
            }
            expect(again.code, again.stderr).toBe(0);
          }
          expect(repo.git('rev-list', '--count', `${baseHead}..HEAD`).trim()).toBe('1');
          expect(repo.git('status', '--porcelain')).toBe('');
          expect(committedFiles(repo)).toBe(trees.newFiles + 1);
          expect(fsck(repo).status).toBe(0);
        } finally {
          await repo.cleanup();
        }
      }, 240_000);
    }
  });

  it('GIVEN the kill points above WHEN they ran THEN at least five fell inside the commit, every point before the last write among them', () => {
    const killed = [...killedAt].sort((a, b) => a - b);
    expect(killed.length).toBeGreaterThanOrEqual(5);
    expect(killed).toEqual(COMMIT_KILL_POINTS.slice(0, killed.length));
  });

  it('GIVEN synth SIGKILLed between its two renames inside a repository WHEN commit runs THEN it refuses (no output to commit), git stays intact, and after the next synth the commit lands the new tree', async () => {
    const repo = await copyOfBase('synth-killed');
    try {
      // Back to the old tree in the working tree, then a synth of the new policies killed mid-swap.
      await rm(path.join(repo.dir, 'generated'), { recursive: true });
      await trees.copyOld(path.join(repo.dir, 'generated'));
      const out = path.join(repo.dir, 'generated');
      const killed = await pool(() => runSynth(trees.newPolicies, out, { env: { RESTORABLE_FAILPOINT_WRITE: String(trees.newFiles + 3) } }));
      expect(killed.signal).toBe('SIGKILL');
      expect(await exists(out)).toBe(false);

      const refused = await pool(() => runBin(['commit', '-m', 'half a swap'], { cwd: repo.dir, env: repo.env }));
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/no synth manifest/);
      expect(repo.git('rev-parse', 'HEAD').trim()).toBe(baseHead);
      expect(fsck(repo).status).toBe(0);

      const resumed = await pool(() => runSynth(trees.newPolicies, out));
      expect(resumed.code, resumed.stderr).toBe(0);
      const committed = await pool(() => runBin(['commit', '-m', 'new tree'], { cwd: repo.dir, env: repo.env }));
      expect(committed.code, committed.stderr).toBe(0);
      expect(committedFiles(repo)).toBe(trees.newFiles + 1);
      expect(await hashTree(out)).toBe(trees.newHash);
      // The swap's leftovers and lock sit beside the output, outside what git tracks: .gitignore them in a real repository.
      expect(repo.git('status', '--porcelain', '--', 'generated')).toBe('');
      expect(fsck(repo).status).toBe(0);
    } finally {
      await repo.cleanup();
    }
  }, 240_000);
});
