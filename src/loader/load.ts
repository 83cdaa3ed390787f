import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { relativeToCwd } from '../dsl/source.ts';
import { discoverPolicyFiles } from './discover.ts';
import type { LoadProgress, LoadResult } from './messages.ts';

let progressListener: ((loaded: number, total: number) => void) | undefined;
let lastImports: readonly string[] = [];

/** Every local file (absolute path) the policy modules of the last successful loadPolicies imported. */
export function lastLoadedImports(): readonly string[] {
  return lastImports;
}

/** Reports, for progress display, each policy module loaded: `(loaded, total)`. Pass undefined to stop. */
export function onPolicyLoaded(listener: ((loaded: number, total: number) => void) | undefined): void {
  progressListener = listener;
}

/**
 * How long loading all policy modules may take before the worker is stopped: 30 s, or
 * `RESTORABLE_LOAD_TIMEOUT_MS` when set (CI with thousands of policy files may need more).
 */
export const DEFAULT_LOAD_TIMEOUT_MS = Number.parseInt(process.env.RESTORABLE_LOAD_TIMEOUT_MS ?? '', 10) || 30_000;

/** A failure to load policies that is the policies' fault (bad module, hang); printed without a stack. */
export class PolicyLoadError extends Error {
  constructor(
    message: string,
    readonly failures: readonly { file: string; message: string; line?: number; stack?: string }[],
  ) {
    super(message);
  }
}

/**
 * Loads every policy module under `dir` in a worker thread and returns the resolved model. A
 * module that throws, imports something missing or never returns cannot take the compiler down:
 * the worker is stopped after `timeoutMs` and the failure names the files.
 */
export async function loadPolicies(dir: string, timeoutMs = DEFAULT_LOAD_TIMEOUT_MS): Promise<LoadedPolicies> {
  const started = prefetched;
  prefetched = undefined;
  if (started && started.dir === path.resolve(dir) && started.timeoutMs === timeoutMs) return started.loading;
  return loadNow(dir, timeoutMs);
}

/** What loadPolicies answers. */
export type LoadedPolicies = Extract<LoadResult, { ok: true }> & { files: string[] };

let prefetched: { dir: string; timeoutMs: number; loading: Promise<LoadedPolicies> } | undefined;

/**
 * Starts loading the policies of `dir` now, so that the worker runs while the caller does other
 * work (importing the compiler); the next loadPolicies of the same folder takes the result, errors
 * included.
 */
export function prefetchPolicies(dir: string, timeoutMs = DEFAULT_LOAD_TIMEOUT_MS): void {
  const loading = loadNow(dir, timeoutMs);
  loading.catch(() => undefined);
  prefetched = { dir: path.resolve(dir), timeoutMs, loading };
}

async function loadNow(dir: string, timeoutMs: number): Promise<LoadedPolicies> {
  const files = await discoverPolicyFiles(dir);
  if (files.length === 0) throw new PolicyLoadError(`${dir}: no policy files (*.ts) found`, []);
  const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: { files } });
  const result = await new Promise<LoadResult>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(
        new PolicyLoadError(
          `loading policies did not finish within ${timeoutMs / 1000}s: a policy file never returns (an endless loop or a promise that never settles?)`,
          files.map((file) => ({ file: named(file), message: 'one of these files did not finish loading' })),
        ),
      );
    }, timeoutMs);
    // Files load one after the other, so the first not reported loaded is the one a sudden exit came from.
    let loaded = 0;
    worker.on('message', (message: LoadResult | LoadProgress) => {
      if ('progress' in message) {
        loaded = message.progress.loaded;
        progressListener?.(message.progress.loaded, message.progress.total);
        return;
      }
      clearTimeout(timer);
      resolvePromise(message);
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(new PolicyLoadError(`loading policies failed: ${error.message}`, []));
    });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      const file = files[loaded];
      // Node ends a thread with code 13 when a top-level await can never settle.
      const why = code === 13 ? 'its top-level await never settles' : `it ended the loader with process.exit(${code})`;
      reject(new PolicyLoadError(`the policy loader stopped before it answered: ${why}`, file ? [{ file: named(file), message: why }] : []));
    });
  });
  await worker.terminate();
  if (!result.ok) {
    throw new PolicyLoadError(
      `${result.failures.length} policy file(s) failed to load`,
      result.failures.map((f) => ({ file: named(f.file), message: f.message, line: f.location?.line, stack: f.stack })),
    );
  }
  lastImports = result.imports ?? [];
  return { ...result, emptyFiles: result.emptyFiles.map(named), files };
}

/** A policy file as diagnostics name it, whether the policies folder was given relative or absolute. */
function named(file: string): string {
  return relativeToCwd(path.resolve(file));
}
