/**
 * Where inventories live and how they are written: `policies/inventory/<cluster>.json`, keys sorted,
 * two-space indentation and a final newline, so the same snapshot always gives the same bytes and a
 * re-import shows in review as a plain diff. Written through a temporary file and a rename, so a
 * reader never sees half a file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Inventory } from './types.ts';

/** Folder of the inventories inside a policies folder. */
export const INVENTORY_FOLDER = 'inventory';

/** Path of a cluster's inventory file. */
export function inventoryPath(policiesDir: string, cluster: string): string {
  return path.join(policiesDir, INVENTORY_FOLDER, `${cluster}.json`);
}

/** The JSON text of a value with object keys sorted at every level. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

/** The file content of an inventory. */
export function serializeInventory(inventory: Inventory): string {
  return stableJson(inventory);
}

/**
 * Writes `content` to `file` atomically: a temporary file in the same folder, flushed, then renamed
 * over the target (a rename within one folder is atomic on POSIX file systems).
 */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Writes a cluster's inventory into `<policiesDir>/inventory/<cluster>.json` and returns the path. */
export async function writeInventory(policiesDir: string, inventory: Inventory): Promise<string> {
  const file = inventoryPath(policiesDir, inventory.cluster);
  await writeFileAtomic(file, serializeInventory(inventory));
  return file;
}
