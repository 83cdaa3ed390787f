/** The final objects of a synth as JSON, the input of the cdk8s baseline and of the floor. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { JsonValue } from '../../src/output/normalize.ts';

/** One object and the file synth writes it to. */
export interface DumpedObject {
  /** Output path, relative and posix, as synth lays it out. */
  readonly path: string;
  /** The cluster whose chart it belongs to. */
  readonly cluster: string;
  readonly object: { readonly [key: string]: JsonValue };
}

/** What dump-objects writes. */
export interface ObjectDump {
  readonly clusters: readonly string[];
  readonly objects: readonly DumpedObject[];
  /** Files synth writes that are not one object each (runbooks), path to content. */
  readonly otherFiles: Readonly<Record<string, string>>;
}

/** Writes `otherFiles` as they are (synchronously, creating folders as needed). */
export function writeOtherFiles(outDir: string, files: Readonly<Record<string, string>>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(outDir, file)), { recursive: true });
    writeFileSync(path.join(outDir, file), content);
  }
}

/** Reads a dump written by dump-objects.ts. */
export async function readDump(file: string): Promise<ObjectDump> {
  return JSON.parse(await readFile(file, 'utf8')) as ObjectDump;
}
