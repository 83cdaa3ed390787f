/**
 * Reads the output directory once, checks every file against the synth
 * manifest (anything else is a hand edit) and computes each file's git blob
 * id, so the caller can diff against HEAD without reading anything again.
 */
import type { BigIntStats } from 'node:fs';
import { lstatSync, readFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import { RestorableGitError } from './errors.ts';
import { MANIFEST_PATH, type SynthManifest } from './manifest.ts';
import { blobOid, sha256Hex } from './object-id.ts';
import { mapLimit } from './pool.ts';

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

/** A difference between the output directory and the manifest. */
export interface HandEdit {
  path: string;
  reason: 'modified' | 'not in manifest' | 'missing' | 'not a regular file';
}

/** How many hand-edited paths an error message lists. */
export const HAND_EDIT_LIST_LIMIT = 10;

async function walk(root: string, rel: string, files: string[], others: string[]): Promise<void> {
  const entries = await fsp.readdir(rel === '' ? root : path.join(root, rel), { withFileTypes: true });
  for (const entry of entries) {
    const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) await walk(root, child, files, others);
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
export async function scanOutput(outAbs: string, manifest: SynthManifest, displayOut: string): Promise<ScannedFile[]> {
  const files: string[] = [];
  const others: string[] = [];
  await walk(outAbs, '', files, others);
  const edits: HandEdit[] = others.map((p) => ({ path: p, reason: 'not a regular file' }));
  const present = new Set(files);
  const scanned = await mapLimit(files, 32, async (rel): Promise<ScannedFile | null> => {
    const expected = manifest.files.get(rel);
    if (expected === undefined && rel !== MANIFEST_PATH) {
      edits.push({ path: rel, reason: 'not in manifest' });
      return null;
    }
    const abs = path.join(outAbs, ...rel.split('/'));
    // Synchronous: small files, and awaiting each call costs more in thread-pool round trips than the read.
    const stats = lstatSync(abs, { bigint: true });
    const content = readFileSync(abs);
    if (expected !== undefined && sha256Hex(content) !== expected) {
      edits.push({ path: rel, reason: 'modified' });
      return null;
    }
    // git's rule: executable when the owner may execute it.
    const executable = (stats.mode & 0o100n) !== 0n;
    return { path: rel, oid: blobOid(content), mode: executable ? '100755' : '100644', stats: toIndexStats(stats, executable) };
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
