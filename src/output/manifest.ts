import { createHash } from 'node:crypto';
import { blobOid } from '../git/object-id.ts';

/** Where, inside the output folder, synth records what it wrote. Argo CD never reads this folder. */
export const MANIFEST_PATH = '.restorable/manifest.json';

/**
 * What synth wrote: every file (relative, posix) with the sha256 of its bytes, and the git blob id
 * of the same bytes. The sha256 is what synth and `validate` check the tree against; the blob ids
 * let `restorable commit` take an unchanged file's id without reading it (see src/git/scan.ts).
 */
export interface OutputManifest {
  readonly version: 1;
  readonly files: Readonly<Record<string, string>>;
  readonly blobs: Readonly<Record<string, string>>;
}

/** sha256 of content, hex. */
export function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** The manifest of a set of files, with paths sorted so it is byte-stable. */
export function manifestOf(files: ReadonlyMap<string, string>): OutputManifest {
  const paths = [...files.keys()].sort();
  const bytes = new Map(paths.map((file) => [file, Buffer.from(files.get(file) ?? '')]));
  return {
    version: 1,
    files: Object.fromEntries(paths.map((file) => [file, sha256(bytes.get(file) as Buffer)])),
    blobs: Object.fromEntries(paths.map((file) => [file, blobOid(bytes.get(file) as Buffer)])),
  };
}

/** The manifest file's bytes. */
export function serializeManifest(manifest: OutputManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
