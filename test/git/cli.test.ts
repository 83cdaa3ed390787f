import * as fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestRepo, fsck, sampleOutput, type TestRepo, writeGenerated } from './support/repo.ts';
import { runCommitCli } from './support/run-cli.ts';

describe('restorable commit (CLI)', () => {
  let repo: TestRepo;
  beforeEach(async () => {
    repo = await createTestRepo();
    await writeGenerated(repo.dir, sampleOutput(['prod-eu', 'dr-us']));
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  it('GIVEN synth output WHEN run twice from a subdirectory THEN it commits, then prints "nothing to commit" and exits 0', async () => {
    const cwd = path.join(repo.dir, 'generated', 'clusters');

    const first = await runCommitCli(['--author', 'Bot <bot@example.test>', '--date', '2024-05-01T12:00:00Z'], { cwd, env: repo.env });
    const second = await runCommitCli([], { cwd, env: repo.env });

    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/^committed [0-9a-f]{12} on main \(11 files\)\n {2}dr-us: 4 added, 0 changed, 0 removed\n/);
    expect(second).toEqual({ code: 0, signal: null, stdout: 'nothing to commit\n', stderr: '' });
    expect(repo.git('log', '-1', '--format=%an|%at').trim()).toBe('Bot|1714564800');
    expect(fsck(repo).status).toBe(0);
  });

  it('GIVEN --out relative to the working directory WHEN run THEN that directory is committed', async () => {
    await writeGenerated(repo.dir, sampleOutput(['edge'], 1), 'site/out');

    const run = await runCommitCli(['--out', 'out', '-m', 'site output'], { cwd: path.join(repo.dir, 'site'), env: repo.env });

    expect(run.code).toBe(0);
    expect(repo.git('show', '--name-only', '--format=%s', 'HEAD')).toContain('site/out/clusters/edge/velero/schedule-0.yaml');
  });

  it('GIVEN a hand edit WHEN run THEN it exits 1 with the message and no stack trace', async () => {
    await fs.appendFile(path.join(repo.dir, 'generated/argocd/prod-eu.yaml'), 'x: 1\n');

    const run = await runCommitCli([], { cwd: repo.dir, env: repo.env });

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('restorable commit: generated/ does not match the last synth');
    expect(run.stderr).toContain('generated/argocd/prod-eu.yaml (modified)');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('GIVEN --push without --branch WHEN run THEN it exits 1 before committing', async () => {
    const run = await runCommitCli(['--push', 'https://git.example.test/repo.git'], { cwd: repo.dir, env: repo.env });

    expect(run.code).toBe(1);
    expect(run.stderr).toBe('restorable commit: --push URL and --branch NAME must be given together\n');
    expect(repo.git('rev-list', '--count', 'HEAD').trim()).toBe('1');
  });

  it('GIVEN a directory outside any repository WHEN run THEN it exits 1 saying so', async () => {
    const run = await runCommitCli([], { cwd: repo.home, env: repo.env });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('not inside a git repository');
  });
});
