/**
 * The upstream programs of a test run as supervised child processes: each writes its log to a file
 * in the run's folder and its pid to a pidfile there, so a run that was killed (SIGKILL, a CI
 * timeout) leaves nothing running after the next run has started: {@link reapLeftovers} stops the
 * processes of every run folder whose owner is gone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where every run keeps its folder; outside the repository, beside other temporary files. */
export const runsRoot = path.join(os.tmpdir(), 'restorable-e2e-runs');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Environment variable naming the run folder, set on every supervised process. */
const RUN_VARIABLE = 'RESTORABLE_E2E_RUN';

/** True when `pid` is a process started for the run in `dir` (so a reused pid is never killed). */
function runsIn(pid: number, dir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${RUN_VARIABLE}=${dir}`);
  } catch {
    return false;
  }
}

/** Stops the processes of runs whose owning process has exited, and removes their folders. */
export function reapLeftovers(): void {
  if (!existsSync(runsRoot)) return;
  for (const entry of readdirSync(runsRoot)) {
    const dir = path.join(runsRoot, entry);
    const ownerFile = path.join(dir, 'owner.pid');
    const owner = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8')) : Number.NaN;
    if (Number.isInteger(owner) && alive(owner)) continue;
    stopRunProcesses(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Stops every process still running for the run in `dir` (each left its pidfile there): those no
 * scenario stopped itself, such as controllers started beside a control plane.
 */
export function stopRunProcesses(dir: string): void {
  if (!existsSync(dir)) return;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.pid') && f !== 'owner.pid')) {
    const pid = Number(readFileSync(path.join(dir, file), 'utf8'));
    if (Number.isInteger(pid) && alive(pid) && runsIn(pid, dir)) process.kill(pid, 'SIGKILL');
  }
}

/** Creates the folder of a new run, owned by this process. */
export function createRunDir(label: string): string {
  reapLeftovers();
  mkdirSync(runsRoot, { recursive: true });
  const dir = path.join(runsRoot, `${label}-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'owner.pid'), String(process.pid));
  return dir;
}

/** A supervised upstream program. */
export interface Supervised {
  readonly name: string;
  /** The log file (stdout and stderr). */
  readonly log: string;
  /** Stops the process (SIGTERM, then SIGKILL after `graceMs`) and waits for it to exit. */
  stop(graceMs?: number): Promise<void>;
  /** True while the process runs. */
  running(): boolean;
  /** Sends a signal to the process. */
  signal(signal: NodeJS.Signals): void;
  /** Resolves with the exit code when the process exits. */
  readonly exited: Promise<number | null>;
}

/** What to start. */
export interface StartOptions {
  /** Name of the log and pid files, e.g. `prod-eu-kube-apiserver`. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** The run folder: logs and pidfiles go there (see {@link reapLeftovers}). */
  readonly runDir: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Starts a program with its output in `<runDir>/<name>.log`. */
export function supervise(options: StartOptions): Supervised {
  const log = path.join(options.runDir, `${options.name}.log`);
  const fd = openSync(log, 'a');
  const child: ChildProcess = spawn(options.command, options.args, {
    cwd: options.cwd ?? options.runDir,
    env: { ...(options.env ?? process.env), [RUN_VARIABLE]: options.runDir },
    stdio: ['ignore', fd, fd],
  });
  const pidFile = path.join(options.runDir, `${options.name}.pid`);
  if (child.pid !== undefined) writeFileSync(pidFile, String(child.pid));
  let running = child.pid !== undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      running = false;
      rmSync(pidFile, { force: true });
      resolve(code);
    });
    child.on('error', (error) => {
      running = false;
      writeFileSync(log, `\nfailed to start ${options.command}: ${error.message}\n`, { flag: 'a' });
      resolve(null);
    });
  });
  return {
    name: options.name,
    log,
    exited,
    running: () => running,
    signal: (signal) => {
      child.kill(signal);
    },
    async stop(graceMs = 5_000) {
      if (!running) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The last `lines` lines of a log, for an error message. */
export function tail(log: string, lines = 30): string {
  try {
    return readFileSync(log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Polls `check` every `intervalMs` until it returns true, or throws `describe()` after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean> | boolean, options: { timeoutMs: number; intervalMs?: number; describe: () => string }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(options.describe());
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}
