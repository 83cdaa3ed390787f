/**
 * The real `restorable` binary run in any working directory (a test git repository outside the
 * project), with exactly the given environment.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { CliResult } from '../../support/run-cli.ts';
import { repoRoot } from '../../support/temp.ts';

export const BIN = path.join(repoRoot, 'bin', 'restorable.mjs');

/** Runs `restorable ...args` in `cwd` with exactly `env`; SIGKILLed after `timeoutMs`. */
export function runBin(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
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
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
  });
}
