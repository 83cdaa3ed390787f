/** Finding the repository and refusing to commit into the middle of another operation. */
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import git, { Errors } from 'isomorphic-git';
import type { AtomicFs } from './atomic-fs.ts';
import { errnoCode, RestorableGitError } from './errors.ts';

/** The work-tree root of the repository containing `start`. */
export async function findRepoRoot(fs: AtomicFs, start: string): Promise<string> {
  try {
    return await git.findRoot({ fs, filepath: path.resolve(start) });
  } catch (error) {
    if (error instanceof Errors.NotFoundError) {
      throw new RestorableGitError('not-a-repo', 'not inside a git repository; run restorable commit from your policy repository');
    }
    throw error;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.lstat(file);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return false;
    throw error;
  }
}

/**
 * The git directory of work tree `dir`: `.git`, or where a `.git` file
 * (submodule) points. Linked worktrees keep refs and objects elsewhere, which
 * isomorphic-git does not follow, so they are refused.
 * @throws RestorableGitError `not-a-repo` or `unsupported-repo`
 */
export async function resolveGitdir(dir: string): Promise<string> {
  const dotgit = path.join(dir, '.git');
  let stats: Awaited<ReturnType<typeof fsp.stat>>;
  try {
    stats = await fsp.stat(dotgit);
  } catch {
    throw new RestorableGitError('not-a-repo', `${dir} is not the top of a git work tree`);
  }
  let gitdir = dotgit;
  if (stats.isFile()) {
    const pointer = /^gitdir:\s*(.+?)\s*$/m.exec(await fsp.readFile(dotgit, 'utf8'))?.[1];
    if (!pointer) throw new RestorableGitError('not-a-repo', `${dotgit} is not a valid gitdir pointer`);
    gitdir = path.resolve(dir, pointer);
  }
  if (await exists(path.join(gitdir, 'commondir'))) {
    throw new RestorableGitError('unsupported-repo', 'restorable commit does not support linked worktrees (git worktree); run it in the main work tree');
  }
  return gitdir;
}

/** Markers git leaves while an operation waits for the user, and how to finish it. */
const IN_PROGRESS: ReadonlyArray<readonly [string, string]> = [
  ['MERGE_HEAD', 'a merge is in progress; finish it (git commit) or abort it (git merge --abort)'],
  ['rebase-merge', 'a rebase is in progress; finish it (git rebase --continue) or abort it (git rebase --abort)'],
  ['rebase-apply', 'a rebase or git am is in progress; finish or abort it (git rebase --abort / git am --abort)'],
  ['CHERRY_PICK_HEAD', 'a cherry-pick is in progress; finish it (git cherry-pick --continue) or abort it (git cherry-pick --abort)'],
  ['REVERT_HEAD', 'a revert is in progress; finish it (git revert --continue) or abort it (git revert --abort)'],
];

/**
 * Refuses when a merge, rebase, cherry-pick or revert is half done: a commit
 * now would be recorded on top of, or mixed into, the user's operation.
 * @throws RestorableGitError `operation-in-progress`
 */
export async function assertNoOperationInProgress(gitdir: string): Promise<void> {
  for (const [marker, advice] of IN_PROGRESS) {
    if (await exists(path.join(gitdir, marker))) {
      throw new RestorableGitError('operation-in-progress', `${advice} before restorable commit (found .git/${marker})`);
    }
  }
}
