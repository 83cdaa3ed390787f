/**
 * Runs the real command line (`node bin/restorable.mjs ...`) as a child process from the repository
 * root, the way users and CI run it.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './temp.ts';

/** What a CLI run did. */
export interface CliResult {
  /** Exit code, or null when a signal ended the process. */
  readonly code: number | null;
  /** The signal that ended the process, if one did. */
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of a CLI run. */
export interface RunCliOptions {
  /**
   * Environment variables for the child. Merged over the parent's environment unless `inheritEnv`
   * is false; a value of `undefined` removes the variable.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Start from the parent's environment. @default true */
  readonly inheritEnv?: boolean;
  /** Kill the child with SIGKILL after this many milliseconds. @default 60 000 */
  readonly timeoutMs?: number;
}

/** Variables of the parent that must not leak into a child CLI (failpoints, time limits, output folder). */
const ISOLATED = ['RESTORABLE_FAILPOINT_WRITE', 'RESTORABLE_FAILPOINT_COMMIT', 'RESTORABLE_LOAD_TIMEOUT_MS', 'CDK8S_OUTDIR'];

/** The environment a child CLI gets. */
export function cliEnv(options: RunCliOptions = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  if (options.inheritEnv ?? true) Object.assign(env, process.env);
  else if (process.env.PATH !== undefined) env.PATH = process.env.PATH;
  for (const name of ISOLATED) delete env[name];
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Runs `restorable ...args` in `cwd` with exactly `env`; SIGKILLed after `timeoutMs`. */
export function runBinIn(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'restorable.mjs'), ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}

/** Runs `node bin/restorable.mjs ...args` with the repository root as working directory. */
export function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  return runBinIn(args, { cwd: repoRoot, env: cliEnv(options), timeoutMs: options.timeoutMs });
}

/** `synth --policies <policies> --out <out>`, paths given relative to the repository root when inside it. */
export function runSynth(policiesDir: string, outDir: string, options: RunCliOptions = {}): Promise<CliResult> {
  return runCli(['synth', '--policies', relativeToRepo(policiesDir), '--out', relativeToRepo(outDir)], options);
}

/** `p` relative to the repository root with `/` separators when it lies inside it, else unchanged. */
export function relativeToRepo(p: string): string {
  const rel = path.relative(repoRoot, path.resolve(repoRoot, p));
  return rel.startsWith('..') || path.isAbsolute(rel) ? p : rel.split(path.sep).join('/') || '.';
}

/** Lines of a stack trace (`    at fn (file:line:col)`), which user errors must never print. */
export function stackTraceLines(text: string): string[] {
  return text.split('\n').filter((line) => /^\s+at\s/.test(line));
}
