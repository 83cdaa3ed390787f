/**
 * Builds (or finds in the cache) the upstream programs once per `npm run test:e2e`, and hands their
 * folders to the scenario files. A machine that cannot build them fails the run: the real-systems
 * tests never skip.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

const buildScript = path.join(import.meta.dirname, 'go', 'build.sh');

/** Builds one wrapper module; returns its bin folder. */
function build(module: string): string {
  const started = Date.now();
  try {
    const out = execFileSync('bash', [buildScript, module], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n');
    const seconds = Math.round((Date.now() - started) / 1000);
    if (seconds > 5) console.log(`e2e: built ${module} in ${seconds}s`);
    return out[out.length - 1]!;
  } catch (error) {
    throw new Error(`could not build the ${module} programs for the real-systems tests (test/e2e/go/build.sh ${module}): ${String(error)}`);
  }
}

export default function setup(project: TestProject): void {
  project.provide('kubernetesBin', build('kubernetes'));
  project.provide('luaHealthBin', build('lua-health'));
  project.provide('sealedSecretsBin', build('sealed-secrets'));
  project.provide('veleroBin', build('velero'));
  project.provide('veleroPluginForAwsBin', build('velero-plugin-for-aws'));
  project.provide('objectstoreBin', build('objectstore'));
  project.provide('robfigCronBin', build('robfig-cron'));
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folder with etcd, kube-apiserver, kube-controller-manager and kubectl. */
    kubernetesBin: string;
    /** Folder with lua-health (Argo CD health scripts). */
    luaHealthBin: string;
    /** Folder with sealed-secrets-controller v0.36.6. */
    sealedSecretsBin: string;
    /** Folder with velero (CLI and server) v1.18.1. */
    veleroBin: string;
    /** Folder with velero-plugin-for-aws v1.14.3. */
    veleroPluginForAwsBin: string;
    /** Folder with versitygw (the S3-compatible object store). */
    objectstoreBin: string;
    /** Folder with robfig-cron (Velero's schedule controller replayed with robfig/cron v3.0.1). */
    robfigCronBin: string;
  }
}
