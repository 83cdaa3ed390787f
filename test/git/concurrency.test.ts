import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitGenerated } from '../../src/git/index.ts';
import { acquireLock } from '../../src/git/lock.ts';
import { createTestRepo, fsck, sampleOutput, type TestRepo, writeGenerated } from './support/repo.ts';
import { runCommitCli } from './support/run-cli.ts';

/** A pid that has just exited, so no process owns it. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('commit concurrency and locking', () => {
  let repo: TestRepo;
  let lockPath: string;
  beforeEach(async () => {
    repo = await createTestRepo();
    lockPath = path.join(repo.dir, '.git', 'index.lock');
    await writeGenerated(repo.dir, sampleOutput(['prod-eu', 'dr-us']));
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  it('GIVEN two processes committing at once WHEN both finish THEN one commit exists, the other waited or failed cleanly, and fsck passes', async () => {
    const runs = await Promise.all([runCommitCli([], { cwd: repo.dir, env: repo.env }), runCommitCli([], { cwd: repo.dir, env: repo.env })]);

    for (const run of runs) {
      expect(run.signal).toBeNull();
      if (run.code !== 0) expect(run.stderr).toContain('another git process holds .git/index.lock');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    const outputs = runs.map((r) => r.stdout.split(' ')[0]?.trim()).sort();
    expect(outputs).toEqual(['committed', 'nothing']);
    expect(repo.git('rev-list', '--count', 'HEAD').trim()).toBe('2');
    expect(repo.git('status', '--porcelain')).toBe('');
    expect(fsck(repo)).toMatchObject({ status: 0, stderr: '' });
    await expect(fs.access(lockPath)).rejects.toThrow();
  });

  it('GIVEN four processes started together WHEN they finish THEN exactly one committed, the others waited and found nothing to commit', async () => {
    const runs = await Promise.all([1, 2, 3, 4].map(() => runCommitCli(['--lock-timeout', '30'], { cwd: repo.dir, env: repo.env })));

    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    expect(runs.map((r) => r.stdout.split(' ')[0]?.trim()).sort()).toEqual(['committed', 'nothing', 'nothing', 'nothing']);
    expect(repo.git('rev-list', '--count', 'HEAD').trim()).toBe('2');
    expect(repo.git('status', '--porcelain')).toBe('');
    expect(fsck(repo).status).toBe(0);
  });

  it('GIVEN the git CLI holds index.lock briefly WHEN committing THEN restorable waits for it, then commits', async () => {
    await fs.writeFile(lockPath, '');
    // The lock goes once the child says it waits for it: a fixed delay raced the child's start-up on a loaded machine.
    let released: Promise<void> | undefined;
    const run = runCommitCli([], {
      cwd: repo.dir,
      env: repo.env,
      onStderr: (stderr) => {
        if (released === undefined && stderr.includes('waiting for .git/index.lock')) released = fs.rm(lockPath);
      },
    });

    const result = await run;
    await released;

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('restorable commit: waiting for .git/index.lock (another git process is running)\n');
    expect(result.stdout).toMatch(/^committed /);
  });

  it('GIVEN a lock that is never released WHEN the timeout passes THEN it fails cleanly and leaves the lock alone', async () => {
    await fs.writeFile(lockPath, '');

    const run = await runCommitCli(['--lock-timeout', '1'], { cwd: repo.dir, env: repo.env });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('restorable commit: another git process holds .git/index.lock; if none is running, remove it\n');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    await expect(fs.access(lockPath)).resolves.toBeUndefined();
    expect(repo.git('rev-list', '--count', 'HEAD').trim()).toBe('1');
  });

  it('GIVEN a lock left by a killed restorable process WHEN committing THEN it is proven stale, removed, and the commit proceeds', async () => {
    const pid = deadPid();
    await fs.writeFile(lockPath, `restorable-lock pid=${pid} host=${hostname()} token=abc\n`);
    const notices: string[] = [];

    const result = await commitGenerated({ dir: repo.dir, env: repo.env, lockTimeoutMs: 0, onNotice: (n) => notices.push(n) });

    expect(result.status).toBe('committed');
    expect(notices).toEqual([`removed stale .git/index.lock left by restorable (pid ${pid}, no longer running)`]);
  });

  it('GIVEN a restorable lock from another host or a live pid WHEN committing THEN it is not removed', async () => {
    await fs.writeFile(lockPath, `restorable-lock pid=${deadPid()} host=elsewhere.example token=abc\n`);
    await expect(commitGenerated({ dir: repo.dir, env: repo.env, lockTimeoutMs: 200 })).rejects.toThrow(
      'another git process holds .git/index.lock (restorable, pid',
    );
    await fs.writeFile(lockPath, `restorable-lock pid=${process.ppid} host=${hostname()} token=abc\n`);
    await expect(commitGenerated({ dir: repo.dir, env: repo.env, lockTimeoutMs: 200 })).rejects.toThrow('if none is running, remove it');
    await expect(fs.access(lockPath)).resolves.toBeUndefined();
  });

  it('GIVEN restorable holds index.lock WHEN the git CLI tries to commit THEN git refuses', async () => {
    const lock = await acquireLock(lockPath, { timeoutMs: 0 });
    try {
      const run = repo.tryGit('commit', '--allow-empty', '-m', 'concurrent');
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('index.lock');
    } finally {
      await lock.release();
    }
    await expect(fs.access(lockPath)).rejects.toThrow();
  });
});
