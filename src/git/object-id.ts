/** Git object ids computed with node:crypto (native, far faster than JS SHA-1). */
import { createHash } from 'node:crypto';

/** The kinds of git object restorable writes. */
export type ObjectType = 'blob' | 'tree';

/** The id of a git object: sha1 of `<type> <size>\0<content>`. */
export function objectId(type: ObjectType, content: Uint8Array): string {
  return createHash('sha1').update(`${type} ${content.byteLength}\0`).update(content).digest('hex');
}

/** The git blob id of `content`, as `git hash-object` computes it. */
export function blobOid(content: Uint8Array): string {
  return objectId('blob', content);
}

/** sha256 hex of `content`, as the synth manifest records it. */
export function sha256Hex(content: Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}
