/**
 * A sync of one cluster folder of `generated/` as Argo CD performs it, with the real API server
 * deciding: objects grouped by sync wave, ordered within a wave by Argo CD's kind order, applied
 * with server-side apply, forcing conflicts as gitops-engine does for every server-side apply
 * (`newApplyOptions` in `pkg/utils/kube/resource_ops.go`: objects `velero install` created are taken
 * over, not refused), and strict field validation (a misspelt field is an error, not silently pruned), read back and compared, and each wave judged healthy with Argo CD's own health scripts
 * before the next one starts. Argo CD itself does not run here (its engine does not build from the
 * module proxy); this reproduces its ordering and health rules, not its diffing or pruning.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import type { ArgoHealth, Health, LiveObject } from './argocd-health.ts';
import type { ControlPlane } from './control-plane.ts';
import { waitFor } from './processes.ts';

/**
 * Argo CD's kind order within a wave (gitops-engine `pkg/sync/sync_tasks.go`); kinds not listed come
 * after these, ordered by kind name, then by object name.
 */
export const ARGO_KIND_ORDER = [
  'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget', 'ServiceAccount',
  'Secret', 'SecretList', 'ConfigMap', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'CustomResourceDefinition',
  'ClusterRole', 'ClusterRoleList', 'ClusterRoleBinding', 'ClusterRoleBindingList', 'Role', 'RoleList', 'RoleBinding',
  'RoleBindingList', 'Service', 'DaemonSet', 'Pod', 'ReplicationController', 'ReplicaSet', 'Deployment',
  'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob', 'IngressClass', 'Ingress', 'APIService',
] as const;

/** A manifest from the folder. */
export interface Manifest extends LiveObject {
  /** File relative to the folder. */
  readonly file: string;
}

/**
 * Who applies: Argo CD's application controller, whose ServiceAccount the installation binds to
 * cluster-admin (here: impersonated with `system:masters`). Admission sees this user name.
 */
export const ARGO_CD_CONTROLLER = { as: 'system:serviceaccount:argocd:argocd-application-controller', groups: ['system:masters'] } as const;

/** The wave of an object (Argo CD's default is 0). */
export function waveOf(object: LiveObject): number {
  const annotations = (object.metadata as { annotations?: Record<string, string> }).annotations;
  const wave = annotations?.['argocd.argoproj.io/sync-wave'];
  return wave === undefined ? 0 : Number.parseInt(wave, 10);
}

function kindRank(kind: string): number {
  const index = (ARGO_KIND_ORDER as readonly string[]).indexOf(kind);
  return index === -1 ? ARGO_KIND_ORDER.length : index;
}

/** Orders manifests as Argo CD applies them: wave, kind order, kind name, name. */
export function argoOrder(a: LiveObject, b: LiveObject): number {
  return (
    waveOf(a) - waveOf(b) ||
    kindRank(a.kind) - kindRank(b.kind) ||
    a.kind.localeCompare(b.kind, 'en') ||
    (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '', 'en') ||
    a.metadata.name.localeCompare(b.metadata.name, 'en')
  );
}

/** Every object of the `.yaml`/`.yml`/`.json` files under `folder` (a directory source with `recurse: true`). */
export function readFolder(folder: string): Manifest[] {
  const manifests: Manifest[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name, 'en'))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ya?ml|json)$/.test(entry.name)) {
        for (const doc of yaml.loadAll(readFileSync(full, 'utf8'))) {
          if (doc !== null && typeof doc === 'object') manifests.push({ ...(doc as LiveObject), file: path.relative(folder, full) });
        }
      }
    }
  };
  walk(folder);
  return manifests.sort(argoOrder);
}

/** Paths (`spec.a[0].b`) where `desired` has a value that `live` lacks or holds differently. */
export function differences(desired: unknown, live: unknown, at = ''): string[] {
  if (desired !== null && typeof desired === 'object') {
    if (Array.isArray(desired)) {
      if (!Array.isArray(live) || live.length !== desired.length) return [`${at}: expected ${JSON.stringify(desired)}, found ${JSON.stringify(live)}`];
      return desired.flatMap((item, i) => differences(item, live[i], `${at}[${i}]`));
    }
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return [`${at}: expected an object, found ${JSON.stringify(live)}`];
    return Object.entries(desired).flatMap(([key, value]) => differences(value, (live as Record<string, unknown>)[key], at === '' ? key : `${at}.${key}`));
  }
  return desired === live ? [] : [`${at}: expected ${JSON.stringify(desired)}, found ${JSON.stringify(live)}`];
}

/** The outcome of one synced object. */
export interface SyncedObject {
  readonly manifest: Manifest;
  readonly live: LiveObject;
  readonly health: Health;
}

/** Options of a sync. */
export interface SyncOptions {
  readonly cluster: ControlPlane;
  /** A cluster folder, e.g. `<out>/clusters/prod-eu`. */
  readonly folder: string;
  readonly health: ArgoHealth;
  /**
   * `group/Kind` of kinds whose controller does not run here: their `Progressing` (never Degraded)
   * does not hold the sync back, and is reported as such.
   */
  readonly controllersNotRunning?: ReadonlySet<string>;
  /** How long a wave may take to become healthy. @default 60 000 */
  readonly waveTimeoutMs?: number;
  /**
   * Runs a Sync hook (a Job with `argocd.argoproj.io/hook`) after Argo CD has created it; resolves
   * with the hook's outcome. Pods do not run here, so the caller runs the Job's pod on the host.
   */
  readonly runHook?: (job: Manifest) => Promise<{ readonly succeeded: boolean; readonly message: string }>;
}

/** True for Argo CD hooks: created (after deleting the previous one), run, never applied or compared. */
export function isHook(object: LiveObject): boolean {
  return (object.metadata as { annotations?: Record<string, string> }).annotations?.['argocd.argoproj.io/hook'] !== undefined;
}

function groupKind(object: LiveObject): string {
  const group = object.apiVersion.includes('/') ? object.apiVersion.slice(0, object.apiVersion.indexOf('/')) : '';
  return `${group}/${object.kind}`;
}

function stripFile(manifest: Manifest): LiveObject {
  const { file: _file, ...object } = manifest;
  return object;
}

/** Applies a folder wave by wave; throws on an apply error, a read-back difference or a Degraded object. */
export async function syncFolder(options: SyncOptions): Promise<SyncedObject[]> {
  const { cluster, health } = options;
  const manifests = readFolder(options.folder);
  const waves = [...new Set(manifests.map(waveOf))].sort((a, b) => a - b);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'restorable-sync-'));
  const synced: SyncedObject[] = [];
  try {
    for (const wave of waves) {
      const objects = manifests.filter((m) => waveOf(m) === wave && !isHook(m));
      const hooks = manifests.filter((m) => waveOf(m) === wave && isHook(m));
      const file = path.join(scratch, `wave-${wave}.yaml`);
      writeFileSync(file, objects.map((m) => yaml.dump(stripFile(m))).join('---\n'));
      const applied = objects.length === 0 ? { code: 0, stderr: '' } : await cluster.kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=argocd-controller', '--validate=strict', '-f', file], ARGO_CD_CONTROLLER);
      if (applied.code !== 0) throw new Error(`wave ${wave} of ${path.basename(options.folder)} failed to apply:\n${applied.stderr}`);

      let liveObjects: LiveObject[] = [];
      let healths: Health[] = [];
      const blocking = () =>
        objects
          .map((m, i) => ({ m, h: healths[i] }))
          .filter(({ m, h }) => h?.status === 'Progressing' && !options.controllersNotRunning?.has(groupKind(m)));
      await waitFor(
        async () => {
          if (objects.length === 0) return true;
          const read = await cluster.kubectlOk(['get', '-f', file, '-o', 'json']);
          const parsed = JSON.parse(read) as { items?: LiveObject[] } & LiveObject;
          liveObjects = parsed.items ?? [parsed];
          healths = health.assess(liveObjects);
          const degraded = healths.findIndex((h) => h.status === 'Degraded');
          if (degraded !== -1) {
            const o = liveObjects[degraded]!;
            throw new Error(`wave ${wave}: ${o.kind} ${o.metadata.name} is Degraded: ${healths[degraded]!.message ?? ''}`);
          }
          return blocking().length === 0;
        },
        {
          timeoutMs: options.waveTimeoutMs ?? 60_000,
          intervalMs: 500,
          describe: () => `wave ${wave} did not become healthy: ${blocking().map(({ m, h }) => `${m.kind} ${m.metadata.name} (${h?.message ?? 'Progressing'})`).join('; ')}`,
        },
      );
      objects.forEach((manifest, i) => {
        const live = liveObjects[i]!;
        const diff = differences(stripFile(manifest), live);
        if (diff.length > 0) throw new Error(`${manifest.file} differs after apply:\n  ${diff.join('\n  ')}`);
        synced.push({ manifest, live, health: healths[i]! });
      });
      for (const hook of hooks) {
        if (options.runHook === undefined) throw new Error(`${hook.file} is a ${hook.kind} hook, and this sync was given no way to run hooks`);
        const ns = hook.metadata.namespace ?? 'default';
        // hook-delete-policy BeforeHookCreation: the previous run's Job goes first.
        await cluster.kubectlOk(['delete', hook.kind.toLowerCase(), hook.metadata.name, '-n', ns, '--ignore-not-found', '--wait=true'], ARGO_CD_CONTROLLER);
        await cluster.kubectlOk(['create', '-f', '-'], { input: JSON.stringify(stripFile(hook)), ...ARGO_CD_CONTROLLER });
        const outcome = await options.runHook(hook);
        if (!outcome.succeeded) throw new Error(`wave ${wave}: hook ${hook.kind} ${hook.metadata.name} failed:\n${outcome.message}`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return synced;
}
