import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFailpoint } from './failpoint.ts';
import { acquireLock } from './lock.ts';
import { MANIFEST_PATH, type OutputManifest, manifestOf, serializeManifest, sha256 } from './manifest.ts';

/** What writing the output did. */
export interface WriteResult {
  /** False when the output already held exactly these files: then nothing was touched. */
  readonly changed: boolean;
  readonly files: number;
}

/** The sibling folders of an atomic swap, beside the output folder so renames stay on one file system. */
export function swapPaths(outDir: string) {
  const parent = path.dirname(path.resolve(outDir));
  const base = path.basename(path.resolve(outDir));
  return {
    out: path.resolve(outDir),
    next: path.join(parent, `.${base}.next`),
    prev: path.join(parent, `.${base}.prev`),
    lock: path.join(parent, `.${base}.lock`),
  };
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/**
 * Finishes or rolls back a swap that a crash interrupted, so the output is always a complete tree:
 * - output missing, complete `.next` (its manifest is written last): the crash fell between the two
 *   renames; finish the swap (new tree).
 * - output missing, `.prev` present: restore it (old tree).
 * - leftovers beside a present output are removed.
 */
export async function recoverInterruptedSwap(outDir: string): Promise<void> {
  const { out, next, prev } = swapPaths(outDir);
  if (!(await exists(out))) {
    if (await exists(path.join(next, MANIFEST_PATH))) await rename(next, out);
    else if (await exists(prev)) await rename(prev, out);
  }
  await rm(next, { recursive: true, force: true });
  await rm(prev, { recursive: true, force: true });
}

/**
 * Writes `files` (relative posix paths to contents) as the whole content of `outDir`, atomically:
 * the tree is built in `.<out>.next` beside it, then swapped in with two renames. Readers see the
 * complete old tree or the complete new one, never a mix; a crash is repaired at the next start by
 * recoverInterruptedSwap. When the output already matches byte for byte, nothing is touched.
 */
export async function writeTree(outDir: string, files: ReadonlyMap<string, string>): Promise<WriteResult> {
  for (const file of files.keys()) {
    // Paths come from object names: one with '..', an absolute path or an empty segment would write outside the tree.
    if (file.split('/').some((segment) => segment === '' || segment === '.' || segment === '..') || file.includes('\\')) {
      throw new Error(`refusing to write ${JSON.stringify(file)}: output paths must stay inside the output folder`);
    }
  }
  const paths = swapPaths(outDir);
  await mkdir(path.dirname(paths.out), { recursive: true });
  const release = await acquireLock(paths.lock);
  try {
    await recoverInterruptedSwap(outDir);
    const manifest = manifestOf(files);
    if (await matchesOnDisk(paths.out, manifest)) return { changed: false, files: files.size };
    await rm(paths.next, { recursive: true, force: true });
    const folders = new Set([...files.keys()].map((file) => path.dirname(path.join(paths.next, file))));
    folders.add(path.dirname(path.join(paths.next, MANIFEST_PATH)));
    for (const folder of [...folders].sort()) await mkdir(folder, { recursive: true });
    for (const [file, content] of files) {
      writeFailpoint();
      await writeFile(path.join(paths.next, file), content);
    }
    writeFailpoint();
    await writeFile(path.join(paths.next, MANIFEST_PATH), serializeManifest(manifest));
    if (await exists(paths.out)) {
      writeFailpoint();
      await rename(paths.out, paths.prev);
    }
    writeFailpoint();
    await rename(paths.next, paths.out);
    writeFailpoint();
    await rm(paths.prev, { recursive: true, force: true });
    return { changed: true, files: files.size };
  } finally {
    await release();
  }
}

/** True when `dir` holds exactly the manifest's files with the manifest's hashes. */
async function matchesOnDisk(dir: string, manifest: OutputManifest): Promise<boolean> {
  const recorded = await readFile(path.join(dir, MANIFEST_PATH), 'utf8').catch(() => undefined);
  if (recorded !== serializeManifest(manifest)) return false;
  const onDisk = await listFiles(dir);
  const expected = Object.keys(manifest.files);
  if (onDisk.length !== expected.length + 1) return false;
  for (const file of expected) {
    const content = await readFile(path.join(dir, file)).catch(() => undefined);
    if (!content || sha256(content) !== manifest.files[file]) return false;
  }
  return true;
}

/** Every file under `dir`, relative, posix separators. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}
