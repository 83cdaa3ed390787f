/**
 * The modules the policy worker imported, as tsx reports them (`register({ onImport })` in
 * worker-entry.mjs): the synth cache keys on every file a policy pulls in, including files outside
 * the policies folder.
 */
import { fileURLToPath } from 'node:url';

const imported = new Set<string>();

/** Records one imported module URL (called by tsx for every module it loads in the worker). */
export function recordImport(url: string): void {
  imported.add(url);
}

/**
 * Every local file imported so far (file: URLs only, as paths), sorted. Waits one turn of the
 * event loop first: tsx reports imports through a message port, so the last reports may still
 * be queued when the imports have resolved.
 */
export async function importedFiles(): Promise<string[]> {
  await new Promise((resolve) => setImmediate(resolve));
  const files: string[] = [];
  for (const url of imported) {
    if (!url.startsWith('file:')) continue;
    const parsed = new URL(url);
    parsed.search = '';
    parsed.hash = '';
    files.push(fileURLToPath(parsed));
  }
  return [...new Set(files)].sort();
}
