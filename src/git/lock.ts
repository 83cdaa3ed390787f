/**
 * Cross-process locking with git's own protocol: a `<file>.lock` created with
 * O_EXCL. Holding `.git/index.lock` keeps the git CLI (commit, add, checkout,
 * merge, ...) and other `restorable commit` runs out while we rewrite objects,
 * the branch and the index; isomorphic-git only locks within one process.
 *
 * Our lock files record `pid` and `host`, so a lock left behind by a killed
 * `restorable` process can be proven stale (same host, pid gone) and removed.
 * Locks written by anything else (the git CLI, an editor) are never removed:
 * we wait for them, then fail with a message saying how to clear them.
 */
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { hostname } from 'node:os';
import { errnoCode, RestorableGitError } from './errors.ts';

/** Who holds a lock written by this module. */
export interface LockOwner {
  pid: number;
  host: string;
  token: string;
}

/** Options for {@link acquireLock}. */
export interface AcquireLockOptions {
  /** How long to wait for a lock someone else holds, in ms (0: do not wait). */
  timeoutMs: number;
  /** Polling interval while waiting, in ms (default 100). */
  pollMs?: number;
  /** Name of the lock in messages, e.g. `.git/index.lock` (default: the path). */
  label?: string;
  /**
   * File content instead of the owner record (for ref locks, whose content is
   * the new ref value). Such locks cannot be proven stale.
   */
  content?: string;
  /** fsync the lock file after writing it. */
  durable?: boolean;
  /** Called once, when the lock is found held and we start waiting. */
  onWait?: (label: string) => void;
  /** Called after removing a lock whose owner process is provably gone. */
  onStaleRemoved?: (label: string, owner: LockOwner) => void;
}

/** A lock this process holds. */
export interface HeldLock {
  /** Absolute path of the lock file. */
  readonly path: string;
  /** The exact content written, used to check ownership on release. */
  readonly content: string;
  /** Removes the lock file if it is still ours; safe to call more than once. */
  release(): Promise<void>;
}

const PREFIX = 'restorable-lock';

/** The lock file content identifying this process. */
export function ownerRecord(token: string = randomBytes(8).toString('hex')): string {
  return `${PREFIX} pid=${process.pid} host=${hostname()} token=${token}\n`;
}

/** Parses a lock file written by {@link ownerRecord}; null for anything else. */
export function parseOwner(content: string): LockOwner | null {
  const match = /^restorable-lock pid=(\d+) host=(\S+) token=(\S+)\n$/.exec(content);
  if (!match) return null;
  return { pid: Number(match[1]), host: match[2] ?? '', token: match[3] ?? '' };
}

/** True unless the OS says no process has this pid (EPERM means it exists). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) !== 'ESRCH';
  }
}

async function tryCreate(lockPath: string, content: string, durable: boolean): Promise<boolean> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(lockPath, 'wx', 0o666);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(content);
    if (durable) await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

async function readOrNull(file: string): Promise<string | null> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Removes `lockPath` if it was written by a `restorable` process on this host
 * that no longer exists. Returns the dead owner when it did.
 *
 * Two waiters may both judge the same lock stale. Each moves it aside with an
 * atomic rename and checks it moved the content it judged; if it moved a
 * fresh lock instead, it links that lock straight back.
 */
export async function removeIfStale(lockPath: string): Promise<LockOwner | null> {
  const content = await readOrNull(lockPath);
  if (content === null) return null;
  const owner = parseOwner(content);
  if (!owner || owner.host !== hostname() || owner.pid === process.pid || isProcessAlive(owner.pid)) {
    return null;
  }
  // Ends in `.lock` so git never reads it as a ref.
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}.lock`;
  try {
    await fsp.rename(lockPath, aside);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  }
  try {
    if ((await readOrNull(aside)) === content) return owner;
    await fsp.link(aside, lockPath).catch(() => undefined);
    return null;
  } finally {
    await fsp.rm(aside, { force: true });
  }
}

/** The message for a lock we gave up waiting for. */
export function lockedMessage(label: string, owner: LockOwner | null): string {
  const who = owner ? ` (restorable, pid ${owner.pid} on ${owner.host})` : '';
  return `another git process holds ${label}${who}; if none is running, remove it`;
}

/**
 * Takes `lockPath` exclusively, waiting up to `timeoutMs` while someone else
 * holds it and removing it only when its owner is provably dead.
 * @throws RestorableGitError `locked` when the lock stays held
 */
export async function acquireLock(lockPath: string, options: AcquireLockOptions): Promise<HeldLock> {
  const label = options.label ?? lockPath;
  const content = options.content ?? ownerRecord();
  const pollMs = options.pollMs ?? 100;
  const deadline = Date.now() + options.timeoutMs;
  let waiting = false;
  for (;;) {
    if (await tryCreate(lockPath, content, options.durable ?? false)) {
      return { path: lockPath, content, release: () => releaseIfOurs(lockPath, content) };
    }
    const dead = await removeIfStale(lockPath);
    if (dead) {
      options.onStaleRemoved?.(label, dead);
      continue;
    }
    if (Date.now() >= deadline) {
      const current = await readOrNull(lockPath);
      if (current === null) continue;
      throw new RestorableGitError('locked', lockedMessage(label, parseOwner(current)));
    }
    if (!waiting) {
      waiting = true;
      options.onWait?.(label);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

async function releaseIfOurs(lockPath: string, content: string): Promise<void> {
  // Never delete a lock that is no longer ours (it may have been renamed into
  // place as a ref, or, after a mistaken stale judgement, belong to another).
  if ((await readOrNull(lockPath)) !== content) return;
  await fsp.rm(lockPath, { force: true });
}
