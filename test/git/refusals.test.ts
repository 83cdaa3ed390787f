import * as fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitGenerated, RestorableGitError } from '../../src/git/index.ts';
import { createTestRepo, sampleOutput, type TestRepo, writeGenerated } from './support/repo.ts';

async function refusal(promise: Promise<unknown>): Promise<RestorableGitError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RestorableGitError);
  return error as RestorableGitError;
}

describe('commitGenerated refusals', () => {
  let repo: TestRepo;
  beforeEach(async () => {
    repo = await createTestRepo();
    await writeGenerated(repo.dir, sampleOutput(['prod-eu', 'dr-us']));
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  const head = (): string => repo.git('rev-parse', 'HEAD').trim();
  const lockFree = async (): Promise<boolean> =>
    fs.access(path.join(repo.dir, '.git', 'index.lock')).then(
      () => false,
      () => true,
    );

  it('GIVEN a generated file edited by hand WHEN committing THEN it is refused naming the file', async () => {
    await fs.appendFile(path.join(repo.dir, 'generated/clusters/prod-eu/velero/schedule-1.yaml'), '# tweak\n');
    const before = head();

    const error = await refusal(commitGenerated({ dir: repo.dir, env: repo.env }));

    expect(error.code).toBe('hand-edits');
    expect(error.message).toContain('generated/clusters/prod-eu/velero/schedule-1.yaml (modified)');
    expect(error.message).toContain('run restorable synth to regenerate, or revert the edits');
    expect(head()).toBe(before);
    expect(await lockFree()).toBe(true);
  });

  it('GIVEN files added and deleted by hand WHEN committing THEN each is listed with its reason', async () => {
    await fs.writeFile(path.join(repo.dir, 'generated/clusters/prod-eu/hand.yaml'), 'kind: Mine\n');
    await fs.rm(path.join(repo.dir, 'generated/argocd/dr-us.yaml'));

    const error = await refusal(commitGenerated({ dir: repo.dir, env: repo.env }));

    expect(error.message).toContain('generated/clusters/prod-eu/hand.yaml (not in manifest)');
    expect(error.message).toContain('generated/argocd/dr-us.yaml (missing)');
    expect(error.message).toMatch(/2 hand-edited paths/);
  });

  it('GIVEN more than 10 hand edits WHEN committing THEN 10 are listed and the rest counted', async () => {
    for (let i = 0; i < 13; i++) await fs.writeFile(path.join(repo.dir, `generated/stray-${String(i).padStart(2, '0')}.yaml`), 'x\n');

    const error = await refusal(commitGenerated({ dir: repo.dir, env: repo.env }));

    expect(error.message.match(/\(not in manifest\)/g)).toHaveLength(10);
    expect(error.message).toContain('... and 3 more');
  });

  it('GIVEN a merge stopped on a conflict WHEN committing THEN it is refused and nothing changes', async () => {
    repo.git('checkout', '-q', '-b', 'topic');
    await fs.writeFile(path.join(repo.dir, 'README.md'), 'topic\n');
    repo.git('commit', '-q', '-am', 'topic');
    repo.git('checkout', '-q', 'main');
    await fs.writeFile(path.join(repo.dir, 'README.md'), 'main\n');
    repo.git('commit', '-q', '-am', 'main');
    expect(repo.tryGit('merge', 'topic').status).not.toBe(0);
    const before = head();

    const error = await refusal(commitGenerated({ dir: repo.dir, env: repo.env }));

    expect(error.code).toBe('operation-in-progress');
    expect(error.message).toContain('a merge is in progress');
    expect(error.message).toContain('MERGE_HEAD');
    expect(head()).toBe(before);
    expect(repo.git('status', '--porcelain')).toContain('UU README.md');
    expect(await lockFree()).toBe(true);
  });

  it.each([
    ['rebase-merge', 'a rebase is in progress'],
    ['rebase-apply', 'a rebase or git am is in progress'],
    ['CHERRY_PICK_HEAD', 'a cherry-pick is in progress'],
  ])('GIVEN .git/%s WHEN committing THEN it is refused', async (marker, text) => {
    const target = path.join(repo.dir, '.git', marker);
    if (marker.startsWith('rebase')) await fs.mkdir(target);
    else await fs.writeFile(target, `${head()}\n`);

    const error = await refusal(commitGenerated({ dir: repo.dir, env: repo.env }));

    expect(error.code).toBe('operation-in-progress');
    expect(error.message).toContain(text);
  });

  it('GIVEN a real interactive-style rebase stopped on a conflict WHEN committing THEN it is refused', async () => {
    repo.git('checkout', '-q', '-b', 'topic');
    await fs.writeFile(path.join(repo.dir, 'README.md'), 'topic\n');
    repo.git('commit', '-q', '-am', 'topic');
    repo.git('checkout', '-q', 'main');
    await fs.writeFile(path.join(repo.dir, 'README.md'), 'main\n');
    repo.git('commit', '-q', '-am', 'main');
    repo.git('checkout', '-q', 'topic');
    expect(repo.tryGit('rebase', '--merge', 'main').status).not.toBe(0);

    const error = await refusal(commitGenerated({ dir: repo.dir, env: repo.env }));

    expect(error.message).toContain('a rebase is in progress');
  });

  it('GIVEN no synth manifest WHEN committing THEN it says to run synth first', async () => {
    await fs.rm(path.join(repo.dir, 'generated'), { recursive: true });

    const error = await refusal(commitGenerated({ dir: repo.dir, env: repo.env }));

    expect(error.code).toBe('no-manifest');
    expect(error.message).toBe('no synth manifest at generated/.restorable/manifest.json; run restorable synth first');
  });

  it('GIVEN a detached HEAD WHEN committing THEN it is refused', async () => {
    repo.git('checkout', '-q', '--detach');

    const error = await refusal(commitGenerated({ dir: repo.dir, env: repo.env }));

    expect(error.code).toBe('detached-head');
  });

  it('GIVEN no user.name in any git config and no --author WHEN committing THEN it asks for an author', async () => {
    repo.git('config', '--unset', 'user.name');
    repo.git('config', '--unset', 'user.email');

    const error = await refusal(commitGenerated({ dir: repo.dir, env: repo.env }));

    expect(error.code).toBe('no-identity');
    expect(error.message).toContain('--author "Name <email>"');
    expect(await lockFree()).toBe(true);
  });

  it('GIVEN user.name only in the global config WHEN committing THEN that identity is used', async () => {
    repo.git('config', '--unset', 'user.name');
    repo.git('config', '--unset', 'user.email');
    await fs.writeFile(path.join(repo.home, '.gitconfig'), '[user]\n\tname = "Global Person" # set once\n\temail = global@example.test\n');

    await commitGenerated({ dir: repo.dir, env: repo.env });

    expect(repo.git('log', '-1', '--format=%an <%ae>').trim()).toBe('Global Person <global@example.test>');
  });

  it('GIVEN a malformed --author or --date WHEN committing THEN it is refused before anything is locked', async () => {
    expect((await refusal(commitGenerated({ dir: repo.dir, env: repo.env, author: 'no email' }))).code).toBe('invalid-author');
    expect((await refusal(commitGenerated({ dir: repo.dir, env: repo.env, date: 'yesterday' }))).code).toBe('invalid-date');
  });

  it('GIVEN a split index WHEN committing THEN it is refused instead of losing index entries', async () => {
    repo.git('update-index', '--split-index');

    const error = await refusal(commitGenerated({ dir: repo.dir, env: repo.env }));

    expect(error.code).toBe('unsupported-repo');
    expect(error.message).toContain('split index');
  });
});
