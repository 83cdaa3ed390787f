/**
 * Brings the index entries under the output directory in line with the new
 * commit in ONE index rewrite. isomorphic-git rewrites the whole index on
 * every `add`/`remove`/`updateIndex` call; `git.add({ filepath: [...] })` plus
 * `git.remove({ filepath: [...] })` would be two rewrites and would re-read
 * and re-hash every file we just hashed. `GitIndexManager.acquire` (exported
 * from `isomorphic-git/managers`) gives one read, in-memory edits with the ids
 * and stats we already have, and one write, which goes through our atomic fs.
 * Entries outside the output directory are never touched, so anything staged
 * or unstaged elsewhere stays exactly as it was.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { GitIndexManager } from 'isomorphic-git/managers';
import { FileSystem } from 'isomorphic-git/models';
import type { RepoContext } from './context.ts';
import { errnoCode } from './errors.ts';
import type { IndexedFile, IndexStats, StatCache } from './scan.ts';

/** A file the index should hold. */
export interface IndexTarget {
  /** Path relative to the work tree (posix). */
  path: string;
  oid: string;
  stats: IndexStats;
}

/** The slice of isomorphic-git's index entry this module reads. */
interface IndexEntry {
  path: string;
  oid: string;
  mode: number;
  flags: { stage: number };
  stages: unknown[];
  ctimeSeconds: number;
  ctimeNanoseconds: number;
  mtimeSeconds: number;
  mtimeNanoseconds: number;
  ino: number;
  size: number;
}

/** The slice of isomorphic-git's `GitIndex` this module uses. */
interface MutableIndex {
  entriesMap: Map<string, IndexEntry>;
  insert(entry: { filepath: string; oid: string; stats: IndexStats }): void;
  delete(entry: { filepath: string }): void;
}

function upToDate(entry: IndexEntry | undefined, target: IndexTarget): boolean {
  const s = target.stats;
  return (
    entry !== undefined &&
    entry.flags.stage === 0 &&
    entry.stages.length <= 1 &&
    entry.oid === target.oid &&
    entry.mode === s.mode &&
    entry.size === s.size &&
    entry.ino === s.ino &&
    entry.mtimeSeconds === s.mtimeSeconds &&
    entry.mtimeNanoseconds === s.mtimeNanoseconds &&
    entry.ctimeSeconds === s.ctimeSeconds &&
    entry.ctimeNanoseconds === s.ctimeNanoseconds
  );
}

/**
 * Makes the index hold exactly `targets` under `prefix` (a work-tree relative
 * directory); writes nothing when it already does.
 * @returns how many entries were inserted or deleted
 */
export async function syncIndexUnder(ctx: RepoContext, prefix: string, targets: readonly IndexTarget[]): Promise<number> {
  const fs = new FileSystem(ctx.fs);
  return GitIndexManager.acquire({ fs, gitdir: ctx.gitdir, cache: ctx.cache }, (gitIndex): number => {
    const index: MutableIndex = gitIndex;
    const wanted = new Map(targets.map((t) => [t.path, t]));
    let edits = 0;
    for (const key of [...index.entriesMap.keys()]) {
      if ((key === prefix || key.startsWith(`${prefix}/`)) && !wanted.has(key)) {
        index.delete({ filepath: key });
        edits++;
      }
    }
    for (const target of targets) {
      if (upToDate(index.entriesMap.get(target.path), target)) continue;
      index.insert({ filepath: target.path, oid: target.oid, stats: target.stats });
      edits++;
    }
    // An untouched index is not marked dirty, so isomorphic-git skips the write.
    return edits;
  });
}

/**
 * The index entries under `prefix` (stage 0 only, keyed relative to it) and the index file's
 * mtime, for {@link scanOutput}'s stat cache; undefined when there is no index yet. The parsed
 * index stays in `ctx.cache`, so {@link syncIndexUnder} does not parse it again.
 */
export async function readStatCache(ctx: RepoContext, prefix: string): Promise<StatCache | undefined> {
  let indexMtimeNs: bigint;
  try {
    indexMtimeNs = statSync(path.join(ctx.gitdir, 'index'), { bigint: true }).mtimeNs;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  const fs = new FileSystem(ctx.fs);
  const entries = new Map<string, IndexedFile>();
  const start = `${prefix}/`;
  await GitIndexManager.acquire({ fs, gitdir: ctx.gitdir, cache: ctx.cache }, (gitIndex): void => {
    const index: MutableIndex = gitIndex;
    for (const [key, entry] of index.entriesMap) {
      if (!key.startsWith(start) || entry.flags.stage !== 0 || entry.stages.length > 1) continue;
      entries.set(key.slice(start.length), entry);
    }
  });
  return { entries, indexMtimeNs };
}
