/**
 * Writes loose git objects whose id the caller has already computed.
 * `git.writeBlob`/`writeTree` hash and compress again, and compress through a
 * web `CompressionStream`, which costs tens of milliseconds on first use;
 * here the object is compressed with node:zlib and handed to isomorphic-git's
 * `writeObject` in its `deflated` format, which stores it under the given id
 * (and leaves an existing object alone) through the repository's atomic fs.
 * Loose objects are compressed at zlib level 1, git's default for them
 * (`core.looseCompression`, Z_BEST_SPEED): the synth manifest, a blob of a
 * few megabytes that changes on every commit, takes several times longer at
 * zlib's default level 6.
 */
import { deflateSync } from 'node:zlib';
import git from 'isomorphic-git';
import type { RepoContext } from './context.ts';
import { type ObjectType, objectId } from './object-id.ts';

/** git's default compression of loose objects (`core.looseCompression` unset: Z_BEST_SPEED). */
const LOOSE_COMPRESSION = 1;

/**
 * Stores `content` as a `type` object and returns its id.
 * @param oid - the id when already known (it must be {@link objectId} of the content)
 */
export async function writeObject(ctx: RepoContext, type: ObjectType, content: Uint8Array, oid = objectId(type, content)): Promise<string> {
  const wrapped = Buffer.concat([Buffer.from(`${type} ${content.byteLength}\0`), content]);
  await git.writeObject({ fs: ctx.fs, gitdir: ctx.gitdir, type, object: deflateSync(wrapped, { level: LOOSE_COMPRESSION }), format: 'deflated', oid });
  return oid;
}
