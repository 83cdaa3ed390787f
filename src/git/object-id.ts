/** Git object ids computed with node:crypto (native, far faster than JS SHA-1). */
import { createHash } from 'node:crypto';

/** The git blob id of `content`: sha1 of `blob <size>\0<content>`. */
export function blobOid(content: Uint8Array): string {
  return createHash('sha1').update(`blob ${content.byteLength}\0`).update(content).digest('hex');
}

/** sha256 hex of `content`, as the synth manifest records it. */
export function sha256Hex(content: Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}
