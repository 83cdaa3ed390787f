/**
 * Argo CD sync waves and per-object sync options for everything restorable puts in a synced folder.
 *
 * Argo CD applies one wave at a time and waits for the objects of a wave to be healthy before the
 * next, so prerequisites go first: Velero's CRDs and namespace (where restorable installs Velero);
 * then identities, permissions, classes and admission policies; then the sealed credentials (the
 * controller unseals them into Secrets); then what reads those Secrets (storage locations, and
 * Velero's server and node-agent, which would otherwise create a repository password of their own
 * at first start) and the ConfigMaps Schedules and jobs reference; then what runs (Schedules,
 * CronJobs) and what watches (alert rules). Within a wave, Argo CD orders kinds it does not know
 * (SealedSecret, Schedule, VolumeSnapshotClass) after the ones it knows, which is why the order is
 * made explicit with waves instead of left to kind sorting.
 */
import type { PlacedObject } from '../output/layout.ts';
import type { JsonValue } from '../output/normalize.ts';

/** Annotation holding an object's sync wave (an integer, as a string). */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** Annotation holding an object's sync options, comma-separated. */
export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';

/**
 * The waves, lowest first. The last one is Argo CD's default wave (0) on purpose: an object that
 * somehow misses its annotation still syncs together with the consumers, after every prerequisite,
 * never before them.
 */
export const SYNC_WAVES = {
  /** Velero's CustomResourceDefinitions and its namespace, where restorable installs Velero. */
  installation: -4,
  /** ServiceAccounts, RBAC, VolumeSnapshotClasses, admission and network policies, the repository-password hook. */
  prerequisites: -3,
  /** SealedSecrets: unsealed into the Secrets the next waves read. */
  credentials: -2,
  /** BackupStorageLocations, VolumeSnapshotLocations, ConfigMaps, Velero's Deployment and DaemonSet. */
  storage: -1,
  /** Schedules, CronJobs, PrometheusRules, PodMonitors, and any kind not listed. */
  workloads: 0,
} as const;

/** Name of a wave in {@link SYNC_WAVES}. */
export type SyncWaveName = keyof typeof SYNC_WAVES;

/** `group/kind`, with an empty group for the core API (`/ConfigMap`). */
type GroupKindKey = string;

/** The wave of each kind restorable emits or may emit; kinds not listed go to `workloads`. */
const WAVE_OF_KIND: ReadonlyMap<GroupKindKey, SyncWaveName> = new Map<GroupKindKey, SyncWaveName>([
  ['apiextensions.k8s.io/CustomResourceDefinition', 'installation'],
  ['/Namespace', 'installation'],
  ['/ServiceAccount', 'prerequisites'],
  ['rbac.authorization.k8s.io/Role', 'prerequisites'],
  ['rbac.authorization.k8s.io/ClusterRole', 'prerequisites'],
  ['rbac.authorization.k8s.io/RoleBinding', 'prerequisites'],
  ['rbac.authorization.k8s.io/ClusterRoleBinding', 'prerequisites'],
  ['snapshot.storage.k8s.io/VolumeSnapshotClass', 'prerequisites'],
  ['admissionregistration.k8s.io/ValidatingAdmissionPolicy', 'prerequisites'],
  ['admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding', 'prerequisites'],
  ['networking.k8s.io/NetworkPolicy', 'prerequisites'],
  // The only synced Job is the Sync hook that settles the repository password before the
  // SealedSecrets' wave (see repository-password.ts); Argo CD runs it after the wave's RBAC.
  ['batch/Job', 'prerequisites'],
  ['bitnami.com/SealedSecret', 'credentials'],
  ['/Secret', 'credentials'],
  ['velero.io/BackupStorageLocation', 'storage'],
  ['velero.io/VolumeSnapshotLocation', 'storage'],
  ['/ConfigMap', 'storage'],
  // Velero's server and node-agent start only after the sealed repository password and credentials
  // exist (the server creates a well-known password of its own when none does).
  ['apps/Deployment', 'storage'],
  ['apps/DaemonSet', 'storage'],
  ['velero.io/Schedule', 'workloads'],
  ['batch/CronJob', 'workloads'],
  ['monitoring.coreos.com/PrometheusRule', 'workloads'],
  ['monitoring.coreos.com/PodMonitor', 'workloads'],
]);

/**
 * Kinds whose removal loses data or the access to it. A deleted BackupStorageLocation makes Velero
 * forget every backup in it; a deleted SealedSecret garbage-collects the Secret Velero reads its
 * credentials (and the repository password) from; a deleted VolumeSnapshotClass or
 * VolumeSnapshotLocation leaves snapshots Velero can no longer manage. A Namespace, Secret or
 * PersistentVolumeClaim takes its contents with it. These are never pruned and never deleted with
 * the Application: removing one is a deliberate, manual act.
 */
export const DATA_BEARING_KINDS: ReadonlySet<GroupKindKey> = new Set([
  'velero.io/BackupStorageLocation',
  'velero.io/VolumeSnapshotLocation',
  'bitnami.com/SealedSecret',
  'snapshot.storage.k8s.io/VolumeSnapshotClass',
  '/Namespace',
  '/Secret',
  '/PersistentVolumeClaim',
]);

/**
 * API groups served by Kubernetes itself. Any other group is a CustomResourceDefinition (Velero's
 * own, SealedSecret, VolumeSnapshotClass, PrometheusRule...), which may not be installed yet when the
 * Application first syncs: Argo CD's dry run would then fail the whole sync, so those kinds skip it.
 * Note `snapshot.storage.k8s.io` is not here: the CSI snapshot kinds are CRDs.
 */
const BUILT_IN_GROUPS: ReadonlySet<string> = new Set([
  '',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'apps',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'internal.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
  'storagemigration.k8s.io',
]);

/** The sync options that keep an object through pruning and through deletion of the Application. */
export const KEEP_OPTIONS: readonly string[] = ['Prune=false', 'Delete=false'];

/** The sync option for kinds whose CRD may not be installed yet at dry-run time. */
export const SKIP_DRY_RUN_OPTION = 'SkipDryRunOnMissingResource=true';

/** The identity of an object's type, as far as sync waves care. */
export interface TypedObject {
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
}

/** API group of an apiVersion: `velero.io/v1` -> `velero.io`, `v1` -> `` (core). */
export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** `group/kind` of an object. */
export function groupKindOf(object: TypedObject): GroupKindKey {
  return `${apiGroupOf(String(object.apiVersion ?? ''))}/${String(object.kind ?? '')}`;
}

/** Name of the wave an object belongs to. */
export function syncWaveNameOf(object: TypedObject): SyncWaveName {
  return WAVE_OF_KIND.get(groupKindOf(object)) ?? 'workloads';
}

/** The sync wave of an object (see {@link SYNC_WAVES}). */
export function syncWaveOf(object: TypedObject): number {
  return SYNC_WAVES[syncWaveNameOf(object)];
}

/** Whether removing an object of this kind loses data or the access to it. */
export function isDataBearing(object: TypedObject): boolean {
  return DATA_BEARING_KINDS.has(groupKindOf(object));
}

/** Whether an object's kind comes from a CustomResourceDefinition rather than Kubernetes itself. */
export function isCustomResource(object: TypedObject): boolean {
  return !BUILT_IN_GROUPS.has(apiGroupOf(String(object.apiVersion ?? '')));
}

/** The per-object sync options of an object, in a fixed order; empty when it needs none. */
export function syncOptionsOf(object: TypedObject): string[] {
  return [...(isDataBearing(object) ? KEEP_OPTIONS : []), ...(isCustomResource(object) ? [SKIP_DRY_RUN_OPTION] : [])];
}

/**
 * The Argo CD annotations an object gets: always an explicit sync wave, and the sync options of
 * its kind when it has any. `ServerSideApply=true` is not here: it is set once on the Application.
 */
export function syncAnnotations(object: TypedObject): Record<string, string> {
  if (carriesNoAnnotations(object)) return {};
  const annotations: Record<string, string> = { [SYNC_WAVE_ANNOTATION]: String(syncWaveOf(object)) };
  const options = syncOptionsOf(object);
  if (options.length > 0) annotations[SYNC_OPTIONS_ANNOTATION] = options.join(',');
  return annotations;
}

/**
 * Velero copies every annotation of a Schedule onto each Backup it creates, so Schedules carry none:
 * they sync in wave 0, Argo CD's default and the last wave restorable uses, and their CRD comes with
 * Velero's installation, before anything restorable syncs.
 */
export function carriesNoAnnotations(object: TypedObject): boolean {
  return object.kind === 'Schedule' && String(object.apiVersion).startsWith('velero.io/');
}

/** Splits a sync-options annotation value (comma-separated, blanks trimmed, as Argo CD reads it). */
export function parseSyncOptions(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((option) => option.trim())
    .filter((option) => option.length > 0);
}

/** The option name of `Name=value`. */
const optionName = (option: string): string => option.split('=', 1)[0] ?? option;

/**
 * Merges computed options into existing ones. A computed option replaces an existing option of the
 * same name, so a backend can add options but never turn the prune protection of its kind off.
 */
function mergeOptions(existing: readonly string[], computed: readonly string[]): string[] {
  const computedNames = new Set(computed.map(optionName));
  return [...existing.filter((option) => !computedNames.has(optionName(option))), ...computed];
}

/**
 * Whether an object lands in its cluster's synced folder (`clusters/<cluster>/`). Objects placed in
 * another folder (e.g. `hooks/<policy>/`, included by a team's own Application) are not synced by
 * the cluster's Application and keep the annotations their backend gave them.
 */
export function inSyncedFolder(placed: PlacedObject): boolean {
  return placed.folder === undefined;
}

const isRecord = (value: JsonValue | undefined): value is { [key: string]: JsonValue } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Returns new placed objects with {@link syncAnnotations} merged into `metadata.annotations` for
 * every object in its cluster's synced folder (others are returned as they are); the input is not
 * modified. The wave always comes from the kind table, so one table decides the order
 * of a whole folder; sync options a backend set are kept, except that a computed option replaces
 * one of the same name. Key order is left to `normalize()`.
 */
export function applyArgoAnnotations(placed: readonly PlacedObject[]): PlacedObject[] {
  return placed.map((item) => {
    if (!inSyncedFolder(item) || carriesNoAnnotations(item.object)) return item;
    const metadata = isRecord(item.object.metadata) ? item.object.metadata : {};
    const existing: { [key: string]: JsonValue } = isRecord(metadata.annotations) ? metadata.annotations : {};
    const computed = syncAnnotations(item.object);
    const annotations: { [key: string]: JsonValue } = { ...existing, [SYNC_WAVE_ANNOTATION]: String(syncWaveOf(item.object)) };
    const current = typeof existing[SYNC_OPTIONS_ANNOTATION] === 'string' ? existing[SYNC_OPTIONS_ANNOTATION] : undefined;
    const options = mergeOptions(parseSyncOptions(current), parseSyncOptions(computed[SYNC_OPTIONS_ANNOTATION]));
    if (options.length > 0) annotations[SYNC_OPTIONS_ANNOTATION] = options.join(',');
    return { ...item, object: { ...item.object, metadata: { ...metadata, annotations } } };
  });
}
