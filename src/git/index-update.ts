/**
 * The index entries under the output directory: read for the stat cache, and
 * brought in line with the new commit in ONE index rewrite (src/git/index-file.ts
 * says why restorable reads and writes the index itself). Entries outside the
 * output directory are copied byte for byte, so anything staged or unstaged
 * elsewhere stays exactly as it was.
 */
import type { RepoContext } from './context.ts';
import { encodeEntries, type IndexFile, type RawIndexEntry, writeIndexFile } from './index-file.ts';
import type { IndexedFile, IndexStats, StatCache } from './scan.ts';

/** A file the index should hold. */
export interface IndexTarget {
  /** Path relative to the work tree (posix). */
  path: string;
  oid: string;
  stats: IndexStats;
}

/** Where the entries under `prefix` start and end in the index (they are contiguous: git sorts by path bytes). */
function rangeUnder(entries: readonly RawIndexEntry[], prefix: Buffer): [number, number] {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (Buffer.compare(entries[middle]!.name, prefix) < 0) low = middle + 1;
    else high = middle;
  }
  // A UTF-8 prefix of the bytes is a prefix of the decoded path.
  const text = prefix.toString('utf8');
  let end = low;
  while (end < entries.length && entries[end]!.path.startsWith(text)) end++;
  return [low, end];
}

const byName = (a: RawIndexEntry, b: RawIndexEntry): number => Buffer.compare(a.name, b.name);

/**
 * Makes the index hold exactly `targets` under `prefix` (a work-tree relative directory), each at
 * stage 0 with the given id and stat data; writes nothing when it already does.
 * @param index - the index as read under `.git/index.lock` (undefined: there is none yet)
 * @returns how many entries were written anew or removed
 */
export async function syncIndexUnder(ctx: RepoContext, index: IndexFile | undefined, prefix: string, targets: readonly IndexTarget[]): Promise<number> {
  const entries = index?.entries ?? [];
  const [start, end] = rangeUnder(entries, Buffer.from(`${prefix}/`, 'utf8'));
  const wanted = encodeEntries(targets);
  // Usually sorted already (by UTF-16 code units, which order ASCII paths as their bytes).
  if (wanted.some((entry, i) => i > 0 && byName(wanted[i - 1]!, entry) > 0)) wanted.sort(byName);
  const old = entries.slice(start, end);
  // A file named like the output directory would sit before its range.
  const outside = entries.filter((e, i) => (i < start || i >= end) && e.path !== prefix);
  const removed = entries.length - old.length - outside.length;
  let edits = removed;
  const oldByPath = new Map<string, RawIndexEntry[]>();
  for (const entry of old) {
    const list = oldByPath.get(entry.path);
    if (list) list.push(entry);
    else oldByPath.set(entry.path, [entry]);
  }
  for (const entry of wanted) {
    const before = oldByPath.get(entry.path);
    if (!(before?.length === 1 && before[0]!.bytes.equals(entry.bytes))) edits++;
  }
  const wantedPaths = new Set(wanted.map((e) => e.path));
  for (const entry of old) if (!wantedPaths.has(entry.path)) edits++;
  if (edits === 0) return 0;
  // The new range goes where the old one was (less a file named like the directory before it).
  let at = start;
  for (let i = 0; i < start; i++) if (entries[i]!.path === prefix) at--;
  await writeIndexFile(ctx, index?.version ?? 2, [...outside.slice(0, at), ...wanted, ...outside.slice(at)]);
  return edits;
}

/**
 * The index entries under `prefix` (stage 0, not in conflict, keyed relative to it) and the index
 * file's mtime, for {@link scanOutput}'s stat cache; undefined when there is no index yet.
 */
export function readStatCache(index: IndexFile | undefined, prefix: string): StatCache | undefined {
  if (index === undefined) return undefined;
  const start = `${prefix}/`;
  const [from, to] = rangeUnder(index.entries, Buffer.from(start, 'utf8'));
  const entries = new Map<string, IndexedFile>();
  const conflicted = new Set<string>();
  for (let i = from; i < to; i++) {
    const entry = index.entries[i]!;
    const key = entry.path.slice(start.length);
    if (entry.stage !== 0) {
      conflicted.add(key);
      continue;
    }
    const b = entry.bytes;
    entries.set(key, {
      oid: b.toString('hex', 40, 60),
      mode: b.readUInt32BE(24),
      size: b.readUInt32BE(36),
      ino: b.readUInt32BE(20),
      mtimeSeconds: b.readUInt32BE(8),
      mtimeNanoseconds: b.readUInt32BE(12),
    });
  }
  for (const key of conflicted) entries.delete(key);
  return { entries, indexMtimeNs: index.mtimeNs };
}
