/**
 * The file system isomorphic-git writes through. isomorphic-git overwrites
 * objects, the index and refs in place, so a crash mid-write would leave a
 * truncated file that git then rejects. Here every `writeFile` goes to a
 * temporary file beside the target and is renamed over it, so readers (and a
 * crash) only ever see the old or the new content.
 *
 * Durability: by default nothing is fsynced, matching git's own defaults for
 * loose objects, refs and the index (`core.fsync`), which protect against a
 * crashed process but not against power loss. `durable: true` fsyncs the file
 * before the rename and the directory after it, for power-loss safety at the
 * cost of one or two disk flushes per write.
 */
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import type { WriteFailpoint } from './failpoint.ts';

/** Options for {@link createAtomicFs}. */
export interface AtomicFsOptions {
  /** fsync each file before publishing it, and its directory after (default false). */
  durable?: boolean;
  /** Crash injection hook, called between writing the data and the rename. */
  failpoint?: WriteFailpoint;
}

type WriteData = string | Uint8Array;
type WriteOptions = BufferEncoding | { encoding?: BufferEncoding | null; mode?: number } | undefined;

/** The promise-based fs client isomorphic-git accepts (`PromiseFsClient`). */
export interface AtomicFs {
  promises: {
    readFile(file: string, options?: BufferEncoding | { encoding?: BufferEncoding | null }): Promise<string | Buffer>;
    writeFile(file: string, data: WriteData, options?: WriteOptions): Promise<void>;
    unlink(file: string): Promise<void>;
    readdir(dir: string): Promise<string[]>;
    mkdir(dir: string, options?: { recursive?: boolean; mode?: number }): Promise<string | undefined>;
    rmdir(dir: string): Promise<void>;
    rm(target: string, options?: { recursive?: boolean; force?: boolean }): Promise<void>;
    stat(file: string): Promise<Stats>;
    lstat(file: string): Promise<Stats>;
    readlink(file: string): Promise<string>;
    symlink(target: string, file: string): Promise<void>;
    chmod(file: string, mode: number): Promise<void>;
  };
}

/**
 * A temporary name beside `target` that git ignores: loose-object scans skip
 * `tmp_obj_*` (so `git fsck` stays quiet about leftovers) and ref scans skip
 * `*.lock` (so a leftover is never mistaken for a branch).
 */
export function tempPathFor(target: string): string {
  const tag = `${process.pid}.${randomBytes(6).toString('hex')}`;
  return path.join(path.dirname(target), `tmp_obj_${path.basename(target)}.${tag}.lock`);
}

/**
 * Writes `data` to `target` atomically (temp file + rename), honouring the
 * durability choice and the failpoint. The temp file is removed on failure.
 */
export async function writeFileAtomic(
  target: string,
  data: WriteData,
  options: AtomicFsOptions & { mode?: number; encoding?: BufferEncoding } = {},
): Promise<void> {
  const temp = tempPathFor(target);
  // 'wx' so two writers can never share a temp file.
  const handle = await fsp.open(temp, 'wx', options.mode ?? 0o666);
  try {
    try {
      await handle.writeFile(data, options.encoding === undefined ? {} : { encoding: options.encoding });
      if (options.durable) await handle.sync();
    } finally {
      await handle.close();
    }
    options.failpoint?.hit();
    await fsp.rename(temp, target);
  } catch (error) {
    await fsp.rm(temp, { force: true });
    throw error;
  }
  if (options.durable) await syncDirectory(path.dirname(target));
}

/** fsyncs a directory so a rename inside it survives power loss. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function writeOptions(options: WriteOptions): { mode?: number; encoding?: BufferEncoding } {
  if (typeof options === 'string') return { encoding: options };
  if (options === undefined) return {};
  const out: { mode?: number; encoding?: BufferEncoding } = {};
  if (options.mode !== undefined) out.mode = options.mode;
  if (options.encoding) out.encoding = options.encoding;
  return out;
}

/**
 * Creates the fs client to hand to isomorphic-git: node:fs/promises with an
 * atomic `writeFile`. Reads and directory operations pass straight through.
 */
export function createAtomicFs(options: AtomicFsOptions = {}): AtomicFs {
  // Every method is async: isomorphic-git probes `readFile()` with no
  // argument and expects a rejected promise, not a synchronous throw.
  return {
    promises: {
      readFile: async (file, readOptions) => fsp.readFile(file, readOptions),
      writeFile: async (file, data, writeOpts) => writeFileAtomic(file, data, { ...options, ...writeOptions(writeOpts) }),
      unlink: async (file) => fsp.unlink(file),
      readdir: async (dir) => fsp.readdir(dir),
      mkdir: async (dir, mkdirOptions) => fsp.mkdir(dir, mkdirOptions),
      rmdir: async (dir) => fsp.rmdir(dir),
      rm: async (target, rmOptions) => fsp.rm(target, rmOptions),
      stat: async (file) => fsp.stat(file),
      lstat: async (file) => fsp.lstat(file),
      readlink: async (file) => fsp.readlink(file),
      symlink: async (target, file) => fsp.symlink(target, file),
      chmod: async (file, mode) => fsp.chmod(file, mode),
    },
  };
}
