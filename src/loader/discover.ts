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
    for (const entry of shuffled(await readdir(current, { withFileTypes: true }))) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (!DATA_FOLDERS.has(entry.name) && !entry.name.startsWith('.')) await walk(full);
      } else if (/\.(m?ts|m?js)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        found.push(full);
      }
    }
  }
  await walk(dir);
  return shuffled(found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Tests only: with `RESTORABLE_TEST_SHUFFLE_SEED=<n>`, every folder's entries are read and the
 * discovered files loaded in an order drawn from the seed, to prove that nothing after discovery
 * depends on either order. Unset in normal use: the order is the sorted one.
 */
const SHUFFLE_SEED = Number.parseInt(process.env.RESTORABLE_TEST_SHUFFLE_SEED ?? '', 10);
let shuffleState = SHUFFLE_SEED;

function shuffled<T>(items: T[]): T[] {
  if (Number.isNaN(SHUFFLE_SEED)) return items;
  // Fisher-Yates with mulberry32, so a seed always gives the same order.
  const random = (): number => {
    shuffleState = (shuffleState + 0x6d2b79f5) | 0;
    let t = Math.imul(shuffleState ^ (shuffleState >>> 15), 1 | shuffleState);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
