/**
 * One scenario file's clusters: a run folder, a CA, control planes started on demand, and on
 * teardown everything stopped; when a test of the file failed, each process's log is copied to
 * `.tmp/e2e-logs/<file>/` in the repository (git-ignored) and its tail printed.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, inject } from 'vitest';
import { type ControlPlane, kubernetesBinaries, startControlPlane } from './control-plane.ts';
import { createCa, type TestCa } from './pki.ts';
import { createRunDir, stopRunProcesses, tail } from './processes.ts';

/** The repository root (this file is test/e2e/harness/test-run.ts). */
export const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');

/** The clusters of one scenario file. */
export interface TestRun {
  readonly runDir: string;
  readonly ca: TestCa;
  readonly binaries: ReturnType<typeof kubernetesBinaries>;
  /** Starts a control plane named `name`. */
  cluster(name: string, options?: { readonly auditPolicy?: string }): Promise<ControlPlane>;
}

/** Sets up a run for the calling test file; call at the top level of the file. */
export function useTestRun(label: string): TestRun {
  const runDir = createRunDir(label);
  const ca = createCa(path.join(runDir, 'pki'));
  const binaries = kubernetesBinaries(inject('kubernetesBin'));
  const clusters: ControlPlane[] = [];
  let failed = false;

  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });
  afterAll(async () => {
    await Promise.all(clusters.map((c) => c.stop()));
    // Whatever else the file started in the run (Sealed Secrets controllers, Velero servers, stores).
    stopRunProcesses(runDir);
    if (failed) {
      const keep = path.join(repoRoot, '.tmp', 'e2e-logs', label);
      mkdirSync(keep, { recursive: true });
      for (const file of readdirSync(runDir).filter((f) => f.endsWith('.log'))) {
        copyFileSync(path.join(runDir, file), path.join(keep, file));
        console.error(`--- ${file} (last lines; whole log in .tmp/e2e-logs/${label}/) ---\n${tail(path.join(runDir, file), 20)}`);
      }
      for (const c of clusters) if (c.auditLog && existsSync(c.auditLog)) copyFileSync(c.auditLog, path.join(keep, `${c.name}-audit.log`));
    }
    rmSync(runDir, { recursive: true, force: true });
  });

  return {
    runDir,
    ca,
    binaries,
    async cluster(name, options = {}) {
      const plane = await startControlPlane({ name, binaries, ca, runDir, ...options });
      clusters.push(plane);
      return plane;
    },
  };
}
