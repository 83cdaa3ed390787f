/**
 * The generated manifests, object by object: what a pull request changes in what Argo CD applies
 * (the base's committed output, which the clusters run, against what today's compiler makes of the
 * head's policies), and what the compiler itself changes (the base's committed output against
 * today's compiler run on the base's policies). Policies are compared elsewhere; this is what
 * reaches the clusters, including changes nobody wrote in a policy (an upgrade of restorable).
 */
import yaml from 'js-yaml';
import type { Change, GeneratedComparison, GeneratedDiff, GeneratedObjectChange } from './types.ts';
import { canonical, change as makeChange } from './values.ts';

/** The output folder's bookkeeping (synth's manifest), not manifests. */
const BOOKKEEPING = /^\.restorable\//;

/** One Kubernetes object of an output tree. */
interface ObjectEntry {
  readonly area: string;
  readonly apiVersion: string;
  readonly group: string;
  readonly kind: string;
  readonly namespace: string | null;
  readonly name: string;
  readonly file: string;
  readonly object: Record<string, unknown>;
  readonly text: string;
}

/**
 * Where an output file is applied: its first two folders (`clusters/prod-eu`, `argocd/prod-eu`,
 * `hooks/ledger`, `runbooks/prod-eu`); an object of the same name in two clusters is two objects.
 */
function areaOf(file: string): string {
  return file.split('/').slice(0, 2).join('/');
}

/** Every object of an output tree, by area, group, kind, namespace and name (the API version may change). */
export function objectsOf(files: ReadonlyMap<string, string>): Map<string, ObjectEntry> {
  const objects = new Map<string, ObjectEntry>();
  for (const [file, content] of files) {
    if (BOOKKEEPING.test(file) || !/\.ya?ml$/.test(file)) continue;
    let docs: unknown[];
    try {
      docs = yaml.loadAll(content);
    } catch {
      // A file that is not YAML is not an object Argo CD applies either.
      continue;
    }
    for (const doc of docs) {
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) continue;
      const object = doc as Record<string, unknown>;
      const metadata = (object.metadata ?? {}) as Record<string, unknown>;
      if (typeof object.kind !== 'string' || typeof object.apiVersion !== 'string' || typeof metadata.name !== 'string') continue;
      const apiVersion = object.apiVersion;
      const group = groupOf(apiVersion);
      const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : null;
      const area = areaOf(file);
      const entry: ObjectEntry = { area, apiVersion, group, kind: object.kind, namespace, name: metadata.name, file, object, text: canonical(object) };
      objects.set(`${area}\u0000${group}\u0000${object.kind}\u0000${namespace ?? ''}\u0000${metadata.name}`, entry);
    }
  }
  return objects;
}

/** Fields of two objects that differ, two levels deep (`spec.template`, `roleRef`, `metadata.annotations`). */
export function differingFields(before: Record<string, unknown>, after: Record<string, unknown>, depth = 2, prefix = ''): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((key) => {
    const b = before[key];
    const a = after[key];
    if (canonical(b) === canonical(a)) return [];
    const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
    if (depth > 1 && isRecord(b) && isRecord(a)) return differingFields(b, a, depth - 1, `${prefix}${key}.`);
    return [`${prefix}${key}`];
  });
}

/** Argo CD's per-object sync options (`argocd.argoproj.io/sync-options`, comma-separated). */
function syncOptions(object: Record<string, unknown>): string[] {
  const annotations = ((object.metadata ?? {}) as Record<string, unknown>).annotations as Record<string, unknown> | undefined;
  const value = annotations?.['argocd.argoproj.io/sync-options'];
  return typeof value === 'string' ? value.split(',').map((o) => o.trim()) : [];
}

/** The cluster an area is applied to: `clusters/<name>` (and its Argo CD application in `argocd/<name>`). */
export function clusterOfArea(area: string): string | null {
  const [top, name] = area.split('/');
  return (top === 'clusters' || top === 'argocd') && name ? name : null;
}

/** `kubectl delete` for an object, with its resource named `kind.group` so no other API group's kind of that name is meant. */
function deleteCommand(entry: ObjectEntry): string {
  const resource = `${entry.kind.toLowerCase()}${entry.group === '' ? '' : `.${entry.group}`}`;
  return `kubectl delete ${resource} ${entry.name}${entry.namespace ? ` -n ${entry.namespace}` : ''}`;
}

/**
 * Objects added, changed and removed from `before` to `after` (output trees, paths relative to the
 * output folder), sorted by area, kind, namespace and name. A removed object that Argo CD does not
 * prune (`Prune=false` among its sync options, in a cluster folder it syncs) carries the command
 * that deletes it by hand.
 */
export function compareOutputs(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): GeneratedComparison {
  const was = objectsOf(before);
  const is = objectsOf(after);
  const objects: GeneratedObjectChange[] = [];
  const describe = (entry: ObjectEntry) => ({ area: entry.area, apiVersion: entry.apiVersion, kind: entry.kind, namespace: entry.namespace, name: entry.name, file: entry.file });
  for (const [key, entry] of is) {
    const old = was.get(key);
    if (!old) objects.push({ change: 'added', ...describe(entry), fields: [], deleteCommand: null });
    else if (old.text !== entry.text) objects.push({ change: 'changed', ...describe(entry), fields: differingFields(old.object, entry.object), deleteCommand: null });
  }
  for (const [key, entry] of was) {
    if (is.has(key)) continue;
    const leftBehind = entry.area.startsWith('clusters/') && syncOptions(entry.object).includes('Prune=false');
    objects.push({ change: 'removed', ...describe(entry), fields: [], deleteCommand: leftBehind ? deleteCommand(entry) : null });
  }
  const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  objects.sort((a, b) => text(a.area, b.area) || text(a.kind, b.kind) || text(a.namespace ?? '', b.namespace ?? '') || text(a.name, b.name));
  const count = (change: GeneratedObjectChange['change']) => objects.filter((o) => o.change === change).length;
  return { added: count('added'), changed: count('changed'), removed: count('removed'), objects };
}

/** Fields the API server does not update in place (Kubernetes v1.33 validation), by group and kind. */
const IMMUTABLE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  // pkg/apis/rbac/validation: "cannot change roleRef".
  'rbac.authorization.k8s.io/RoleBinding': ['roleRef'],
  'rbac.authorization.k8s.io/ClusterRoleBinding': ['roleRef'],
  // pkg/apis/batch/validation ValidateJobSpecUpdate (the pod template: all but a suspended Job's scheduling directives).
  'batch/Job': ['spec.selector', 'spec.template', 'spec.completionMode', 'spec.podFailurePolicy'],
  // pkg/apis/apps/validation: the selector of apps/v1 workloads.
  'apps/Deployment': ['spec.selector'],
  'apps/DaemonSet': ['spec.selector'],
  'apps/StatefulSet': ['spec.selector', 'spec.serviceName', 'spec.volumeClaimTemplates', 'spec.podManagementPolicy'],
  // pkg/apis/storage/validation ValidateStorageClassUpdate.
  'storage.k8s.io/StorageClass': ['parameters', 'provisioner', 'reclaimPolicy', 'volumeBindingMode'],
  // apiextensions: a CRD's scope cannot change.
  'apiextensions.k8s.io/CustomResourceDefinition': ['spec.scope'],
};

/** A finding for live clusters about one changed or removed object. */
export interface UpgradeNote {
  readonly kind: 'immutable-field' | 'left-behind' | 'velero-version' | 'crd-versions' | 'snapshot-class';
  readonly object: GeneratedObjectChange;
  readonly fields: readonly string[];
  readonly before: string | null;
  readonly after: string | null;
  readonly message: string;
}

/** The container images of a workload, by container name. */
function images(object: Record<string, unknown> | undefined): Map<string, string> {
  const spec = ((object?.spec as Record<string, unknown> | undefined)?.template as Record<string, unknown> | undefined)?.spec as Record<string, unknown> | undefined;
  const containers = [...((spec?.initContainers as unknown[]) ?? []), ...((spec?.containers as unknown[]) ?? [])] as { name?: string; image?: string }[];
  return new Map(containers.filter((c) => c.name && c.image).map((c) => [c.name as string, c.image as string]));
}

/** A CRD's versions as `v1 (storage), v2alpha1`: what clients may use and where objects are stored. */
function crdVersions(object: Record<string, unknown> | undefined): string {
  const versions = ((object?.spec as Record<string, unknown> | undefined)?.versions ?? []) as { name?: string; served?: boolean; storage?: boolean }[];
  return versions
    .filter((v) => v.served !== false)
    .map((v) => `${v.name}${v.storage ? ' (storage)' : ''}`)
    .join(', ');
}

/**
 * What live clusters meet when the change is synced: fields Kubernetes does not update in place
 * (the sync fails until the object is deleted), objects Argo CD leaves behind, a new Velero
 * version, CRD versions, snapshot classes whose existing snapshots keep their old settings.
 */
export function upgradeNotes(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>, comparison: GeneratedComparison): UpgradeNote[] {
  const was = objectsOf(before);
  const is = objectsOf(after);
  const find = (objects: Map<string, ObjectEntry>, o: GeneratedObjectChange) =>
    [...objects.values()].find((e) => e.area === o.area && e.kind === o.kind && e.namespace === o.namespace && e.name === o.name && e.group === groupOf(o.apiVersion));
  const notes: UpgradeNote[] = [];
  for (const o of comparison.objects) {
    const where = `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name} (${o.area})`;
    if (o.change === 'removed') {
      if (o.deleteCommand) {
        notes.push({
          kind: 'left-behind',
          object: o,
          fields: [],
          before: null,
          after: null,
          message: `${where} is no longer generated, but carries Prune=false: Argo CD leaves it in the cluster (the application shows it out of sync); once nothing needs it, delete it by hand: ${o.deleteCommand}`,
        });
      }
      continue;
    }
    if (o.change !== 'changed') continue;
    const old = find(was, o);
    const now = find(is, o);
    const immutable = (IMMUTABLE_FIELDS[`${groupOf(o.apiVersion)}/${o.kind}`] ?? []).filter((field) => o.fields.some((f) => f === field || f.startsWith(`${field}.`) || field.startsWith(`${f}.`)));
    if (immutable.length > 0) {
      notes.push({
        kind: 'immutable-field',
        object: o,
        fields: immutable,
        before: null,
        after: null,
        message: `${where}: ${immutable.join(', ')} cannot be updated in place (the API server rejects it: field is immutable), so Argo CD's sync fails until the object is deleted and recreated: ${deleteCommand(find(is, o) ?? (old as ObjectEntry))}, then sync`,
      });
    }
    if (o.kind === 'Deployment' || o.kind === 'DaemonSet') {
      const b = images(old?.object);
      const a = images(now?.object);
      for (const [container, image] of a) {
        const previous = b.get(container);
        if (previous === undefined || previous === image || !/velero/.test(image)) continue;
        notes.push({
          kind: 'velero-version',
          object: o,
          fields: ['spec.template.spec'],
          before: previous,
          after: image,
          message: `${where}: container ${container} moves from ${previous} to ${image}: read Velero's upgrade notes for every version in between (its CRDs change with it); the server restarts, and marks the backups and restores in progress at that moment Failed`,
        });
      }
    }
    if (o.kind === 'CustomResourceDefinition') {
      const b = crdVersions(old?.object);
      const a = crdVersions(now?.object);
      if (b !== a) {
        notes.push({
          kind: 'crd-versions',
          object: o,
          fields: ['spec.versions'],
          before: b,
          after: a,
          message: `${where}: served versions ${b} -> ${a}: objects stay stored in the version they were written in until rewritten, and the API server rejects removing a version still listed in the CRD's status.storedVersions`,
        });
      }
    }
    if (o.kind === 'VolumeSnapshotClass' && o.fields.some((f) => f === 'driver' || f === 'deletionPolicy' || f.startsWith('parameters'))) {
      notes.push({
        kind: 'snapshot-class',
        object: o,
        fields: o.fields.filter((f) => f === 'driver' || f === 'deletionPolicy' || f.startsWith('parameters')),
        before: null,
        after: null,
        message: `${where}: snapshots already taken keep the deletion policy and driver their VolumeSnapshotContent was created with; only new snapshots follow the class`,
      });
    }
  }
  return notes;
}

/** The API group of an apiVersion (`velero.io/v1` -> `velero.io`; '' for the core group's `v1`). */
function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
}

/** The generated section of a report and the changes it rates. */
export interface GeneratedFindings {
  readonly diff: GeneratedDiff;
  readonly changes: readonly Change[];
}

/**
 * Compares the base's committed output folder (`committed`; undefined when the base has none) with
 * today's compiler's output for the base's and the head's policies (undefined when a side's
 * policies have errors, or it has none). Every upgrade note is a `review` change: an object left
 * behind, a sync that fails on an immutable field, a new Velero version, new CRD versions.
 */
export function generatedFindings(folder: string, committed: ReadonlyMap<string, string> | undefined, base: ReadonlyMap<string, string> | undefined, head: ReadonlyMap<string, string> | undefined): GeneratedFindings | undefined {
  if (committed === undefined) return undefined;
  const notes: string[] = [];
  if (head === undefined) notes.push("the head's policies do not compile (errors, or none): synth would not write a new output, so what reaches the clusters is not compared");
  if (base === undefined) notes.push("the base's policies do not compile with today's compiler (errors, or none): what the compiler itself changes is not compared");
  const change = head === undefined ? null : compareOutputs(committed, head);
  const compiler = base === undefined ? null : compareOutputs(committed, base);
  const found = change && head ? upgradeNotes(committed, head, change) : [];
  const changes = found.map((note) =>
    makeChange(
      { cluster: clusterOfArea(note.object.area), subject: 'generated', name: `${note.object.kind}/${note.object.namespace ? `${note.object.namespace}/` : ''}${note.object.name}`, file: `${folder}/${note.object.file}`, line: null },
      'review',
      `generated.${note.kind}`,
      note.fields.length > 0 ? note.fields.join(', ') : null,
      note.before,
      note.after,
      note.message,
    ),
  );
  return { diff: { folder, change, compiler, upgradeNotes: found.map((n) => n.message), notes }, changes };
}
