import { chmodSync, linkSync, lstatSync, mkdirSync, readFileSync, rmSync, type Stats, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
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

/** Options of writeTree. */
export interface WriteOptions {
  /** Called after each file of the next tree is in place (written or linked), with the count so far. */
  readonly onFile?: (done: number, total: number) => void;
  /** `manifestOf(files)` when the caller has it already (hashing every file twice costs 0.1 s per 10,000). */
  readonly manifest?: OutputManifest;
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
 * recoverInterruptedSwap. When the output already matches byte for byte, nothing is touched. Files
 * whose bytes do not change are hard-linked from the current output instead of written again.
 */
export async function writeTree(outDir: string, files: ReadonlyMap<string, string>, options: WriteOptions = {}): Promise<WriteResult> {
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
    const manifest = options.manifest ?? manifestOf(files);
    if (await matchesOnDisk(paths.out, manifest)) return { changed: false, files: files.size };
    await rm(paths.next, { recursive: true, force: true });
    const folders = new Set([...files.keys()].map((file) => path.dirname(path.join(paths.next, file))));
    folders.add(path.dirname(path.join(paths.next, MANIFEST_PATH)));
    for (const folder of [...folders].sort()) mkdirSync(folder, { recursive: true });
    const reuse = await reusableFiles(paths.out, paths.next);
    let done = 0;
    for (const [file, content] of files) {
      writeFailpoint();
      const target = path.join(paths.next, file);
      if (!reuse(path.join(paths.out, file), target, content)) writeFileSync(target, content);
      options.onFile?.(++done, files.size);
    }
    writeFailpoint();
    writeFileSync(path.join(paths.next, MANIFEST_PATH), serializeManifest(manifest));
    if (await exists(paths.out)) {
      writeFailpoint();
      await rename(paths.out, paths.prev);
    }
    writeFailpoint();
    await rename(paths.next, paths.out);
    writeFailpoint();
    rmSync(paths.prev, { recursive: true, force: true });
    markSettled(paths.out);
    return { changed: true, files: files.size };
  } finally {
    await release();
  }
}

/**
 * Marks the tree final by moving the manifest's ctime past every file's. Removing `.prev` unlinks
 * the old name of every hard-linked file, which moves those files' ctime; `restorable commit`
 * trusts a file's stat data only when its ctime is older than the manifest's (src/git/scan.ts).
 * The kernel stamps ctimes with a clock that ticks every few milliseconds, so the manifest is
 * touched (a chmod to its own mode: the ctime moves, nothing else does) until its ctime is past
 * the tick of the last unlink; on a file system with coarser times this gives up after
 * {@link SETTLE_LIMIT_MS} and the next commit reads the files of that tick. A crash before this only
 * makes the next commit read every file.
 */
function markSettled(out: string): void {
  const manifest = path.join(out, MANIFEST_PATH);
  const mode = lstatSync(manifest).mode & 0o7777;
  const touch = (): bigint => {
    chmodSync(manifest, mode);
    return lstatSync(manifest, { bigint: true }).ctimeNs;
  };
  const lastUnlink = touch();
  const deadline = Date.now() + SETTLE_LIMIT_MS;
  while (touch() <= lastUnlink && Date.now() < deadline) {
    // The next tick of the file system's clock comes within milliseconds.
  }
}

/** How long {@link markSettled} waits for the file system's clock to tick. */
const SETTLE_LIMIT_MS = 50;

/**
 * How the next tree takes a file over from the current output: a hard link when the current file
 * holds exactly the new bytes (read and compared, so a hand edit is never carried over), is a
 * plain file with no other links and has the mode a new file would get; otherwise the caller
 * writes it. Linking costs one system call and no data: after a one-policy change only the
 * changed files are written. The old tree's link goes away with `.prev`, so nothing stays shared.
 */
async function reusableFiles(out: string, next: string): Promise<(current: string, target: string, content: string) => boolean> {
  if (!(await exists(out))) return () => false;
  // The mode this process gives new files (umask applied), from a probe in the next tree.
  const probe = path.join(next, path.dirname(MANIFEST_PATH), '.probe');
  writeFileSync(probe, '');
  const mode = statSync(probe).mode;
  unlinkSync(probe);
  let linking = true;
  return (current, target, content) => {
    if (!linking) return false;
    let stats: Stats;
    let bytes: Buffer;
    try {
      stats = lstatSync(current);
      if (!stats.isFile() || stats.nlink !== 1 || stats.mode !== mode || stats.size !== Buffer.byteLength(content)) return false;
      bytes = readFileSync(current);
    } catch {
      return false;
    }
    if (!bytes.equals(Buffer.from(content))) return false;
    try {
      linkSync(current, target);
      return true;
    } catch {
      // A file system without hard links: write every file.
      linking = false;
      return false;
    }
  };
}

/** True when `dir` holds exactly the manifest's files with the manifest's hashes. */
async function matchesOnDisk(dir: string, manifest: OutputManifest): Promise<boolean> {
  return verifyTree(dir, serializeManifest(manifest));
}

/**
 * True when `dir` is exactly a tree synth wrote with this manifest: its manifest file holds
 * `manifestText`, and it holds the listed files, each with its recorded sha256, and nothing else.
 */
export async function verifyTree(dir: string, manifestText: string): Promise<boolean> {
  const recorded = await readFile(path.join(dir, MANIFEST_PATH), 'utf8').catch(() => undefined);
  if (recorded !== manifestText) return false;
  const { files } = JSON.parse(manifestText) as OutputManifest;
  const onDisk = await listFiles(dir);
  const expected = Object.keys(files);
  if (onDisk.length !== expected.length + 1) return false;
  for (const file of expected) {
    let content: Buffer;
    try {
      content = readFileSync(path.join(dir, file));
    } catch {
      return false;
    }
    if (sha256(content) !== files[file]) return false;
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
