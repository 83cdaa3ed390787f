/** Runs `restorable commit ...` in a child process through tsx. */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const ENTRY = path.join(here, 'commit-cli.ts');
// Absolute, because the child runs inside a temp repo without node_modules.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** How a CLI child process ended. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts `restorable commit <args>` in `cwd` with exactly `env`. `onStderr` sees the child's stderr
 * so far each time more arrives, so a test can act on what the child says instead of on a clock.
 */
export function runCommitCli(
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; onStderr?: (stderr: string) => void },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, ENTRY, 'commit', ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      options.onStderr?.(stderr);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
