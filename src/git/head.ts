/** Which branch HEAD is on and where that branch points. */
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import git, { Errors } from 'isomorphic-git';
import type { RepoContext } from './context.ts';
import { RestorableGitError } from './errors.ts';

/** HEAD of a repository on a branch. */
export interface HeadState {
  /** Full ref name, e.g. `refs/heads/main`. */
  ref: string;
  /** Commit the branch points at; null on an unborn branch (no commits yet). */
  oid: string | null;
  /** That commit's tree; null on an unborn branch. */
  tree: string | null;
}

/** The commit `ref` points at, or null when the ref does not exist. */
export async function resolveRefOrNull(ctx: RepoContext, ref: string): Promise<string | null> {
  try {
    return await git.resolveRef({ fs: ctx.fs, gitdir: ctx.gitdir, ref });
  } catch (error) {
    if (error instanceof Errors.NotFoundError) return null;
    throw error;
  }
}

/**
 * Reads HEAD, which must name a branch: committing on a detached HEAD would
 * leave the commit reachable from nothing.
 * @throws RestorableGitError `detached-head`
 */
export async function readHead(ctx: RepoContext): Promise<HeadState> {
  const raw = (await fsp.readFile(path.join(ctx.gitdir, 'HEAD'), 'utf8')).trim();
  const match = /^ref: (refs\/heads\/\S+)$/.exec(raw);
  if (!match?.[1]) {
    throw new RestorableGitError('detached-head', 'HEAD is not on a branch (detached HEAD); check out a branch first');
  }
  const ref = match[1];
  const oid = await resolveRefOrNull(ctx, ref);
  if (oid === null) return { ref, oid: null, tree: null };
  const { commit } = await git.readCommit({ fs: ctx.fs, gitdir: ctx.gitdir, cache: ctx.cache, oid });
  return { ref, oid, tree: commit.tree };
}
