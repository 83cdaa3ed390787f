/**
 * Pushing the committed branch over smart HTTP with isomorphic-git. The token
 * comes only from the environment (`RESTORABLE_GIT_TOKEN`), never from a
 * flag or the URL, and is scrubbed from every message that leaves here.
 * Never forces: a remote that moved on is reported, not overwritten.
 */
import git, { Errors } from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { createAtomicFs } from './atomic-fs.ts';
import type { RepoContext } from './context.ts';
import { RestorableGitError } from './errors.ts';
import { readHead } from './head.ts';
import { redactSecrets, redactUrlCredentials } from './redact.ts';
import { findRepoRoot, resolveGitdir } from './repo.ts';

/** Environment variable holding the push token. */
export const TOKEN_ENV = 'RESTORABLE_GIT_TOKEN';
/** Environment variable holding the push username (default {@link DEFAULT_USERNAME}). */
export const USERNAME_ENV = 'RESTORABLE_GIT_USERNAME';
/** Username sent with the token when none is set (what GitHub App tokens expect). */
export const DEFAULT_USERNAME = 'x-access-token';

/** The user-facing message for a non-fast-forward push. */
export const NON_FAST_FORWARD_MESSAGE = 'the remote branch has commits you do not have; pull and re-run synth';

/** Options for {@link pushBranch}. */
export interface PushBranchOptions {
  /** Work-tree root. Default: the git top level containing `cwd`. */
  dir?: string;
  /** Where to look for the repository when `dir` is not given (default `process.cwd()`). */
  cwd?: string;
  /** Remote repository URL (http or https, without credentials). */
  url: string;
  /** Remote branch to update with the current branch, e.g. `main`. */
  branch: string;
  /** Where the token and username are read from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Progress lines from the remote, already scrubbed. */
  onMessage?: (line: string) => void;
}

/** A successful push. */
export interface PushBranchResult {
  /** The URL pushed to, without credentials. */
  url: string;
  /** The local branch pushed, e.g. `refs/heads/main`. */
  localRef: string;
  /** The remote ref updated, e.g. `refs/heads/main`. */
  remoteRef: string;
  /** The commit the remote branch now points at. */
  commit: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
// Name under which isomorphic-git records the pushed ref when the URL is not a
// configured remote; removed right after, since `git push <url>` records none.
const SCRATCH_REMOTE = 'restorable-push';

/**
 * Validates a remote branch name (`main`, `env/prod`, or `refs/heads/...`).
 * @returns the full ref name
 */
export function remoteBranchRef(branch: string): string {
  const name = branch.startsWith('refs/heads/') ? branch.slice('refs/heads/'.length) : branch;
  const ok =
    /^[A-Za-z0-9._/-]+$/.test(name) &&
    !name.split('/').some((s) => s === '' || s.startsWith('.') || s.endsWith('.lock')) &&
    !name.includes('..') &&
    !name.startsWith('-') &&
    !name.endsWith('.');
  if (!ok) throw new RestorableGitError('push-config', `--branch ${JSON.stringify(branch)} is not a valid branch name`);
  return `refs/heads/${name}`;
}

/**
 * Checks the push URL: http(s) only, no embedded credentials, and no token
 * over plain http except to this machine.
 */
export function checkPushUrl(url: string, hasToken: boolean): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RestorableGitError('push-config', `--push ${JSON.stringify(redactUrlCredentials(url))} is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new RestorableGitError('push-config', `--push must be an http(s) URL, got ${parsed.protocol}`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new RestorableGitError('push-config', `do not put credentials in the --push URL; set ${TOKEN_ENV} instead`);
  }
  if (hasToken && parsed.protocol === 'http:' && !LOOPBACK.has(parsed.hostname)) {
    throw new RestorableGitError('push-config', `refusing to send ${TOKEN_ENV} over plain http to ${parsed.host}; use https`);
  }
  return parsed;
}

function pushError(error: unknown, url: string, token: string | undefined, username: string): RestorableGitError {
  const clean = (text: string): string => redactSecrets(text, token ? [token] : [], username);
  if (error instanceof RestorableGitError) return new RestorableGitError(error.code, clean(error.message));
  if (error instanceof Errors.PushRejectedError && error.data.reason === 'not-fast-forward') {
    return new RestorableGitError('push-rejected', NON_FAST_FORWARD_MESSAGE);
  }
  if (error instanceof Errors.GitPushError) {
    const details = error.data.prettyDetails;
    if (/non-fast-forward|fetch first|stale info|failed to update ref/i.test(details)) {
      return new RestorableGitError('push-rejected', NON_FAST_FORWARD_MESSAGE);
    }
    return new RestorableGitError('push-failed', clean(`the remote rejected the push:${details}`));
  }
  if (error instanceof Errors.HttpError && (error.data.statusCode === 401 || error.data.statusCode === 403)) {
    const status = `HTTP ${error.data.statusCode}`;
    return new RestorableGitError(
      'push-auth',
      token
        ? `authentication to ${url} failed (${status}); check ${TOKEN_ENV} and ${USERNAME_ENV}`
        : `${url} requires authentication (${status}); set ${TOKEN_ENV}`,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new RestorableGitError('push-failed', clean(`push to ${url} failed: ${message}`));
}

async function remoteNameFor(ctx: RepoContext, url: string): Promise<string | null> {
  const remotes = await git.listRemotes({ fs: ctx.fs, gitdir: ctx.gitdir });
  return remotes.find((r) => r.url === url)?.remote ?? null;
}

/**
 * Pushes the current branch to `branch` at `url`, fast-forward only.
 * @throws RestorableGitError `push-rejected` (non-fast-forward), `push-auth`, `push-config` or `push-failed`; no message ever contains the token
 */
export async function pushBranch(options: PushBranchOptions): Promise<PushBranchResult> {
  const env = options.env ?? process.env;
  const token = env[TOKEN_ENV] || undefined;
  const username = env[USERNAME_ENV] || DEFAULT_USERNAME;
  const shownUrl = redactUrlCredentials(options.url);
  try {
    checkPushUrl(options.url, token !== undefined);
    const remoteRef = remoteBranchRef(options.branch);
    const fs = createAtomicFs();
    const dir = options.dir ?? (await findRepoRoot(fs, options.cwd ?? process.cwd()));
    const ctx: RepoContext = { dir, gitdir: await resolveGitdir(dir), fs, cache: {} };
    const head = await readHead(ctx);
    if (head.oid === null) throw new RestorableGitError('push-config', `${head.ref} has no commits to push`);
    const configured = await remoteNameFor(ctx, options.url);
    try {
      await git.push({
        fs,
        http,
        gitdir: ctx.gitdir,
        cache: ctx.cache,
        url: options.url,
        remote: configured ?? SCRATCH_REMOTE,
        ref: head.ref,
        remoteRef,
        force: false,
        onAuth: token ? () => ({ username, password: token }) : undefined,
        onMessage: options.onMessage
          ? (line) => options.onMessage?.(redactSecrets(line, token ? [token] : [], username))
          : undefined,
      });
    } finally {
      if (configured === null) {
        const scratch = `refs/remotes/${SCRATCH_REMOTE}/${remoteRef.slice('refs/heads/'.length)}`;
        await git.deleteRef({ fs, gitdir: ctx.gitdir, ref: scratch }).catch(() => undefined);
      }
    }
    return { url: shownUrl, localRef: head.ref, remoteRef, commit: head.oid };
  } catch (error) {
    throw pushError(error, shownUrl, token, username);
  }
}
