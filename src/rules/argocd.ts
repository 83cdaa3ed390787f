/**
 * ARGO001-ARGO004: what Argo CD needs from a synced folder, checked on the compiled objects and on
 * the rendered files. The lowering code is meant to keep all of these; the rules make a regression
 * fail the build instead of reaching a cluster's Argo CD.
 */
import { isVeleroNamespaceObject } from '../lower/argocd.ts';
import {
  carriesNoAnnotations,
  inSyncedFolder,
  isDataBearing,
  KEEP_OPTIONS,
  parseSyncOptions,
  SYNC_OPTIONS_ANNOTATION,
  SYNC_WAVE_ANNOTATION,
} from '../lower/sync-waves.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { Model } from '../model/types.ts';
import type { PlacedObject } from '../output/layout.ts';
import { aboutObject } from './object-diagnostic.ts';
import type { ObjectRule } from './object-rule.ts';

interface Metadata {
  readonly name?: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, unknown>;
}

const metadataOf = (placed: PlacedObject): Metadata => (placed.object.metadata ?? {}) as Metadata;


/** An integer, as Argo CD parses a sync wave. */
const WAVE = /^-?\d+$/;

/** apiVersion prefix of Kustomize's own files: never Kubernetes objects. */
const KUSTOMIZE_API = 'kustomize.config.k8s.io/';

/**
 * ARGO001-ARGO003 over the objects in the synced folders of clusters that declare `argocd` (objects
 * placed elsewhere, such as hooks for a team's own Application, are that Application's business):
 * - ARGO001: an object without an integer `argocd.argoproj.io/sync-wave`;
 * - ARGO002: a data-bearing kind without both `Prune=false` and `Delete=false`;
 * - ARGO003: a `Namespace` object for the Velero namespace where restorable does not install Velero,
 *   or a Kustomize file as an object.
 */
export const argocdRule: ObjectRule = {
  family: 'argocd',
  check(objects, model) {
    const synced = new Map(model.clusters.filter((c) => c.argocd).map((c) => [c.name, c]));
    const found: Diagnostic[] = [];
    for (const placed of objects) {
      const cluster = synced.get(placed.cluster);
      if (!cluster || !inSyncedFolder(placed) || carriesNoAnnotations(placed.object)) continue;
      const annotations = metadataOf(placed).annotations ?? {};
      const wave = annotations[SYNC_WAVE_ANNOTATION];
      if (typeof wave !== 'string' || !WAVE.test(wave)) {
        found.push(
          aboutObject(placed, {
            code: 'ARGO001',
            message:
              wave === undefined
                ? `has no ${SYNC_WAVE_ANNOTATION} annotation, so Argo CD may apply it before what it depends on`
                : `has ${SYNC_WAVE_ANNOTATION} ${JSON.stringify(wave)}, which is not an integer`,
            hint: 'every synced object gets its wave from applyArgoAnnotations (src/lower/sync-waves.ts)',
          }),
        );
      }
      if (isDataBearing(placed.object)) {
        const raw = annotations[SYNC_OPTIONS_ANNOTATION];
        const options = parseSyncOptions(typeof raw === 'string' ? raw : undefined);
        const missing = KEEP_OPTIONS.filter((option) => !options.includes(option));
        if (missing.length > 0) {
          found.push(
            aboutObject(placed, {
              code: 'ARGO002',
              message: `holds data or the access to it but its ${SYNC_OPTIONS_ANNOTATION} lack ${missing.join(' and ')}: removing it from Git or deleting the Application would delete it`,
              hint: 'data-bearing kinds (storage and snapshot locations, SealedSecrets, snapshot classes) carry Prune=false,Delete=false',
            }),
          );
        }
      }
      if (isVeleroNamespaceObject(placed, cluster) && !cluster.velero) {
        found.push(
          aboutObject(placed, {
            code: 'ARGO003',
            message: `is the Velero namespace "${cluster.veleroNamespace}" on a cluster whose Velero restorable does not install: whoever installed Velero owns the namespace, and deleting it would delete everything in it, whatever Prune=false says`,
            hint: "emit the Velero namespace only with Velero's installation (velero on the cluster), which marks it Prune=false,Delete=false",
          }),
        );
      } else if (String(placed.object.apiVersion ?? '').startsWith(KUSTOMIZE_API)) {
        found.push(
          aboutObject(placed, {
            code: 'ARGO003',
            message: 'is a Kustomize file in a synced folder: Argo CD would switch the whole folder to Kustomize and ignore every other file',
            hint: 'synced folders hold plain manifests only',
          }),
        );
      }
    }
    return found;
  },
};

/** Argo CD's repo-server limit on the combined size of one directory Application's manifests. */
export interface ManifestSizeLimits {
  /** Warn above this many bytes. */
  readonly warnBytes: number;
  /** Fail above this many bytes. */
  readonly errorBytes: number;
}

/**
 * Argo CD's default `reposerver.max.combined.directory.manifests.size` is `10M`, a Kubernetes
 * quantity: 10,000,000 bytes. Warn from 8 MB so a growing organisation hears about it early.
 */
export const ARGOCD_MANIFEST_LIMITS: ManifestSizeLimits = { warnBytes: 8_000_000, errorBytes: 10_000_000 };

/** File names that make Argo CD render a directory with Kustomize instead of as plain manifests. */
const KUSTOMIZATION_FILES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/** Extensions whose files a directory Application reads (and counts towards the size limit). */
const MANIFEST_FILE = /\.(ya?ml|json)$/;

/** The cluster whose synced folder holds a rendered file (`clusters/<cluster>/...`), if any. */
function syncedCluster(path: string): string | undefined {
  const match = /^clusters\/([^/]+)\//.exec(path);
  return match?.[1];
}

/**
 * ARGO004: the combined size of the manifests in each `clusters/<cluster>/` folder against Argo CD's
 * per-Application limit. `files` maps paths relative to the output folder to their contents, as
 * `render()` returns them; sizes are UTF-8 bytes, as the repo-server measures files on disk.
 */
export function checkManifestSize(files: ReadonlyMap<string, string>, limits: ManifestSizeLimits = ARGOCD_MANIFEST_LIMITS): Diagnostic[] {
  const sizes = new Map<string, number>();
  for (const [path, content] of files) {
    const cluster = syncedCluster(path);
    if (cluster === undefined || !MANIFEST_FILE.test(path)) continue;
    sizes.set(cluster, (sizes.get(cluster) ?? 0) + Buffer.byteLength(content, 'utf8'));
  }
  const found: Diagnostic[] = [];
  for (const [cluster, bytes] of [...sizes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (bytes <= limits.warnBytes) continue;
    const error = bytes > limits.errorBytes;
    found.push({
      code: 'ARGO004',
      severity: error ? 'error' : 'warning',
      declaration: cluster,
      message: `${cluster}: clusters/${cluster}/ holds ${megabytes(bytes)} of manifests; Argo CD refuses a directory Application above ${megabytes(limits.errorBytes)} by default${error ? '' : ', and this is getting close'}`,
      hint: 'raise reposerver.max.combined.directory.manifests.size in argocd-cmd-params-cm, or split the cluster\'s policies',
    });
  }
  return found;
}

/**
 * ARGO003 on rendered files: a `kustomization.yaml` (or `.yml`, or `Kustomization`) anywhere in a
 * synced folder switches Argo CD to Kustomize for the whole folder.
 */
export function checkKustomizationFiles(files: ReadonlyMap<string, string>): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const path of files.keys()) {
    const cluster = syncedCluster(path);
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (cluster === undefined || !KUSTOMIZATION_FILES.has(base)) continue;
    found.push({
      code: 'ARGO003',
      severity: 'error',
      declaration: cluster,
      message: `${cluster}: ${path} is a Kustomize file in a synced folder: Argo CD would render the whole folder with Kustomize and ignore the other manifests`,
      hint: 'synced folders hold plain manifests only',
    });
  }
  return found;
}

/**
 * Every check on rendered files (ARGO003 for file names, ARGO004). With a model, only the folders of
 * clusters that declare `argocd` are checked, since no Argo CD reads the others.
 */
export function checkRenderedFiles(files: ReadonlyMap<string, string>, model?: Pick<Model, 'clusters'>): Diagnostic[] {
  let checked = files;
  if (model !== undefined) {
    const synced = new Set(model.clusters.filter((c) => c.argocd).map((c) => c.name));
    checked = new Map([...files].filter(([path]) => synced.has(syncedCluster(path) ?? '')));
  }
  return [...checkKustomizationFiles(checked), ...checkManifestSize(checked)];
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
