/**
 * Reading a folder of a commit with isomorphic-git, without a checkout: the user's working tree,
 * index and HEAD are never touched.
 */
import fs from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import git, { Errors } from 'isomorphic-git';
import { mapLimit } from '../git/pool.ts';
import { DiffError } from './errors.ts';

/** A repository opened for reading. */
export interface Repository {
  /** Absolute path of the work tree. */
  readonly dir: string;
  /** Absolute path of the git directory. */
  readonly gitdir: string;
  /** isomorphic-git cache shared by the reads of one diff. */
  readonly cache: object;
}

/** Opens the repository containing `start`. */
export async function openRepository(start: string): Promise<Repository> {
  let dir: string;
  try {
    dir = await git.findRoot({ fs, filepath: path.resolve(start) });
  } catch (error) {
    if (error instanceof Errors.NotFoundError) throw new DiffError('not inside a git repository: restorable diff compares the policies at two git refs');
    throw error;
  }
  let gitdir = path.join(dir, '.git');
  if ((await stat(gitdir)).isFile()) {
    const pointer = /^gitdir:\s*(.+?)\s*$/m.exec(await readFile(gitdir, 'utf8'))?.[1];
    if (!pointer) throw new DiffError(`${gitdir} is not a valid gitdir pointer`);
    gitdir = path.resolve(dir, pointer);
  }
  // A linked worktree keeps objects and most refs in the main repository, which isomorphic-git does not follow.
  if (await stat(path.join(gitdir, 'commondir')).then(() => true, () => false)) {
    throw new DiffError('restorable diff does not support linked worktrees (git worktree); run it in the main work tree');
  }
  return { dir, gitdir, cache: {} };
}

/**
 * The commit a revision names: a branch, tag, remote branch (`origin/main`), `HEAD`, a full or
 * abbreviated commit id, optionally followed by `~N`, `^` or `^N` steps to ancestors.
 */
export async function resolveRevision(repo: Repository, revision: string): Promise<string> {
  const match = /^(.+?)((?:~\d*|\^\d?)*)$/.exec(revision);
  const name = match?.[1] ?? revision;
  const steps = [...(match?.[2] ?? '').matchAll(/([~^])(\d*)/g)];
  let oid = await resolveName(repo, name, revision);
  oid = await peelToCommit(repo, oid, revision);
  for (const [, op, digits] of steps) {
    const count = digits === '' ? 1 : Number(digits);
    if (op === '~') {
      for (let i = 0; i < count; i += 1) oid = await parentOf(repo, oid, 0, revision);
    } else if (count > 0) {
      oid = await parentOf(repo, oid, count - 1, revision);
    }
  }
  return oid;
}

async function resolveName(repo: Repository, name: string, revision: string): Promise<string> {
  try {
    return await git.resolveRef({ fs, gitdir: repo.gitdir, ref: name });
  } catch (error) {
    if (!(error instanceof Errors.NotFoundError)) throw error;
  }
  if (/^[0-9a-f]{4,40}$/i.test(name)) {
    try {
      return await git.expandOid({ fs, gitdir: repo.gitdir, oid: name.toLowerCase(), cache: repo.cache });
    } catch (error) {
      if (!(error instanceof Errors.NotFoundError) && !(error instanceof Errors.AmbiguousError)) throw error;
      if (error instanceof Errors.AmbiguousError) throw new DiffError(`"${revision}" is an ambiguous commit id: give more digits`);
    }
  }
  throw new DiffError(`unknown revision "${revision}": give a branch, tag, remote branch (origin/main) or commit id; in CI, fetch it first (git fetch origin main, or a checkout with the full history)`);
}

async function peelToCommit(repo: Repository, oid: string, revision: string): Promise<string> {
  try {
    return (await git.readCommit({ fs, gitdir: repo.gitdir, oid, cache: repo.cache })).oid;
  } catch (error) {
    if (error instanceof Errors.NotFoundError) {
      throw new DiffError(`the commit of "${revision}" (${oid.slice(0, 12)}) is not in the local repository: a shallow clone? fetch the full history (fetch-depth: 0)`);
    }
    if (error instanceof Errors.ObjectTypeError) throw new DiffError(`"${revision}" does not name a commit`);
    throw error;
  }
}

async function parentOf(repo: Repository, oid: string, index: number, revision: string): Promise<string> {
  const { commit } = await git.readCommit({ fs, gitdir: repo.gitdir, oid, cache: repo.cache });
  const parent = commit.parent[index];
  if (parent === undefined) throw new DiffError(`"${revision}" goes past the history: ${oid.slice(0, 12)} has no parent ${index + 1}`);
  return peelToCommit(repo, parent, revision);
}

/** What writing a folder of a commit found. */
export interface WrittenTree {
  /** False when the commit has no such folder. */
  readonly found: boolean;
  readonly files: number;
  /** Symbolic links and submodules, which are not written (repository-relative paths). */
  readonly skipped: readonly string[];
}

/** The blobs of a folder of a commit, with what cannot be read as files. */
interface TreeListing {
  readonly blobs: readonly { readonly oid: string; readonly rel: string; readonly executable: boolean }[];
  /** Symbolic links and submodules (repository-relative paths). */
  readonly skipped: readonly string[];
}

/** Every blob under the folder `treePath` of `commit`; undefined when the commit has no such folder. */
async function listTree(repo: Repository, commit: string, treePath: string): Promise<TreeListing | undefined> {
  let root: string;
  try {
    root = (await git.readTree({ fs, gitdir: repo.gitdir, oid: commit, filepath: treePath === '' ? undefined : treePath, cache: repo.cache })).oid;
  } catch (error) {
    if (error instanceof Errors.NotFoundError || error instanceof Errors.ObjectTypeError) return undefined;
    throw error;
  }
  const blobs: { oid: string; rel: string; executable: boolean }[] = [];
  const skipped: string[] = [];
  const walk = async (oid: string, rel: string): Promise<void> => {
    const { tree } = await git.readTree({ fs, gitdir: repo.gitdir, oid, cache: repo.cache });
    for (const entry of tree) {
      const child = rel === '' ? entry.path : `${rel}/${entry.path}`;
      if (entry.type === 'tree') await walk(entry.oid, child);
      else if (entry.type === 'blob' && entry.mode !== '120000') blobs.push({ oid: entry.oid, rel: child, executable: entry.mode === '100755' });
      else skipped.push(treePath === '' ? child : `${treePath}/${child}`);
    }
  };
  await walk(root, '');
  return { blobs, skipped: skipped.sort() };
}

/**
 * Writes the folder `treePath` (repository-relative, `/` separators; '' for the root) of `commit`
 * into `target`, with the executable bit where git has it.
 */
export async function writeTreeTo(repo: Repository, commit: string, treePath: string, target: string): Promise<WrittenTree> {
  const listing = await listTree(repo, commit, treePath);
  if (!listing) return { found: false, files: 0, skipped: [] };
  await mkdir(target, { recursive: true });
  await mapLimit(listing.blobs, 16, async (blob) => {
    const file = path.join(target, ...blob.rel.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    const { blob: content } = await git.readBlob({ fs, gitdir: repo.gitdir, oid: blob.oid, cache: repo.cache });
    await writeFile(file, content);
    if (blob.executable) await chmod(file, 0o755);
  });
  return { found: true, files: listing.blobs.length, skipped: listing.skipped };
}

/**
 * The files of the folder `treePath` of `commit` as UTF-8 text, by path relative to that folder
 * (`/` separators, sorted), read without writing them anywhere; undefined when the commit has no
 * such folder. Symbolic links and submodules are left out.
 */
export async function readTreeFiles(repo: Repository, commit: string, treePath: string): Promise<Map<string, string> | undefined> {
  const listing = await listTree(repo, commit, treePath);
  if (!listing) return undefined;
  const files = new Map<string, string>();
  await mapLimit(listing.blobs, 16, async (blob) => {
    const { blob: content } = await git.readBlob({ fs, gitdir: repo.gitdir, oid: blob.oid, cache: repo.cache });
    files.set(blob.rel, Buffer.from(content).toString('utf8'));
  });
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
