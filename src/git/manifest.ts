/**
 * The synth manifest (`<out>/.restorable/manifest.json`): the list of files
 * the last successful synth wrote, with the sha256 of each. It is how commit
 * tells generated output from hand edits.
 */
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, RestorableGitError } from './errors.ts';

/** Path of the manifest inside the output directory (posix). */
export const MANIFEST_PATH = '.restorable/manifest.json';

/** A parsed, validated manifest: posix path (relative to the out dir) → sha256 hex. */
export interface SynthManifest {
  version: 1;
  files: ReadonlyMap<string, string>;
  /**
   * Path → git blob id of the same bytes, for every file of `files`; empty for a manifest written
   * before synth recorded blob ids (commit then reads every file).
   */
  blobs: ReadonlyMap<string, string>;
}

// The common case in one pass: relative, "/"-separated, no backslash or NUL, no empty segment, and
// no ".", ".." or ".git" segment (any case). Anything else takes the slow path for its reason.
const PLAIN_PATH = /^[^/\\\0]+(?:\/[^/\\\0]+)*$/;
const SPECIAL_SEGMENT = /(?:^|\/)(?:\.\.?|\.git)(?:\/|$)/i;

/**
 * Why `relPath` cannot be a generated file name, or null when it is fine.
 * Rejects anything git would refuse in a tree (`.git`, `..`, empty segments).
 */
export function invalidPathReason(relPath: string): string | null {
  if (PLAIN_PATH.test(relPath) && !SPECIAL_SEGMENT.test(relPath)) return null;
  if (relPath === '' || relPath.startsWith('/')) return 'must be a relative path';
  if (relPath.includes('\\') || relPath.includes('\0')) return 'must use "/" separators and no NUL';
  for (const segment of relPath.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return 'has an empty, "." or ".." segment';
    if (segment.toLowerCase() === '.git') return 'has a ".git" segment';
  }
  return null;
}

/**
 * Parses manifest JSON text.
 * @param text - file content
 * @param where - path shown in error messages
 * @throws RestorableGitError `invalid-manifest`
 */
export function parseManifest(text: string, where: string): SynthManifest {
  const fail = (why: string): never => {
    throw new RestorableGitError(
      'invalid-manifest',
      `${where} is not a valid synth manifest (${why}); run restorable synth to regenerate it`,
    );
  };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return fail('not JSON');
  }
  if (typeof data !== 'object' || data === null) return fail('not an object');
  const { version, files, blobs } = data as { version?: unknown; files?: unknown; blobs?: unknown };
  if (version !== 1) return fail(`unsupported version ${JSON.stringify(version)}`);
  if (typeof files !== 'object' || files === null || Array.isArray(files)) return fail('"files" is not an object');
  const out = new Map<string, string>();
  for (const [file, hash] of Object.entries(files)) {
    const reason = invalidPathReason(file);
    if (reason) return fail(`path ${JSON.stringify(file)} ${reason}`);
    if (file === MANIFEST_PATH) continue;
    if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) return fail(`bad sha256 for ${file}`);
    out.set(file, hash);
  }
  const blobIds = new Map<string, string>();
  if (blobs !== undefined) {
    if (typeof blobs !== 'object' || blobs === null || Array.isArray(blobs)) return fail('"blobs" is not an object');
    for (const [file, oid] of Object.entries(blobs)) {
      if (!out.has(file)) return fail(`"blobs" names ${JSON.stringify(file)}, which "files" does not list`);
      if (typeof oid !== 'string' || !/^[0-9a-f]{40}$/.test(oid)) return fail(`bad git blob id for ${file}`);
      blobIds.set(file, oid);
    }
    if (blobIds.size !== out.size) return fail('"blobs" does not list every file of "files"');
  }
  return { version: 1, files: out, blobs: blobIds };
}

/**
 * Reads the manifest of the output directory `outAbs`.
 * @param displayOut - the output directory as shown to the user
 * @throws RestorableGitError `no-manifest` when synth has not run
 */
export async function readManifest(outAbs: string, displayOut: string): Promise<SynthManifest> {
  const where = `${displayOut}/${MANIFEST_PATH}`;
  let text: string;
  try {
    text = await fsp.readFile(path.join(outAbs, ...MANIFEST_PATH.split('/')), 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') {
      throw new RestorableGitError('no-manifest', `no synth manifest at ${where}; run restorable synth first`);
    }
    throw error;
  }
  return parseManifest(text, where);
}
