import { createHash } from 'node:crypto';

/** Where, inside the output folder, synth records what it wrote. Argo CD never reads this folder. */
export const MANIFEST_PATH = '.restorable/manifest.json';

/** What synth wrote: every file (relative, posix) and the sha256 of its bytes. */
export interface OutputManifest {
  readonly version: 1;
  readonly files: Readonly<Record<string, string>>;
}

/** sha256 of content, hex. */
export function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** The manifest of a set of files, with paths sorted so it is byte-stable. */
export function manifestOf(files: ReadonlyMap<string, string>): OutputManifest {
  const entries = [...files.keys()].sort().map((file) => [file, sha256(files.get(file) ?? '')] as const);
  return { version: 1, files: Object.fromEntries(entries) };
}

/** The manifest file's bytes. */
export function serializeManifest(manifest: OutputManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
