/**
 * `commitGenerated`: commit exactly what synth changed under the output
 * directory, with isomorphic-git, safely next to the git CLI and other runs.
 *
 * How changes are found: every file under the output directory is checked
 * against the synth manifest (hand-edit guard) and its git blob id found,
 * by reading it, or from the manifest when the index's stat data proves it
 * unchanged since synth wrote it (src/git/scan.ts). The new directory tree's
 * ids are computed in memory and compared with HEAD's tree for the output
 * directory top down, reading only the trees whose ids differ. `git.statusMatrix`
 * would instead walk HEAD, the index and the work tree, and its answer would
 * depend on what happens to be staged; comparing with HEAD's subtree is exact.
 *
 * How the commit is built: HEAD's tree with only the output directory's
 * subtree replaced (so changes staged elsewhere are not swept in), its changed
 * blobs and trees written with `git.writeBlob`/`writeTree`, then
 * `git.writeCommit`, through an atomic fs, the
 * branch moved with git's ref-lock protocol, then the index entries under the
 * output directory updated in one rewrite (src/git/index-file.ts). All of it runs while holding
 * `.git/index.lock`. Every step is crash safe: objects appear before anything
 * refers to them, each file is published by rename, and a crash between the
 * branch update and the index update is repaired by the next run.
 */
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import git from 'isomorphic-git';
import { createAtomicFs } from './atomic-fs.ts';
import type { RepoContext } from './context.ts';
import { RestorableGitError } from './errors.ts';
import { failpointFromEnv } from './failpoint.ts';
import { readHead } from './head.ts';
import { type CommitTime, configuredIdentity, type Identity, now, parseAuthor, parseCommitDate, signature } from './identity.ts';
import { readIndexFile } from './index-file.ts';
import { readStatCache, syncIndexUnder } from './index-update.ts';
import { acquireLock } from './lock.ts';
import { invalidPathReason, readManifest } from './manifest.ts';
import { blobOid } from './object-id.ts';
import { writeObject } from './objects.ts';
import { mapLimit } from './pool.ts';
import { updateBranch } from './ref-update.ts';
import { assertNoOperationInProgress, findRepoRoot, resolveGitdir } from './repo.ts';
import { scanOutput } from './scan.ts';
import { commitMessage, type FileChange, summarize, summaryLines } from './summary.ts';
import { spliceSubtree, subtreeAt, type TreeFile } from './tree.ts';
import { diffTree, writeNewTrees } from './tree-diff.ts';
import { hashTree } from './tree-hash.ts';

/** Default output directory, relative to the repository root. */
export const DEFAULT_OUT_DIR = 'generated';

/** Default wait for a lock held by another process, in ms. */
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

/** Options for {@link commitGenerated}. */
export interface CommitGeneratedOptions {
  /** Work-tree root. Default: the git top level containing `cwd`. */
  dir?: string;
  /** Where to look for the repository when `dir` is not given (default `process.cwd()`). */
  cwd?: string;
  /** Output directory: absolute, or relative to `dir` (default `generated`). */
  outDir?: string;
  /** Commit subject; the per-cluster summary becomes the body. */
  message?: string;
  /** `Name <email>` (or parsed). Default: git config `user.name`/`user.email`. */
  author?: string | Identity;
  /** ISO 8601 commit date. With `author`, makes the commit id deterministic. */
  date?: string;
  /** Wait this long for `.git/index.lock` held by another process (default 10 s). */
  lockTimeoutMs?: number;
  /** fsync every write (power-loss safety); default false, like git's defaults. */
  durable?: boolean;
  /** Environment for the failpoint and the global git config lookup (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Progress notes for the user (waiting for a lock, stale lock removed). */
  onNotice?: (message: string) => void;
}

/** Outcome of {@link commitGenerated}. */
export type CommitGeneratedResult = CommittedResult | UnchangedResult;

/** A commit was made. */
export interface CommittedResult {
  status: 'committed';
  /** The new commit id. */
  commit: string;
  /** Its parent; null for the first commit on an unborn branch. */
  parent: string | null;
  /** Full ref name of the branch moved, e.g. `refs/heads/main`. */
  branch: string;
  /** The full commit message. */
  message: string;
  /** Every changed path, relative to the output directory. */
  changes: FileChange[];
  /** Summary lines, e.g. `prod-eu: 3 added, 1 changed, 0 removed`. */
  summary: string[];
}

/** Nothing under the output directory differs from HEAD; no commit was made. */
export interface UnchangedResult {
  status: 'unchanged';
  /** The current commit, or null on an unborn branch. */
  head: string | null;
  branch: string;
}

/** The output directory as a posix path relative to `dir`. */
function outDirRelative(dir: string, outDir: string): string {
  const rel = path.relative(dir, path.resolve(dir, outDir)).split(path.sep).join('/');
  const reason = invalidPathReason(rel);
  if (reason || rel === '..' || rel.startsWith('../')) {
    throw new RestorableGitError('out-dir-outside-repo', `output directory ${outDir} must be a directory inside the repository ${dir}`);
  }
  return rel;
}

async function writeChangedBlobs(ctx: RepoContext, outAbs: string, changes: readonly FileChange[], after: ReadonlyMap<string, TreeFile>): Promise<void> {
  const toWrite = changes.filter((c) => c.kind !== 'removed');
  await mapLimit(toWrite, 16, async ({ path: rel }) => {
    const content = await fsp.readFile(path.join(outAbs, ...rel.split('/')));
    if (blobOid(content) !== after.get(rel)?.oid) {
      throw new RestorableGitError('concurrent-change', `${rel} changed while committing; wait for synth to finish and re-run restorable commit`);
    }
    await writeObject(ctx, 'blob', content);
  });
}

/**
 * Commits the changes under the output directory (see the module comment).
 * @returns `committed` with the new commit, or `unchanged` when there is nothing to commit
 * @throws RestorableGitError when refused (hand edits, merge in progress, lock held, no author, ...)
 */
export async function commitGenerated(options: CommitGeneratedOptions = {}): Promise<CommitGeneratedResult> {
  const env = options.env ?? process.env;
  const failpoint = failpointFromEnv(env);
  const durable = options.durable ?? false;
  const fs = createAtomicFs({ durable, failpoint });
  const dir = options.dir ? path.resolve(options.dir) : await findRepoRoot(fs, options.cwd ?? process.cwd());
  const gitdir = await resolveGitdir(dir);
  const ctx: RepoContext = { dir, gitdir, fs, cache: {} };
  const outRel = outDirRelative(dir, options.outDir ?? DEFAULT_OUT_DIR);
  const outAbs = path.join(dir, ...outRel.split('/'));
  const outSegments = outRel.split('/');
  // Validate arguments before taking any lock.
  const author = typeof options.author === 'string' ? parseAuthor(options.author) : options.author;
  const date: CommitTime | undefined = options.date === undefined ? undefined : parseCommitDate(options.date);
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;

  const lock = await acquireLock(path.join(gitdir, 'index.lock'), {
    timeoutMs: lockTimeoutMs,
    label: '.git/index.lock',
    durable,
    onWait: (label) => options.onNotice?.(`waiting for ${label} (another git process is running)`),
    onStaleRemoved: (label, owner) => options.onNotice?.(`removed stale ${label} left by restorable (pid ${owner.pid}, no longer running)`),
  });
  try {
    // Checked under the lock: git cannot start a merge or rebase while we hold it.
    await assertNoOperationInProgress(gitdir);
    // Read once, under the lock: nothing else may change it until the lock is released.
    const index = readIndexFile(gitdir);
    const manifest = await readManifest(outAbs, outRel);
    const scanned = await scanOutput(outAbs, manifest, outRel, readStatCache(index, outRel));
    const head = await readHead(ctx);
    const next = hashTree(scanned);
    const diff = await diffTree(ctx, await subtreeAt(ctx, head.tree, outSegments), next);
    const changes = diff.changes;
    const indexTargets = scanned.map((f) => ({ path: `${outRel}/${f.path}`, oid: f.oid, stats: f.stats }));

    if (changes.length === 0) {
      // Also repairs an index left behind by a crash after the branch moved.
      await syncIndexUnder(ctx, index, outRel, indexTargets);
      return { status: 'unchanged', head: head.oid, branch: head.ref };
    }

    await writeChangedBlobs(ctx, outAbs, changes, new Map(scanned.map((f) => [f.path, f])));
    const subtree = await writeNewTrees(ctx, diff, next);
    const tree = await spliceSubtree(ctx, head.tree, outSegments, subtree);
    const who = signature(author ?? (await configuredIdentity(ctx, env)), date ?? now());
    const message = commitMessage(changes, options.message);
    const parent = head.oid === null ? [] : [head.oid];
    const commit = await git.writeCommit({
      fs,
      gitdir,
      commit: { message, tree, parent, author: who, committer: who },
    });
    const subject = message.split('\n', 1)[0] ?? '';
    await updateBranch(ctx, {
      ref: head.ref,
      expected: head.oid,
      next: commit,
      committer: who,
      reflogMessage: `commit${head.oid === null ? ' (initial)' : ''}: ${subject}`,
      lockTimeoutMs,
      durable,
      failpoint,
    });
    await syncIndexUnder(ctx, index, outRel, indexTargets);
    return {
      status: 'committed',
      commit,
      parent: head.oid,
      branch: head.ref,
      message,
      changes,
      summary: summaryLines(summarize(changes)),
    };
  } finally {
    await lock.release();
  }
}
