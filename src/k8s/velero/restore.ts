/** velero.io/v1 Restore: restores a backup (or a schedule's latest backup) into the cluster. */
import { createTypeMetaGuard, type ModelData } from '@kubernetes-models/base';
import { type ILabelSelector, type IObjectMeta, labelSelectorSchema, objectMetaSchema } from '../meta.ts';
import { KindModel } from '../model.ts';
import { arr, bool, int, type JsonSchema, kindSchema, mapOf, obj, oneOf, str, strings } from '../schema.ts';
import { type HookErrorMode, type ITypedLocalObjectReference, typedLocalObjectReferenceSchema } from './backup-spec.ts';
import { goDuration, VELERO_API_VERSION } from './common.ts';

/** A command run in a restored pod once it is up. */
export interface IRestoreExecHook {
  /** Container to run in; the pod's first container when omitted. */
  container?: string;
  /** Command and arguments. */
  command: string[];
  /** What to do when the command fails. */
  onError?: HookErrorMode;
  /** How long the command may run (Go duration). */
  execTimeout?: string;
  /** How long to wait for the container to be running (Go duration). */
  waitTimeout?: string;
  /** Wait for the container to be ready, not just running. */
  waitForReady?: boolean;
}

/** An environment variable of a restore init container (literal values only). */
export interface IEnvVar {
  /** Variable name. */
  name: string;
  /** Value. */
  value?: string;
}

/** A volume mount of a restore init container. */
export interface IVolumeMount {
  /** Name of a volume of the restored pod. */
  name: string;
  /** Where to mount it. */
  mountPath: string;
  /** Mount read-only. */
  readOnly?: boolean;
}

/**
 * An init container added to a restored pod. The CRD accepts any corev1.Container here; only the
 * fields a data-seeding init container needs are modelled.
 */
export interface IRestoreInitContainer {
  /** Container name. */
  name: string;
  /** Image. */
  image: string;
  /** Entrypoint. */
  command?: string[];
  /** Arguments. */
  args?: string[];
  /** Environment. */
  env?: IEnvVar[];
  /** Volume mounts. */
  volumeMounts?: IVolumeMount[];
}

/** Init containers added to a restored pod. */
export interface IRestoreInitHook {
  /** The containers, run before the pod's own init containers. */
  initContainers?: IRestoreInitContainer[];
  /** How long to wait for them (Go duration). */
  timeout?: string;
}

/** One restore hook: an exec hook or an init hook. */
export interface IRestoreResourceHook {
  /** Command run in a restored container. */
  exec?: IRestoreExecHook;
  /** Init containers added to the restored pod. */
  init?: IRestoreInitHook;
}

/** Restore hooks applied to the pods matching a set of filters. */
export interface IRestoreResourceHookSpec {
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
  /** The hooks. */
  postHooks?: IRestoreResourceHook[];
}

/** Restore hooks. */
export interface IRestoreHooks {
  /** Hook specs, matched per resource. */
  resources?: IRestoreResourceHookSpec[];
}

/** Which resources get their status restored too. */
export interface IRestoreStatusSpec {
  /** Resources whose status is restored (`*` for all). */
  includedResources?: string[];
  /** Resources whose status is not restored. */
  excludedResources?: string[];
}

/** Settings of the file-system uploader used for restores. */
export interface IRestoreUploaderConfig {
  /** Number of files downloaded in parallel. */
  parallelFilesDownload?: number;
  /** Write files sparsely. */
  writeSparseFiles?: boolean;
}

/** What to do with objects that already exist in the cluster. */
export type ExistingResourcePolicy = 'none' | 'update';

/**
 * velero.io/v1 RestoreSpec. Velero needs `backupName` or `scheduleName`; the schema does not force
 * either because the CRD does not, and the compiler always sets one.
 */
export interface IRestoreSpec {
  /** Backup to restore from. */
  backupName?: string;
  /** Restore the latest completed backup of this Schedule. */
  scheduleName?: string;
  /** Namespaces to restore (all when empty). */
  includedNamespaces?: string[];
  /** Namespaces to leave out. */
  excludedNamespaces?: string[];
  /** Resources to restore (all when empty). */
  includedResources?: string[];
  /** Resources to leave out. */
  excludedResources?: string[];
  /** Restore namespace A into namespace B. */
  namespaceMapping?: Record<string, string>;
  /** Only restore objects with these labels. */
  labelSelector?: ILabelSelector;
  /** Alternative selectors, ORed; cannot be combined with `labelSelector`. */
  orLabelSelectors?: ILabelSelector[];
  /** Whether to restore persistent volumes from snapshots. */
  restorePVs?: boolean;
  /** Keep the node ports of restored Services. */
  preserveNodePorts?: boolean;
  /** What to do with objects that already exist. */
  existingResourcePolicy?: ExistingResourcePolicy;
  /** Whether cluster-scoped resources are restored. */
  includeClusterResources?: boolean;
  /** Hooks run in restored pods. */
  hooks?: IRestoreHooks;
  /** ConfigMap with resource modifier rules (JSON patches applied while restoring). */
  resourceModifier?: ITypedLocalObjectReference;
  /** Which resources get their status restored. */
  restoreStatus?: IRestoreStatusSpec;
  /** How long to wait for asynchronous item operations (Go duration). */
  itemOperationTimeout?: string;
  /** Uploader settings. */
  uploaderConfig?: IRestoreUploaderConfig;
}

/** A velero.io/v1 Restore object. */
export interface IRestore {
  /** Always `velero.io/v1`. */
  apiVersion: 'velero.io/v1';
  /** Always `Restore`. */
  kind: 'Restore';
  /** Name, namespace (Velero's), labels, annotations. */
  metadata: IObjectMeta;
  /** What to restore. */
  spec: IRestoreSpec;
}

const restoreInitContainerSchema = obj(
  {
    name: str({ minLength: 1 }),
    image: str({ minLength: 1 }),
    command: strings(),
    args: strings(),
    env: arr(obj({ name: str({ minLength: 1 }), value: str() }, ['name'])),
    volumeMounts: arr(obj({ name: str(), mountPath: str(), readOnly: bool() }, ['name', 'mountPath'])),
  },
  ['name', 'image'],
);

const restoreHooksSchema = obj({
  resources: arr(
    obj(
      {
        name: str({ minLength: 1 }),
        includedNamespaces: strings(),
        excludedNamespaces: strings(),
        includedResources: strings(),
        excludedResources: strings(),
        labelSelector: labelSelectorSchema,
        postHooks: arr(
          obj({
            exec: obj(
              {
                container: str(),
                command: strings({ minItems: 1 }),
                onError: oneOf(['Continue', 'Fail']),
                execTimeout: goDuration(),
                waitTimeout: goDuration(),
                waitForReady: bool(),
              },
              ['command'],
            ),
            init: obj({ initContainers: arr(restoreInitContainerSchema), timeout: goDuration() }),
          }),
        ),
      },
      ['name'],
    ),
  ),
});

/** Schema of {@link IRestoreSpec}. */
export const restoreSpecSchema: JsonSchema = obj({
  backupName: str(),
  scheduleName: str(),
  includedNamespaces: strings(),
  excludedNamespaces: strings(),
  includedResources: strings(),
  excludedResources: strings(),
  namespaceMapping: mapOf(),
  labelSelector: labelSelectorSchema,
  orLabelSelectors: arr(labelSelectorSchema),
  restorePVs: bool(),
  preserveNodePorts: bool(),
  existingResourcePolicy: oneOf(['none', 'update']),
  includeClusterResources: bool(),
  hooks: restoreHooksSchema,
  resourceModifier: typedLocalObjectReferenceSchema,
  restoreStatus: obj({ includedResources: strings(), excludedResources: strings() }),
  itemOperationTimeout: goDuration(),
  uploaderConfig: obj({ parallelFilesDownload: int({ minimum: 1 }), writeSparseFiles: bool() }),
});

/** Schema of a whole {@link IRestore}. */
export const restoreSchema: JsonSchema = kindSchema(
  { apiVersion: VELERO_API_VERSION, kind: 'Restore' },
  { metadata: objectMetaSchema, spec: restoreSpecSchema },
  ['metadata', 'spec'],
);

/** Model of a velero.io/v1 Restore; `validate()` throws a `K8sValidationError`. */
export class Restore extends KindModel<IRestore> implements IRestore {
  /** `velero.io/v1`. */
  static readonly apiVersion = 'velero.io/v1';
  /** `Restore`. */
  static readonly kind = 'Restore';
  /** Whether a value is an {@link IRestore} (by apiVersion and kind only). */
  static readonly is = createTypeMetaGuard<IRestore>(Restore);
  declare apiVersion: IRestore['apiVersion'];
  declare kind: IRestore['kind'];
  declare metadata: IObjectMeta;
  declare spec: IRestoreSpec;

  /** Builds a Restore; apiVersion and kind are filled in. */
  constructor(data: ModelData<IRestore>) {
    super(Restore, data);
  }

  /** Checks the object against {@link restoreSchema}. */
  override validate(): void {
    this.assertSchema(restoreSchema);
  }
}
