/**
 * Author identity and commit time: `--author "Name <email>"`, `--date ISO`,
 * and the `user.name`/`user.email` fallback from git config.
 */
import * as fsp from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import git from 'isomorphic-git';
import type { RepoContext } from './context.ts';
import { RestorableGitError } from './errors.ts';
import type { Signature } from './ref-update.ts';

/** A name and email, as in `Name <email>`. */
export interface Identity {
  name: string;
  email: string;
}

/** A commit time in git's terms. */
export interface CommitTime {
  /** Whole seconds since the epoch. */
  timestamp: number;
  /** Minutes, with the sign of `Date#getTimezoneOffset()` (UTC+2 is -120, UTC is 0). */
  timezoneOffset: number;
}

// git (fsck) forbids these in identities: they would break the header line.
const BAD_NAME = /[<>\n\r\0]/;
const BAD_EMAIL = /[<>\s\0]/;

/**
 * Parses `Name <email>`.
 * @throws RestorableGitError `invalid-author`
 */
export function parseAuthor(text: string): Identity {
  const match = /^\s*([^<>]*?)\s*<([^<>]*)>\s*$/.exec(text);
  const name = match?.[1] ?? '';
  const email = match?.[2] ?? '';
  if (!match || name === '' || email === '' || BAD_NAME.test(name) || BAD_EMAIL.test(email)) {
    throw new RestorableGitError('invalid-author', `--author must look like "Name <email>", got ${JSON.stringify(text)}`);
  }
  return { name, email };
}

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses an ISO 8601 date. The zone written in the text is kept (`Z` gives
 * offset 0, `+02:00` gives -120); a date-time without a zone is local time, a
 * bare date is midnight UTC (JavaScript's rules).
 * @throws RestorableGitError `invalid-date`
 */
export function parseCommitDate(text: string): CommitTime {
  const invalid = (): never => {
    throw new RestorableGitError(
      'invalid-date',
      `--date must be an ISO 8601 date such as 2024-05-01T12:00:00Z, got ${JSON.stringify(text)}`,
    );
  };
  const match = ISO_DATE.exec(text.trim());
  if (!match) return invalid();
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(match[i] ?? 0)) as [number, number, number, number, number, number];
  const utc = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls 2024-02-31 over to March: reject instead.
  if (utc.getUTCMonth() !== mo - 1 || utc.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return invalid();
  const zone = match[7];
  let offset: number;
  if (zone === undefined) {
    offset = match[4] === undefined ? 0 : new Date(y, mo - 1, d, h, mi, s).getTimezoneOffset();
  } else if (zone.toUpperCase() === 'Z') {
    offset = 0;
  } else {
    const digits = zone.replace(':', '');
    const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
    offset = digits.startsWith('-') ? minutes : -minutes;
  }
  // Local = UTC - offset, so UTC = local + offset. `+ 0` turns -0 into 0:
  // isomorphic-git would print -0 as "-0000".
  return { timestamp: Math.floor(utc.getTime() / 1000) + offset * 60, timezoneOffset: offset + 0 };
}

/** The current time in git's terms. */
export function now(): CommitTime {
  const date = new Date();
  return { timestamp: Math.floor(date.getTime() / 1000), timezoneOffset: date.getTimezoneOffset() + 0 };
}

/** Unquotes a git config value: strips comments, quotes and backslash escapes. */
function configValue(raw: string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '#' || c === ';')) break;
    else if (c === '\\' && i + 1 < raw.length) {
      const n = raw[++i];
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n;
    } else out += c;
  }
  return quoted ? out : out.trim();
}

/** `user.name` and `user.email` from git config text (last one wins, as in git). */
export function userFromConfigText(text: string): Partial<Identity> {
  const out: Partial<Identity> = {};
  let inUser = false;
  for (const line of text.split(/\r?\n/)) {
    const section = /^\s*\[\s*([^\]\s"]+)[^\]]*\]\s*(.*)$/.exec(line);
    let rest = line;
    if (section) {
      inUser = (section[1] ?? '').toLowerCase() === 'user' && !/"/.test(line.slice(0, line.indexOf(']')));
      rest = section[2] ?? '';
    }
    const kv = /^\s*([A-Za-z][A-Za-z0-9-]*)\s*=\s*(.*)$/.exec(rest);
    if (!inUser || !kv) continue;
    const key = (kv[1] ?? '').toLowerCase();
    if (key === 'name' || key === 'email') out[key] = configValue(kv[2] ?? '');
  }
  return out;
}

/** The global git config files, in the order git reads them (later wins). */
function globalConfigFiles(env: NodeJS.ProcessEnv): string[] {
  if (env.GIT_CONFIG_GLOBAL) return [env.GIT_CONFIG_GLOBAL];
  const home = env.HOME ?? homedir();
  const xdg = env.XDG_CONFIG_HOME ? path.join(env.XDG_CONFIG_HOME, 'git', 'config') : path.join(home, '.config', 'git', 'config');
  return [xdg, path.join(home, '.gitconfig')];
}

/**
 * The default author: `user.name`/`user.email` from the repository's config,
 * else from the global config files (`~/.gitconfig`, XDG, `GIT_CONFIG_GLOBAL`).
 * @throws RestorableGitError `no-identity`
 */
export async function configuredIdentity(ctx: RepoContext, env: NodeJS.ProcessEnv = process.env): Promise<Identity> {
  const found: Partial<Identity> = {};
  for (const file of globalConfigFiles(env)) {
    const text = await fsp.readFile(file, 'utf8').catch(() => '');
    Object.assign(found, userFromConfigText(text));
  }
  for (const key of ['name', 'email'] as const) {
    const value: unknown = await git.getConfig({ fs: ctx.fs, gitdir: ctx.gitdir, path: `user.${key}` });
    if (typeof value === 'string' && value !== '') found[key] = value;
  }
  if (!found.name || !found.email) {
    throw new RestorableGitError(
      'no-identity',
      'no commit author: pass --author "Name <email>" or set git config user.name and user.email',
    );
  }
  if (BAD_NAME.test(found.name) || BAD_EMAIL.test(found.email)) {
    throw new RestorableGitError('invalid-author', 'git config user.name/user.email contain characters git does not allow');
  }
  return { name: found.name, email: found.email };
}

/** Combines an identity and a time into a commit signature. */
export function signature(who: Identity, when: CommitTime): Signature {
  return { ...who, ...when };
}
