/**
 * Moves a branch the way git does: take `<ref>.lock` with O_EXCL, check the
 * branch still points where we started (compare-and-swap), write the new id
 * into the lock file and rename it over the ref. A concurrent `git fetch`,
 * `git update-ref` or `git branch -f` either waits for us or makes us fail;
 * neither side's update is lost. Then the reflogs get one line each, as
 * `git commit` would write.
 */
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import git from 'isomorphic-git';
import { syncDirectory } from './atomic-fs.ts';
import type { RepoContext } from './context.ts';
import { RestorableGitError } from './errors.ts';
import type { WriteFailpoint } from './failpoint.ts';
import { resolveRefOrNull } from './head.ts';
import { acquireLock } from './lock.ts';

const ZERO_OID = '0000000000000000000000000000000000000000';

/** A git identity with its time, as isomorphic-git models it. */
export interface Signature {
  name: string;
  email: string;
  /** Seconds since the epoch. */
  timestamp: number;
  /** Minutes, with the sign of `Date#getTimezoneOffset()` (UTC+2 is -120). */
  timezoneOffset: number;
}

/** Options for {@link updateBranch}. */
export interface UpdateBranchOptions {
  /** Full ref name, e.g. `refs/heads/main`. */
  ref: string;
  /** Value the ref must still have (null: must not exist). */
  expected: string | null;
  /** New commit id. */
  next: string;
  /** Who made the change and when, for the reflog. */
  committer: Signature;
  /** Reflog message, e.g. `commit: restorable: synth`. */
  reflogMessage: string;
  /** Wait this long for another process's ref lock, in ms. */
  lockTimeoutMs: number;
  durable: boolean;
  failpoint: WriteFailpoint;
}

function tz(offset: number): string {
  const east = -offset;
  const abs = Math.abs(east);
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  return `${east < 0 ? '-' : '+'}${hhmm}`;
}

/** One reflog line: `<old> <new> Name <email> <seconds> <+hhmm>\t<message>`. */
export function reflogLine(old: string | null, next: string, who: Signature, message: string): string {
  const oneLine = message.replace(/\s*\n[\s\S]*$/, '');
  return `${old ?? ZERO_OID} ${next} ${who.name} <${who.email}> ${who.timestamp} ${tz(who.timezoneOffset)}\t${oneLine}\n`;
}

async function appendReflogs(ctx: RepoContext, ref: string, line: string): Promise<void> {
  // Like git: append to existing logs; create new ones unless turned off.
  const setting = await git.getConfig({ fs: ctx.fs, gitdir: ctx.gitdir, path: 'core.logAllRefUpdates' });
  const create = setting !== false && setting !== 'false';
  for (const name of [ref, 'HEAD']) {
    const file = path.join(ctx.gitdir, 'logs', ...name.split('/'));
    const exists = await fsp.stat(file).then(
      () => true,
      () => false,
    );
    if (!exists && !create) continue;
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await fsp.appendFile(file, line);
  }
}

/**
 * Points `ref` at `next` if it still points at `expected`.
 * @throws RestorableGitError `concurrent-change` when the branch moved meanwhile, `locked` when its lock stays held
 */
export async function updateBranch(ctx: RepoContext, options: UpdateBranchOptions): Promise<void> {
  const refPath = path.join(ctx.gitdir, ...options.ref.split('/'));
  await fsp.mkdir(path.dirname(refPath), { recursive: true });
  const lock = await acquireLock(`${refPath}.lock`, {
    timeoutMs: options.lockTimeoutMs,
    label: `.git/${options.ref}.lock`,
    content: `${options.next}\n`,
    durable: options.durable,
  });
  let published = false;
  try {
    const current = await resolveRefOrNull(ctx, options.ref);
    if (current !== options.expected) {
      throw new RestorableGitError(
        'concurrent-change',
        `${options.ref} moved from ${options.expected ?? '(none)'} to ${current ?? '(none)'} while committing; re-run restorable commit`,
      );
    }
    options.failpoint.hit();
    await fsp.rename(lock.path, refPath);
    published = true;
    if (options.durable) await syncDirectory(path.dirname(refPath));
  } finally {
    // After the rename the lock file *is* the ref: never delete it.
    if (!published) await lock.release();
  }
  await appendReflogs(ctx, options.ref, reflogLine(options.expected, options.next, options.committer, options.reflogMessage));
}
