import * as fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitGenerated } from '../../src/git/index.ts';
import { createTestRepo, fsck, indexEntriesOutside, sampleOutput, TEST_AUTHOR, type TestRepo, writeGenerated } from './support/repo.ts';

const AUTHOR = `${TEST_AUTHOR.name} <${TEST_AUTHOR.email}>`;

describe('commitGenerated', () => {
  let repo: TestRepo;
  beforeEach(async () => {
    repo = await createTestRepo();
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  it('GIVEN a fresh synth output WHEN committed THEN git sees one commit with every file and fsck --strict passes', async () => {
    await writeGenerated(repo.dir, sampleOutput(['prod-eu', 'dr-us']));

    const result = await commitGenerated({ dir: repo.dir, env: repo.env });

    expect(result.status).toBe('committed');
    if (result.status !== 'committed') return;
    expect(repo.git('rev-parse', 'HEAD').trim()).toBe(result.commit);
    expect(repo.git('log', '--format=%s', '-1').trim()).toBe('restorable: synth');
    expect(repo.git('log', '--format=%an <%ae>', '-1').trim()).toBe(AUTHOR);
    const stat = repo.git('show', '--stat', '--format=', 'HEAD');
    expect(stat).toContain('generated/clusters/prod-eu/velero/schedule-0.yaml');
    expect(stat).toContain('generated/.restorable/manifest.json');
    expect(stat).toContain('11 files changed');
    expect(repo.git('status', '--porcelain')).toBe('');
    expect(repo.git('reflog', '-1', '--format=%gs').trim()).toBe('commit: restorable: synth');
    expect(fsck(repo)).toMatchObject({ status: 0, stderr: '' });
  });

  it('GIVEN a change in two clusters WHEN committed THEN the message summarises the change per cluster', async () => {
    await writeGenerated(repo.dir, sampleOutput(['prod-eu', 'dr-us']));
    await commitGenerated({ dir: repo.dir, env: repo.env });
    const next = sampleOutput(['prod-eu', 'dr-us']);
    next['clusters/prod-eu/velero/schedule-0.yaml'] = 'kind: Schedule\nchanged: true\n';
    next['clusters/prod-eu/velero/extra.yaml'] = 'kind: Extra\n';
    delete next['clusters/dr-us/velero/schedule-2.yaml'];
    await writeGenerated(repo.dir, next);

    const result = await commitGenerated({ dir: repo.dir, env: repo.env });

    expect(result.status === 'committed' && result.summary).toEqual([
      'dr-us: 0 added, 0 changed, 1 removed',
      'prod-eu: 1 added, 1 changed, 0 removed',
    ]);
    expect(repo.git('log', '--format=%B', '-1')).toBe(
      'restorable: synth\n\ndr-us: 0 added, 0 changed, 1 removed\nprod-eu: 1 added, 1 changed, 0 removed\n\n',
    );
  });

  it('GIVEN --message WHEN committed THEN it is the subject and the summary is the body', async () => {
    await writeGenerated(repo.dir, sampleOutput(['prod-eu'], 1));

    await commitGenerated({ dir: repo.dir, env: repo.env, message: 'Add prod-eu backups' });

    expect(repo.git('log', '--format=%s', '-1').trim()).toBe('Add prod-eu backups');
    expect(repo.git('log', '--format=%b', '-1').trim()).toBe('prod-eu: 2 added, 0 changed, 0 removed\nargocd/: 1 added, 0 changed, 0 removed');
  });

  it('GIVEN nothing changed since the last commit WHEN committed again THEN no commit is made', async () => {
    await writeGenerated(repo.dir, sampleOutput(['prod-eu']));
    await commitGenerated({ dir: repo.dir, env: repo.env });
    const head = repo.git('rev-parse', 'HEAD').trim();
    await writeGenerated(repo.dir, sampleOutput(['prod-eu'])); // synth rewrites identical files

    const result = await commitGenerated({ dir: repo.dir, env: repo.env });

    expect(result).toEqual({ status: 'unchanged', head, branch: 'refs/heads/main' });
    expect(repo.git('rev-parse', 'HEAD').trim()).toBe(head);
    expect(repo.git('status', '--porcelain')).toBe('');
  });

  it('GIVEN a cluster dropped from the output WHEN committed THEN its files are deleted in the commit and the index', async () => {
    await writeGenerated(repo.dir, sampleOutput(['prod-eu', 'dr-us']));
    await commitGenerated({ dir: repo.dir, env: repo.env });
    await writeGenerated(repo.dir, sampleOutput(['prod-eu']));

    const result = await commitGenerated({ dir: repo.dir, env: repo.env });

    expect(result.status === 'committed' && result.summary).toEqual([
      'dr-us: 0 added, 0 changed, 4 removed',
      'argocd/: 0 added, 0 changed, 1 removed',
    ]);
    expect(repo.git('ls-tree', '-r', '--name-only', 'HEAD', 'generated/clusters')).not.toContain('dr-us');
    expect(repo.git('ls-files', 'generated')).not.toContain('dr-us');
    expect(repo.git('show', '--name-status', '--format=', 'HEAD')).toContain('D\tgenerated/clusters/dr-us/velero/schedule-0.yaml');
    expect(repo.git('status', '--porcelain')).toBe('');
    expect(fsck(repo).status).toBe(0);
  });

  it('GIVEN a staged and an unstaged change outside generated/ WHEN committed THEN both survive exactly and stay out of the commit', async () => {
    await fs.writeFile(path.join(repo.dir, 'policy.ts'), 'export const v = 1;\n');
    await fs.writeFile(path.join(repo.dir, 'README.md'), '# staged edit\n');
    repo.git('add', 'policy.ts', 'README.md');
    await fs.writeFile(path.join(repo.dir, 'README.md'), '# unstaged edit on top\n');
    await fs.writeFile(path.join(repo.dir, 'notes.txt'), 'untracked\n');
    const entriesBefore = indexEntriesOutside(repo);
    const stagedBefore = repo.git('diff', '--cached', '--', '.', ':!generated');
    const unstagedBefore = repo.git('diff', '--', '.', ':!generated');
    await writeGenerated(repo.dir, sampleOutput(['prod-eu']));

    await commitGenerated({ dir: repo.dir, env: repo.env });

    expect(repo.git('show', '--name-only', '--format=', 'HEAD').split('\n').filter(Boolean).every((p) => p.startsWith('generated/'))).toBe(true);
    expect(indexEntriesOutside(repo)).toBe(entriesBefore);
    expect(repo.git('diff', '--cached', '--', '.', ':!generated')).toBe(stagedBefore);
    expect(repo.git('diff', '--', '.', ':!generated')).toBe(unstagedBefore);
    expect(repo.git('status', '--porcelain').split('\n').filter(Boolean).sort()).toEqual(['?? notes.txt', 'A  policy.ts', 'MM README.md']);
    expect(await fs.readFile(path.join(repo.dir, 'README.md'), 'utf8')).toBe('# unstaged edit on top\n');
  });

  it('GIVEN an intent-to-add file and a skip-worktree entry outside generated/ WHEN committed THEN both keep their flags (the index entries outside are copied byte for byte)', async () => {
    await fs.writeFile(path.join(repo.dir, 'later.ts'), 'export const later = 1;\n');
    repo.git('add', '--intent-to-add', 'later.ts');
    repo.git('update-index', '--skip-worktree', 'README.md');
    const index = path.join(repo.dir, '.git', 'index');
    const before = await fs.readFile(index);
    const statusBefore = repo.git('status', '--porcelain');
    await writeGenerated(repo.dir, sampleOutput(['prod-eu']));

    await commitGenerated({ dir: repo.dir, env: repo.env });

    expect(repo.git('status', '--porcelain')).toBe(statusBefore);
    expect(repo.git('ls-files', '-t', 'README.md').trim()).toBe('S README.md');
    expect(repo.git('diff', '--cached', '--name-only')).toBe('');
    // Everything before generated/ in path order is the same bytes as before.
    const after = await fs.readFile(index);
    const readmeAt = before.indexOf('README.md');
    expect(after.subarray(12, readmeAt + 9).equals(before.subarray(12, readmeAt + 9))).toBe(true);
    expect(fsck(repo)).toMatchObject({ status: 0, stderr: '' });
  });

  it('GIVEN --date and --author WHEN the same output is committed in two clones THEN the commit ids are identical', async () => {
    const other = await createTestRepo();
    try {
      // Same parent in both: a deterministic initial commit.
      for (const r of [repo, other]) {
        r.git('checkout', '-q', '--orphan', 'fresh');
        r.git('rm', '-q', '-r', '--cached', '.');
        await fs.rm(path.join(r.dir, 'README.md'));
        await writeGenerated(r.dir, sampleOutput(['prod-eu', 'dr-us']));
      }
      const opts = { author: 'Release Bot <bot@example.test>', date: '2024-05-01T12:00:00Z' };

      const a = await commitGenerated({ dir: repo.dir, env: repo.env, ...opts });
      const b = await commitGenerated({ dir: other.dir, env: other.env, ...opts });

      expect(a.status === 'committed' && a.commit).toBe(b.status === 'committed' && b.commit);
      expect(a.status === 'committed' && a.parent).toBeNull();
      expect(repo.git('log', '-1', '--format=%an <%ae>|%at|%ai|%cn <%ce>|%ct')).toBe(
        'Release Bot <bot@example.test>|1714564800|2024-05-01 12:00:00 +0000|Release Bot <bot@example.test>|1714564800\n',
      );
      expect(repo.git('reflog', '-1', '--format=%gs').trim()).toBe('commit (initial): restorable: synth');
      expect(fsck(repo).status).toBe(0);
    } finally {
      await other.cleanup();
    }
  });

  it('GIVEN a date with an offset WHEN committed THEN git shows that zone', async () => {
    await writeGenerated(repo.dir, sampleOutput(['prod-eu'], 1));

    await commitGenerated({ dir: repo.dir, env: repo.env, author: AUTHOR, date: '2024-05-01T14:30:00+02:00' });

    expect(repo.git('log', '-1', '--format=%ai|%at').trim()).toBe('2024-05-01 14:30:00 +0200|1714566600');
  });

  it('GIVEN an output directory elsewhere WHEN committed with outDir THEN only that directory is committed', async () => {
    await writeGenerated(repo.dir, sampleOutput(['prod-eu'], 1), 'deploy/out');
    await writeGenerated(repo.dir, sampleOutput(['ignored'], 1), 'generated');

    const result = await commitGenerated({ dir: repo.dir, env: repo.env, outDir: 'deploy/out' });

    expect(result.status).toBe('committed');
    const tracked = repo.git('ls-tree', '-r', '--name-only', 'HEAD');
    expect(tracked).toContain('deploy/out/clusters/prod-eu/velero/schedule-0.yaml');
    expect(tracked).not.toContain('generated/');
    expect(fsck(repo).status).toBe(0);
  });

  it('GIVEN a repository with no commits WHEN committed THEN the first commit holds the output only', async () => {
    const empty = await createTestRepo({ empty: true });
    try {
      await writeGenerated(empty.dir, sampleOutput(['prod-eu'], 1));

      const result = await commitGenerated({ dir: empty.dir, env: empty.env });

      expect(result.status === 'committed' && result.parent).toBeNull();
      expect(empty.git('rev-list', '--count', 'HEAD').trim()).toBe('1');
      expect(empty.git('status', '--porcelain')).toBe('');
      expect(fsck(empty).status).toBe(0);
    } finally {
      await empty.cleanup();
    }
  });

  it('GIVEN packed objects and refs WHEN committed THEN the commit builds on them', async () => {
    await writeGenerated(repo.dir, sampleOutput(['prod-eu']));
    await commitGenerated({ dir: repo.dir, env: repo.env });
    repo.git('gc', '-q');
    const head = repo.git('rev-parse', 'HEAD').trim();
    await writeGenerated(repo.dir, sampleOutput(['prod-eu'], 3, 2));

    const result = await commitGenerated({ dir: repo.dir, env: repo.env });

    expect(result.status === 'committed' && result.parent).toBe(head);
    expect(repo.git('status', '--porcelain')).toBe('');
    expect(fsck(repo).status).toBe(0);
  });
});
