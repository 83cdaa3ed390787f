/**
 * `restorable commit`: commit what synth changed under the output directory,
 * optionally push the branch. Errors print one clear message and set exit
 * code 1; no stack traces.
 */
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import {
  commitGenerated,
  DEFAULT_LOCK_TIMEOUT_MS,
  pushBranch,
  RestorableGitError,
  redactSecrets,
  TOKEN_ENV,
} from '../../git/index.ts';

/** Parsed options of `restorable commit`. */
export interface CommitCliOptions {
  message?: string;
  author?: string;
  date?: string;
  out?: string;
  push?: string;
  branch?: string;
  lockTimeout: number;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number of seconds, 0 or more');
  return n;
}

/** Runs the command; returns the process exit code. */
export async function runCommit(opts: CommitCliOptions, io: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  try {
    if ((opts.push === undefined) !== (opts.branch === undefined)) {
      throw new RestorableGitError('push-config', '--push URL and --branch NAME must be given together');
    }
    const result = await commitGenerated({
      ...(opts.out === undefined ? {} : { outDir: path.resolve(opts.out) }),
      message: opts.message,
      author: opts.author,
      date: opts.date,
      lockTimeoutMs: opts.lockTimeout * 1000,
      onNotice: (note) => io.err(`restorable commit: ${note}`),
    });
    if (result.status === 'unchanged') {
      io.out('nothing to commit');
    } else {
      const branch = result.branch.replace(/^refs\/heads\//, '');
      io.out(`committed ${result.commit.slice(0, 12)} on ${branch} (${result.changes.length} files)`);
      for (const line of result.summary) io.out(`  ${line}`);
    }
    if (opts.push !== undefined && opts.branch !== undefined) {
      const pushed = await pushBranch({ url: opts.push, branch: opts.branch });
      io.out(`pushed ${pushed.commit.slice(0, 12)} to ${pushed.url} (${pushed.remoteRef})`);
    }
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Unexpected errors too may quote request details: never echo the token.
    const token = process.env[TOKEN_ENV];
    io.err(`restorable commit: ${redactSecrets(message, token ? [token] : [])}`);
    return 1;
  }
}

/** The `restorable commit` command (commander). */
export function commitCommand(): Command {
  return new Command('commit')
    .description('commit what synth changed under the output directory, optionally push the branch')
    .option('-m, --message <msg>', 'commit subject; the per-cluster summary becomes the body')
    .option('--author <author>', 'author as "Name <email>" (default: git config user.name/user.email)')
    .option('--date <iso>', 'commit date, ISO 8601; with --author the commit id is deterministic')
    .option('--out <dir>', 'output directory (default: generated/ at the repository root)')
    .option('--push <url>', `push the branch to this http(s) URL; the token is read from ${TOKEN_ENV}`)
    .option('--branch <name>', 'remote branch that --push updates (fast-forward only)')
    .option(
      '--lock-timeout <seconds>',
      'how long to wait for another git process to finish',
      seconds,
      DEFAULT_LOCK_TIMEOUT_MS / 1000,
    )
    .action(async (opts: CommitCliOptions) => {
      const code = await runCommit(opts, {
        out: (s) => process.stdout.write(`${s}\n`),
        err: (s) => process.stderr.write(`${s}\n`),
      });
      if (code !== 0) process.exitCode = code;
    });
}
