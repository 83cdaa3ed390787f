/**
 * `.git/index` read and written by restorable itself, versions 2 and 3 (git's
 * Documentation/gitformat-index.txt): a header, the entries sorted by path
 * bytes and stage, extensions, and a SHA-1 of everything before it.
 *
 * Why not isomorphic-git's `GitIndexManager`, which restorable used before:
 * it parses every entry into an object and, on any change, serialises every
 * entry again, about 70 and 120 ms of CPU for a 10,000-file output; a
 * one-policy commit edits a few entries (and the stat data synth's hard links
 * changed). isomorphic-git offers no call that edits some entries in place.
 * Here entries stay slices of the file's bytes; those outside the output
 * directory are copied back byte for byte, and only the output directory's
 * range is encoded again.
 *
 * Extensions are dropped on a rewrite, as isomorphic-git did: the caches
 * among them (TREE, UNTR, FSMN, ...) describe the old entries and git
 * rebuilds them. Dropping `link` (split index) or `sdir` (sparse index) would
 * lose entries, so such indexes are refused, as is version 4 (compressed
 * paths).
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { RepoContext } from './context.ts';
import { errnoCode, RestorableGitError } from './errors.ts';
import type { IndexStats } from './scan.ts';

/** Extensions whose loss would corrupt the index. */
const UNSAFE_EXTENSIONS: Readonly<Record<string, string>> = {
  link: 'a split index (core.splitIndex); run `git update-index --no-split-index`',
  sdir: 'a sparse index (index.sparse); run `git sparse-checkout disable` or set index.sparse=false',
};

/** Version and extension signatures of an index file. */
export interface IndexFileInfo {
  version: number;
  extensions: string[];
}

/** One entry of the index, as the bytes the file holds for it. */
export interface RawIndexEntry {
  /** Path relative to the work tree, decoded as UTF-8. */
  readonly path: string;
  /** The path's bytes, as git sorts them. */
  readonly name: Buffer;
  /** 0, or 1 to 3 for the sides of a conflict. */
  readonly stage: number;
  /** The whole entry, padding included. */
  readonly bytes: Buffer;
}

/** A parsed index that restorable may rewrite. */
export interface IndexFile {
  readonly version: 2 | 3;
  readonly entries: readonly RawIndexEntry[];
  readonly extensions: readonly string[];
  /** The file's mtime in ns: entries as new as it are "racily clean" (git's rule). */
  readonly mtimeNs: bigint;
}

const HEADER = 12;
const CHECKSUM = 20;

/** Entries and extension signatures of raw index bytes (versions 2 and 3). */
function parse(buffer: Buffer): { version: number; entries: RawIndexEntry[]; extensions: string[] } {
  if (buffer.length < HEADER + CHECKSUM || buffer.toString('latin1', 0, 4) !== 'DIRC') {
    throw new Error('not a git index file');
  }
  const version = buffer.readUInt32BE(4);
  if (version !== 2 && version !== 3) return { version, entries: [], extensions: [] };
  const count = buffer.readUInt32BE(8);
  const end = buffer.length - CHECKSUM;
  const entries: RawIndexEntry[] = new Array(count);
  let offset = HEADER;
  for (let i = 0; i < count; i++) {
    const flags = buffer.readUInt16BE(offset + 60);
    const header = 62 + (flags & 0x4000 ? 2 : 0);
    const nameStart = offset + header;
    let nameLength = flags & 0xfff;
    if (nameLength === 0xfff) nameLength = buffer.indexOf(0, nameStart) - nameStart;
    const size = Math.ceil((header + nameLength + 1) / 8) * 8;
    if (offset + size > end) throw new Error('truncated git index file');
    const name = buffer.subarray(nameStart, nameStart + nameLength);
    entries[i] = { path: name.toString('utf8'), name, stage: (flags >> 12) & 3, bytes: buffer.subarray(offset, offset + size) };
    offset += size;
  }
  const extensions: string[] = [];
  while (offset + 8 <= end) {
    extensions.push(buffer.toString('latin1', offset, offset + 4));
    offset += 8 + buffer.readUInt32BE(offset + 4);
  }
  return { version, entries, extensions };
}

/** Parses the header and extension signatures of raw index bytes (versions 2 and 3). */
export function inspectIndex(buffer: Buffer): IndexFileInfo {
  const { version, extensions } = parse(buffer);
  return { version, extensions };
}

/**
 * Reads `.git/index`; undefined when there is none (a fresh repository).
 * @throws RestorableGitError `unsupported-repo` for an index restorable cannot rewrite without losing entries
 */
export function readIndexFile(gitdir: string): IndexFile | undefined {
  const file = path.join(gitdir, 'index');
  let buffer: Buffer;
  let mtimeNs: bigint;
  try {
    // Synchronous: one file, read while holding index.lock.
    mtimeNs = statSync(file, { bigint: true }).mtimeNs;
    buffer = readFileSync(file);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  const { version, entries, extensions } = parse(buffer);
  if (version !== 2 && version !== 3) {
    throw new RestorableGitError(
      'unsupported-repo',
      `.git/index is version ${version}, which restorable commit cannot update; run \`git update-index --index-version 2\``,
    );
  }
  for (const signature of extensions) {
    const why = UNSAFE_EXTENSIONS[signature];
    if (why) throw new RestorableGitError('unsupported-repo', `.git/index is ${why}, then re-run restorable commit`);
  }
  return { version, entries, extensions, mtimeNs };
}

/**
 * Throws unless restorable can rewrite this repository's index without losing entries. A missing
 * index (fresh repository) is fine.
 * @throws RestorableGitError `unsupported-repo`
 */
export function assertIndexRewritable(gitdir: string): void {
  readIndexFile(gitdir);
}

/** A file to record in the index at stage 0. */
export interface EntryInput {
  readonly path: string;
  readonly oid: string;
  readonly stats: IndexStats;
}

/**
 * Stage-0 entries for files, encoded as git writes them (no extended flags), in the order given:
 * all in one buffer, since a commit after synth encodes every entry of the output directory again
 * (synth's hard links change every file's ctime).
 */
export function encodeEntries(files: readonly EntryInput[]): RawIndexEntry[] {
  const sizes = files.map((f) => Math.ceil((62 + Buffer.byteLength(f.path, 'utf8') + 1) / 8) * 8);
  const all = Buffer.alloc(sizes.reduce((sum, size) => sum + size, 0));
  let offset = 0;
  return files.map(({ path: filePath, oid, stats }, i) => {
    const bytes = all.subarray(offset, offset + sizes[i]!);
    offset += sizes[i]!;
    bytes.writeUInt32BE(stats.ctimeSeconds >>> 0, 0);
    bytes.writeUInt32BE(stats.ctimeNanoseconds >>> 0, 4);
    bytes.writeUInt32BE(stats.mtimeSeconds >>> 0, 8);
    bytes.writeUInt32BE(stats.mtimeNanoseconds >>> 0, 12);
    bytes.writeUInt32BE(stats.dev >>> 0, 16);
    bytes.writeUInt32BE(stats.ino >>> 0, 20);
    bytes.writeUInt32BE(stats.mode >>> 0, 24);
    bytes.writeUInt32BE(stats.uid >>> 0, 28);
    bytes.writeUInt32BE(stats.gid >>> 0, 32);
    bytes.writeUInt32BE(stats.size >>> 0, 36);
    bytes.write(oid, 40, 20, 'hex');
    const nameLength = bytes.write(filePath, 62, 'utf8');
    bytes.writeUInt16BE(Math.min(nameLength, 0xfff), 60);
    return { path: filePath, name: bytes.subarray(62, 62 + nameLength), stage: 0, bytes };
  });
}

/** A stage-0 entry for one file (see {@link encodeEntries}). */
export function encodeEntry(filePath: string, oid: string, stats: IndexStats): RawIndexEntry {
  return encodeEntries([{ path: filePath, oid, stats }])[0]!;
}

/** The bytes of an index holding `entries` (sorted by path bytes, then stage), without extensions. */
export function serializeIndex(version: 2 | 3, entries: readonly RawIndexEntry[]): Buffer {
  const header = Buffer.alloc(HEADER);
  header.write('DIRC', 0, 'latin1');
  header.writeUInt32BE(version, 4);
  header.writeUInt32BE(entries.length, 8);
  const body = Buffer.concat([header, ...entries.map((e) => e.bytes)]);
  return Buffer.concat([body, createHash('sha1').update(body).digest()]);
}

/** Writes the index (temp file and rename, through the repository's atomic fs). */
export async function writeIndexFile(ctx: RepoContext, version: 2 | 3, entries: readonly RawIndexEntry[]): Promise<void> {
  await ctx.fs.promises.writeFile(path.join(ctx.gitdir, 'index'), serializeIndex(version, entries));
}
