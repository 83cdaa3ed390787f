/**
 * A read-only look at `.git/index` before isomorphic-git rewrites it.
 * isomorphic-git reads index versions 2 and 3 and writes back only the
 * entries, dropping extensions. Dropping caches (TREE, UNTR, FSMN, ...) is
 * harmless; git rebuilds them. Dropping `link` (split index) or `sdir`
 * (sparse index) would lose entries, so such indexes are refused.
 */
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, RestorableGitError } from './errors.ts';

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

/** Parses the header and extension signatures of raw index bytes (versions 2 and 3). */
export function inspectIndex(buffer: Buffer): IndexFileInfo {
  if (buffer.length < 32 || buffer.toString('latin1', 0, 4) !== 'DIRC') {
    throw new Error('not a git index file');
  }
  const version = buffer.readUInt32BE(4);
  if (version !== 2 && version !== 3) return { version, extensions: [] };
  const count = buffer.readUInt32BE(8);
  const end = buffer.length - 20;
  let offset = 12;
  for (let i = 0; i < count; i++) {
    const flags = buffer.readUInt16BE(offset + 60);
    const header = 62 + (flags & 0x4000 ? 2 : 0);
    let nameLength = flags & 0xfff;
    if (nameLength === 0xfff) nameLength = buffer.indexOf(0, offset + header) - (offset + header);
    offset += Math.ceil((header + nameLength + 1) / 8) * 8;
  }
  const extensions: string[] = [];
  while (offset + 8 <= end) {
    extensions.push(buffer.toString('latin1', offset, offset + 4));
    offset += 8 + buffer.readUInt32BE(offset + 4);
  }
  return { version, extensions };
}

/**
 * Throws unless isomorphic-git can rewrite this repository's index without
 * losing entries. A missing index (fresh repository) is fine.
 * @throws RestorableGitError `unsupported-repo`
 */
export async function assertIndexRewritable(gitdir: string): Promise<void> {
  let buffer: Buffer;
  try {
    buffer = await fsp.readFile(path.join(gitdir, 'index'));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return;
    throw error;
  }
  const { version, extensions } = inspectIndex(buffer);
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
}
