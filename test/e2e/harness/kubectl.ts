/** The real `kubectl`, run against a test cluster. */
import { execFile } from 'node:child_process';

/** What one kubectl run did. */
export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of one kubectl run. */
export interface KubectlOptions {
  /** Passed on standard input (for `-f -`). */
  readonly input?: string;
  /** Impersonate this user (`--as`). */
  readonly as?: string;
  /** Impersonate these groups (`--as-group`). */
  readonly groups?: readonly string[];
  /** Killed after this long. @default 60 000 */
  readonly timeoutMs?: number;
}

/** Runs kubectl with a kubeconfig; never throws on a non-zero exit (the caller asserts). */
export function runKubectl(binary: string, kubeconfig: string, args: readonly string[], options: KubectlOptions = {}): Promise<KubectlResult> {
  const identity = [...(options.as ? [`--as=${options.as}`] : []), ...(options.groups ?? []).map((g) => `--as-group=${g}`)];
  return new Promise((resolve) => {
    const child = execFile(
      binary,
      [`--kubeconfig=${kubeconfig}`, ...identity, ...args],
      { timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs kubectl and returns stdout; throws with stderr when it fails. */
export async function kubectlOk(binary: string, kubeconfig: string, args: readonly string[], options: KubectlOptions = {}): Promise<string> {
  const result = await runKubectl(binary, kubeconfig, args, options);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`);
  return result.stdout;
}
