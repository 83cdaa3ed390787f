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
}

/**
 * Why `relPath` cannot be a generated file name, or null when it is fine.
 * Rejects anything git would refuse in a tree (`.git`, `..`, empty segments).
 */
export function invalidPathReason(relPath: string): string | null {
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
  const { version, files } = data as { version?: unknown; files?: unknown };
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
  return { version: 1, files: out };
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
