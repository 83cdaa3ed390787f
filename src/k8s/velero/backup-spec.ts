/**
 * The Backup spec, shared by `Backup.spec` and `Schedule.spec.template` (the CRDs define the same
 * structure in both places). The deprecated `defaultVolumesToRestic` is left out on purpose so that
 * nothing can emit it; use `defaultVolumesToFsBackup`.
 */
import { type ILabelSelector, labelSelectorSchema } from '../meta.ts';
import { arr, bool, int, type JsonSchema, mapOf, obj, oneOf, str, strings } from '../schema.ts';
import { goDuration } from './common.ts';

/** What Velero does when a hook command fails. */
export type HookErrorMode = 'Continue' | 'Fail';

/** A command run inside a container of a pod being backed up. */
export interface IBackupExecHook {
  /** Container to run in; the pod's first container when omitted. */
  container?: string;
  /** Command and arguments (no shell unless you call one). */
  command: string[];
  /** What to do when the command fails. */
  onError?: HookErrorMode;
  /** How long to wait for the command (Go duration). */
  timeout?: string;
}

/** One backup hook. */
export interface IBackupResourceHook {
  /** The exec hook. */
  exec: IBackupExecHook;
}

/** Hooks applied to the pods matching a set of filters. */
export interface IBackupResourceHookSpec {
  /** Name of this hook spec. */
  name: string;
  /** Namespaces the hooks apply to (all when empty). */
  includedNamespaces?: string[];
  /** Namespaces the hooks do not apply to. */
  excludedNamespaces?: string[];
  /** Resources the hooks apply to (all when empty). */
  includedResources?: string[];
  /** Resources the hooks do not apply to. */
  excludedResources?: string[];
  /** Further filter by labels. */
  labelSelector?: ILabelSelector;
  /** Hooks run before the item is backed up (e.g. freeze, flush). */
  pre?: IBackupResourceHook[];
  /** Hooks run after the item is backed up (e.g. unfreeze). */
  post?: IBackupResourceHook[];
}

/** Backup hooks. */
export interface IBackupHooks {
  /** Hook specs, matched per resource. */
  resources?: IBackupResourceHookSpec[];
}

/** A reference to an object in the Velero namespace (here: a resource-policies ConfigMap). */
export interface ITypedLocalObjectReference {
  /** API group of the referenced kind; core group when omitted. */
  apiGroup?: string;
  /** Kind of the referenced object, e.g. `configmap`. */
  kind: string;
  /** Name of the referenced object. */
  name: string;
}

/** Settings of the file-system uploader used for backups. */
export interface IBackupUploaderConfig {
  /** Number of files uploaded in parallel. */
  parallelFilesUpload?: number;
}

/** Metadata given to the Backup objects a Schedule creates. */
export interface IBackupTemplateMetadata {
  /** Labels of the created Backups. */
  labels?: Record<string, string>;
}

/** What to back up, where to and how (velero.io/v1 BackupSpec). */
export interface IBackupSpec {
  /** Labels put on the Backup objects a Schedule creates. */
  metadata?: IBackupTemplateMetadata;
  /** Namespaces to back up (all when empty). */
  includedNamespaces?: string[];
  /** Namespaces to leave out. */
  excludedNamespaces?: string[];
  /** Resources to back up (all when empty); old-style filter, do not mix with the scoped ones. */
  includedResources?: string[];
  /** Resources to leave out; old-style filter. */
  excludedResources?: string[];
  /** Cluster-scoped resources to back up (`*` for all). */
  includedClusterScopedResources?: string[];
  /** Cluster-scoped resources to leave out. */
  excludedClusterScopedResources?: string[];
  /** Namespace-scoped resources to back up (default `*`). */
  includedNamespaceScopedResources?: string[];
  /** Namespace-scoped resources to leave out. */
  excludedNamespaceScopedResources?: string[];
  /** Only back up objects with these labels. */
  labelSelector?: ILabelSelector;
  /** Alternative selectors, ORed; cannot be combined with `labelSelector`. */
  orLabelSelectors?: ILabelSelector[];
  /** Whether to snapshot persistent volumes. */
  snapshotVolumes?: boolean;
  /** How long to keep the backup (Go duration, e.g. `720h`). */
  ttl?: string;
  /** Whether cluster-scoped resources are considered; old-style filter. */
  includeClusterResources?: boolean;
  /** Hooks run in pods around their backup. */
  hooks?: IBackupHooks;
  /** BackupStorageLocation name. */
  storageLocation?: string;
  /** VolumeSnapshotLocation names. */
  volumeSnapshotLocations?: string[];
  /** Use file-system backup for all pod volumes by default. */
  defaultVolumesToFsBackup?: boolean;
  /** Backup order per resource: resource name to comma-separated `namespace/name` list. */
  orderedResources?: Record<string, string>;
  /** How long to wait for a CSI VolumeSnapshot to become ready (Go duration). */
  csiSnapshotTimeout?: string;
  /** How long to wait for asynchronous item operations (Go duration). */
  itemOperationTimeout?: string;
  /** Resource-policies ConfigMap to apply. */
  resourcePolicy?: ITypedLocalObjectReference;
  /** Move CSI snapshot data to the object store. */
  snapshotMoveData?: boolean;
  /** Data mover to use; `velero` or empty for the built-in one. */
  datamover?: string;
  /** Uploader settings. */
  uploaderConfig?: IBackupUploaderConfig;
  /** Label key grouping PVCs into one VolumeGroupSnapshot. */
  volumeGroupSnapshotLabelKey?: string;
}

const backupExecHookSchema = obj(
  {
    container: str(),
    command: strings({ minItems: 1 }),
    onError: oneOf(['Continue', 'Fail']),
    timeout: goDuration(),
  },
  ['command'],
);

const backupResourceHookSchema = obj({ exec: backupExecHookSchema }, ['exec']);

const backupHooksSchema = obj({
  resources: arr(
    obj(
      {
        name: str({ minLength: 1 }),
        includedNamespaces: strings(),
        excludedNamespaces: strings(),
        includedResources: strings(),
        excludedResources: strings(),
        labelSelector: labelSelectorSchema,
        pre: arr(backupResourceHookSchema),
        post: arr(backupResourceHookSchema),
      },
      ['name'],
    ),
  ),
});

/** Schema of {@link ITypedLocalObjectReference}. */
export const typedLocalObjectReferenceSchema: JsonSchema = obj({ apiGroup: str(), kind: str(), name: str() }, [
  'kind',
  'name',
]);

/** Schema of {@link IBackupSpec}. */
export const backupSpecSchema: JsonSchema = obj({
  metadata: obj({ labels: mapOf() }),
  includedNamespaces: strings(),
  excludedNamespaces: strings(),
  includedResources: strings(),
  excludedResources: strings(),
  includedClusterScopedResources: strings(),
  excludedClusterScopedResources: strings(),
  includedNamespaceScopedResources: strings(),
  excludedNamespaceScopedResources: strings(),
  labelSelector: labelSelectorSchema,
  orLabelSelectors: arr(labelSelectorSchema),
  snapshotVolumes: bool(),
  ttl: goDuration(),
  includeClusterResources: bool(),
  hooks: backupHooksSchema,
  storageLocation: str(),
  volumeSnapshotLocations: strings(),
  defaultVolumesToFsBackup: bool(),
  orderedResources: mapOf(),
  csiSnapshotTimeout: goDuration(),
  itemOperationTimeout: goDuration(),
  resourcePolicy: typedLocalObjectReferenceSchema,
  snapshotMoveData: bool(),
  datamover: str(),
  uploaderConfig: obj({ parallelFilesUpload: int({ minimum: 1 }) }),
  volumeGroupSnapshotLabelKey: str(),
});
