/**
 * Checks every file of the output directory against the synth manifest
 * (anything else is a hand edit) and finds each file's git blob id, so the
 * caller can diff against HEAD without reading anything again.
 *
 * A file is read and hashed unless the index proves it unchanged since synth
 * wrote it, as git's own stat cache does: see {@link trustedBlob}. After a
 * one-policy change that leaves almost every file to an lstat.
 */
import type { BigIntStats } from 'node:fs';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RestorableGitError } from './errors.ts';
import { MANIFEST_PATH, type SynthManifest } from './manifest.ts';
import { blobOid, sha256Hex } from './object-id.ts';

/** A file under the output directory, ready to be committed. */
export interface ScannedFile {
  /** Path relative to the output directory (posix). */
  path: string;
  /** Git blob id of the content. */
  oid: string;
  /** Git file mode: `100755` when the owner may execute it, else `100644`. */
  mode: '100644' | '100755';
  /** lstat of the file, recorded in the index so git sees it as clean. */
  stats: IndexStats;
  /** False when the stat cache vouched for the file and its bytes were not read. */
  read: boolean;
}

/** The stat fields a git index entry stores, at full (nanosecond) precision. */
export interface IndexStats {
  ctimeSeconds: number;
  ctimeNanoseconds: number;
  mtimeSeconds: number;
  mtimeNanoseconds: number;
  dev: number;
  ino: number;
  /** `0o100644` or `0o100755`, matching the tree entry. */
  mode: number;
  uid: number;
  gid: number;
  size: number;
}

const UINT32 = 2n ** 32n;
const BILLION = 1_000_000_000n;

/**
 * Index stat fields from a bigint lstat, so the recorded times match what git
 * sees to the nanosecond and `git status` does not re-read the file.
 */
export function toIndexStats(stats: BigIntStats, executable: boolean): IndexStats {
  const u32 = (value: bigint): number => Number(value % UINT32);
  return {
    ctimeSeconds: u32(stats.ctimeNs / BILLION),
    ctimeNanoseconds: Number(stats.ctimeNs % BILLION),
    mtimeSeconds: u32(stats.mtimeNs / BILLION),
    mtimeNanoseconds: Number(stats.mtimeNs % BILLION),
    dev: u32(stats.dev),
    ino: u32(stats.ino),
    mode: executable ? 0o100755 : 0o100644,
    uid: u32(stats.uid),
    gid: u32(stats.gid),
    size: u32(stats.size),
  };
}

/** The index entry of a file, as far as the stat cache needs it. */
export interface IndexedFile {
  oid: string;
  /** `0o100644` or `0o100755`. */
  mode: number;
  size: number;
  ino: number;
  mtimeSeconds: number;
  mtimeNanoseconds: number;
}

/** What lets {@link scanOutput} take a file's blob id without reading it. */
export interface StatCache {
  /** Index entries (stage 0) by path relative to the output directory. */
  entries: ReadonlyMap<string, IndexedFile>;
  /** mtime of the index file in ns: an entry as new as its index is "racily clean" (git's rule). */
  indexMtimeNs: bigint;
}

const toNs = (seconds: number, nanoseconds: number): bigint => BigInt(seconds) * BILLION + BigInt(nanoseconds);

/**
 * The blob id of the file at `rel` without reading it, or null when it must be read. All of these
 * must hold:
 * - the manifest records a blob id for it and the index entry holds that id (so the index
 *   recorded these very bytes; a hand edit staged with `git add` has another id);
 * - size, inode, executable bit and nanosecond mtime equal the entry's (git's stat check; the
 *   ctime is not compared because synth hard-links unchanged files, which changes their ctime);
 * - the entry is older than the index file (git's racy-timestamp rule: a file changed in the same
 *   clock tick as the index was written could keep its stat);
 * - the file's ctime is older than the manifest's: synth moves the manifest's ctime past every
 *   file's as its last act, after placing every file (having read and compared every linked one)
 *   and removing the old tree, and any later write, chmod or rename of the file moves its ctime
 *   past that, which no tool can set back. This is what still catches an edit that restores size and mtime (`touch -d`), which
 *   git's check without ctime would miss.
 */
function trustedBlob(rel: string, stats: BigIntStats, manifest: SynthManifest, cache: StatCache | undefined, settledNs: bigint): string | null {
  if (cache === undefined) return null;
  const expected = manifest.blobs.get(rel);
  const entry = cache.entries.get(rel);
  if (expected === undefined || entry === undefined || entry.oid !== expected) return null;
  const executable = (stats.mode & 0o100n) !== 0n;
  const entryNs = toNs(entry.mtimeSeconds, entry.mtimeNanoseconds);
  const same =
    entry.mode === (executable ? 0o100755 : 0o100644) &&
    BigInt(entry.size) === stats.size % UINT32 &&
    BigInt(entry.ino) === stats.ino % UINT32 &&
    // The index keeps 32-bit seconds: compare as it stores them.
    toNs(Number((stats.mtimeNs / BILLION) % UINT32), Number(stats.mtimeNs % BILLION)) === entryNs;
  if (!same || entryNs >= cache.indexMtimeNs || stats.ctimeNs >= settledNs) return null;
  return expected;
}

/** A difference between the output directory and the manifest. */
export interface HandEdit {
  path: string;
  reason: 'modified' | 'not in manifest' | 'missing' | 'not a regular file';
}

/** How many hand-edited paths an error message lists. */
export const HAND_EDIT_LIST_LIMIT = 10;

// Synchronous, like the reads below: a few hundred small directories, where awaiting each call
// costs more in thread-pool round trips than the call itself.
function walk(root: string, rel: string, files: string[], others: string[]): void {
  const entries = readdirSync(rel === '' ? root : path.join(root, rel), { withFileTypes: true });
  for (const entry of entries) {
    const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) walk(root, child, files, others);
    else if (entry.isFile()) files.push(child);
    else others.push(child);
  }
}

/** The error listing up to {@link HAND_EDIT_LIST_LIMIT} hand edits. */
export function handEditsError(edits: readonly HandEdit[], displayOut: string): RestorableGitError {
  const shown = edits.slice(0, HAND_EDIT_LIST_LIMIT).map((e) => `  ${displayOut}/${e.path} (${e.reason})`);
  const more = edits.length > HAND_EDIT_LIST_LIMIT ? [`  ... and ${edits.length - HAND_EDIT_LIST_LIMIT} more`] : [];
  return new RestorableGitError(
    'hand-edits',
    [
      `${displayOut}/ does not match the last synth (${edits.length} hand-edited path${edits.length === 1 ? '' : 's'}):`,
      ...shown,
      ...more,
      'run restorable synth to regenerate, or revert the edits',
    ].join('\n'),
  );
}

/**
 * Scans `outAbs` against `manifest`.
 * @param displayOut - the output directory as shown to the user
 * @returns every file to commit (manifest files plus the manifest itself), sorted by path
 * @throws RestorableGitError `hand-edits` when anything differs from the manifest
 */
export async function scanOutput(outAbs: string, manifest: SynthManifest, displayOut: string, cache?: StatCache): Promise<ScannedFile[]> {
  const files: string[] = [];
  const others: string[] = [];
  walk(outAbs, '', files, others);
  // When synth finished: the manifest's ctime, which synth moves past every file's as its last act
  // (a ctime cannot be set back, only moved forward to now).
  const settledNs = lstatSync(path.join(outAbs, ...MANIFEST_PATH.split('/')), { bigint: true }).ctimeNs;
  const edits: HandEdit[] = others.map((p) => ({ path: p, reason: 'not a regular file' }));
  const present = new Set(files);
  const scanned = files.map((rel): ScannedFile | null => {
    const expected = manifest.files.get(rel);
    if (expected === undefined && rel !== MANIFEST_PATH) {
      edits.push({ path: rel, reason: 'not in manifest' });
      return null;
    }
    const abs = path.join(outAbs, ...rel.split('/'));
    // Synchronous: small files, and awaiting each call costs more in thread-pool round trips than the read.
    const stats = lstatSync(abs, { bigint: true });
    // git's rule: executable when the owner may execute it.
    const executable = (stats.mode & 0o100n) !== 0n;
    const mode = executable ? '100755' : '100644';
    const trusted = rel === MANIFEST_PATH ? null : trustedBlob(rel, stats, manifest, cache, settledNs);
    if (trusted !== null) return { path: rel, oid: trusted, mode, stats: toIndexStats(stats, executable), read: false };
    const content = readFileSync(abs);
    if (expected !== undefined && sha256Hex(content) !== expected) {
      edits.push({ path: rel, reason: 'modified' });
      return null;
    }
    return { path: rel, oid: blobOid(content), mode, stats: toIndexStats(stats, executable), read: true };
  });
  for (const rel of manifest.files.keys()) {
    if (!present.has(rel)) edits.push({ path: rel, reason: 'missing' });
  }
  if (edits.length > 0) {
    edits.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    throw handEditsError(edits, displayOut);
  }
  return scanned.filter((f): f is ScannedFile => f !== null).sort((a, b) => (a.path < b.path ? -1 : 1));
}
