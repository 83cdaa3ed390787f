import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** Folders under `policies/` that hold data, not policy modules. */
const DATA_FOLDERS = new Set(['sealed', 'inventory', 'node_modules']);

/**
 * Every policy module under `dir`: `.ts`, `.mts` and `.js`/`.mjs` files, except declaration files
 * and data folders, sorted by path so discovery order never depends on the file system.
 */
export async function discoverPolicyFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(current: string): Promise<void> {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (!DATA_FOLDERS.has(entry.name) && !entry.name.startsWith('.')) await walk(full);
      } else if (/\.(m?ts|m?js)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        found.push(full);
      }
    }
  }
  await walk(dir);
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
