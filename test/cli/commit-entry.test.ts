/**
 * `restorable commit` through the real entry point (bin/restorable.mjs), which loads the commit
 * command with tsx's in-thread require hook instead of its import hooks (see the entry point).
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestRepo, sampleOutput, type TestRepo, writeGenerated } from '../git/support/repo.ts';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'restorable.mjs');

describe('restorable commit through bin/restorable.mjs', () => {
  let repo: TestRepo;
  beforeEach(async () => {
    repo = await createTestRepo();
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  const run = (args: readonly string[], preload?: string) =>
    spawnSync(process.execPath, [...(preload ? ['--require', preload] : []), BIN, ...args], { cwd: repo.dir, env: repo.env, encoding: 'utf8' });

  it('GIVEN synth output WHEN committed from the command line THEN git has the commit, the index is clean, and a second run has nothing to commit', async () => {
    await writeGenerated(repo.dir, sampleOutput(['prod-eu', 'dr-us']));
    const first = run(['commit', '--message', 'synth']);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^committed [0-9a-f]{12} on main \(11 files\)\n {2}dr-us: /);
    expect(repo.git('log', '--format=%s', '-1').trim()).toBe('synth');
    expect(repo.git('status', '--porcelain')).toBe('');
    const second = run(['--verbose', 'commit']);
    expect(second.status).toBe(0);
    expect(second.stdout).toBe('nothing to commit\n');
  });

  it('GIVEN a hand edit or an unknown option WHEN committed THEN it exits 1 or 2 with the message, as the other commands do', async () => {
    await writeGenerated(repo.dir, sampleOutput(['prod-eu']));
    await writeFile(path.join(repo.dir, 'generated', 'clusters', 'prod-eu', 'stray.yaml'), 'kind: Stray\n');
    const refused = run(['commit']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('generated/clusters/prod-eu/stray.yaml (not in manifest)');
    const usage = run(['commit', '--no-such-option']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("unknown option '--no-such-option'");
    const help = run(['commit', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--lock-timeout <seconds>');
  });

  it('GIVEN the commit command WHEN started THEN its modules load through the in-thread require hook, with isomorphic-git loaded before it', async () => {
    const probe = path.join(repo.home, 'probe.cjs');
    await writeFile(
      probe,
      `process.on('exit', () => { const loaded = Object.keys(require.cache); process.stderr.write(JSON.stringify({ git: loaded.some((f) => f.endsWith('src/git/commit-generated.ts')), iso: loaded.some((f) => f.includes('isomorphic-git')) })); });\n`,
    );
    const help = run(['commit', '--help'], probe);
    expect(help.status).toBe(0);
    expect(JSON.parse(help.stderr)).toEqual({ git: true, iso: true });
  });
});
