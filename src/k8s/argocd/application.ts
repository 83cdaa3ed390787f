/** argoproj.io/v1alpha1 Application: deploys one directory of the GitOps repository to a cluster. */
import { createTypeMetaGuard, type ModelData } from '@kubernetes-models/base';
import { type IObjectMetaWithFinalizers, objectMetaWithFinalizersSchema } from '../meta.ts';
import { KindModel } from '../model.ts';
import { arr, bool, int, type JsonSchema, kindSchema, mapOf, obj, str, strings } from '../schema.ts';
import { ARGOCD_API_VERSION, applicationDestinationSchema, type IApplicationDestination } from './common.ts';

/** Options for a plain-manifests directory source. */
export interface IApplicationSourceDirectory {
  /** Include sub-directories. */
  recurse?: boolean;
  /** Glob of files to include, e.g. `{*.yaml,*.yml}`. */
  include?: string;
  /** Glob of files to exclude. */
  exclude?: string;
}

/**
 * Where the manifests come from. Only directory sources are modelled (restorable emits plain YAML);
 * `directory.disableExtensionFilter` is deliberately absent: it is not in any Argo CD release yet.
 */
export interface IApplicationSource {
  /** Git repository URL. */
  repoURL: string;
  /** Branch, tag or commit; `HEAD` when omitted. */
  targetRevision?: string;
  /** Directory inside the repository. */
  path?: string;
  /** Directory options. */
  directory?: IApplicationSourceDirectory;
}

/** Automatic sync settings. */
export interface ISyncPolicyAutomated {
  /** Delete resources that are no longer in Git. */
  prune?: boolean;
  /** Revert changes made in the cluster. */
  selfHeal?: boolean;
  /** Allow syncing to an empty set of resources. */
  allowEmpty?: boolean;
  /** Turn automatic sync on or off without removing the block (Argo CD 3.1+). */
  enabled?: boolean;
}

/** Backoff between sync retries. */
export interface IRetryBackoff {
  /** First delay, e.g. `5s`. */
  duration?: string;
  /** Multiplier per attempt. */
  factor?: number;
  /** Longest delay, e.g. `3m`. */
  maxDuration?: string;
}

/** Retry of failed syncs. */
export interface IRetryStrategy {
  /** Maximum attempts (negative: unlimited). */
  limit?: number;
  /** Backoff between attempts. */
  backoff?: IRetryBackoff;
  /** Retry with the latest revision when a new commit arrives. */
  refresh?: boolean;
}

/** Labels and annotations set on the namespace Argo CD creates (with `CreateNamespace=true`). */
export interface IManagedNamespaceMetadata {
  /** Namespace labels. */
  labels?: Record<string, string>;
  /** Namespace annotations. */
  annotations?: Record<string, string>;
}

/** How and when the Application syncs. */
export interface ISyncPolicy {
  /** Sync automatically; manual sync when omitted. */
  automated?: ISyncPolicyAutomated;
  /** Sync options such as `CreateNamespace=true`, `ServerSideApply=true`. */
  syncOptions?: string[];
  /** Retry of failed syncs. */
  retry?: IRetryStrategy;
  /** Metadata of the namespace created by `CreateNamespace=true`. */
  managedNamespaceMetadata?: IManagedNamespaceMetadata;
}

/** Differences Argo CD should not treat as drift (e.g. fields set by controllers). */
export interface IResourceIgnoreDifferences {
  /** API group of the resources (empty for core). */
  group?: string;
  /** Kind of the resources. */
  kind: string;
  /** Only this object. */
  name?: string;
  /** Only in this namespace. */
  namespace?: string;
  /** JSON pointers to ignore, e.g. `/status`. */
  jsonPointers?: string[];
  /** jq path expressions to ignore. */
  jqPathExpressions?: string[];
  /** Ignore fields owned by these field managers. */
  managedFieldsManagers?: string[];
}

/** A key/value shown in the Argo CD UI. */
export interface IInfo {
  /** Label. */
  name: string;
  /** Value. */
  value: string;
}

/** argoproj.io/v1alpha1 ApplicationSpec (the parts restorable emits). */
export interface IApplicationSpec {
  /** AppProject name. */
  project: string;
  /** Where the manifests come from. */
  source?: IApplicationSource;
  /** Where they are deployed. */
  destination: IApplicationDestination;
  /** How and when to sync. */
  syncPolicy?: ISyncPolicy;
  /** Differences not counted as drift. */
  ignoreDifferences?: IResourceIgnoreDifferences[];
  /** Extra information shown in the UI. */
  info?: IInfo[];
  /** How many past syncs to keep in history. */
  revisionHistoryLimit?: number;
}

/** An argoproj.io/v1alpha1 Application object. */
export interface IApplication {
  /** Always `argoproj.io/v1alpha1`. */
  apiVersion: 'argoproj.io/v1alpha1';
  /** Always `Application`. */
  kind: 'Application';
  /** Name, namespace (Argo CD's), labels, annotations, finalizers. */
  metadata: IObjectMetaWithFinalizers;
  /** The Application. */
  spec: IApplicationSpec;
}

/** Schema of {@link IApplicationSpec}. */
export const applicationSpecSchema: JsonSchema = obj(
  {
    project: str({ minLength: 1 }),
    source: obj(
      {
        repoURL: str({ minLength: 1 }),
        targetRevision: str(),
        path: str(),
        directory: obj({ recurse: bool(), include: str(), exclude: str() }),
      },
      ['repoURL'],
    ),
    destination: applicationDestinationSchema,
    syncPolicy: obj({
      automated: obj({ prune: bool(), selfHeal: bool(), allowEmpty: bool(), enabled: bool() }),
      syncOptions: strings(),
      retry: obj({
        limit: int(),
        backoff: obj({ duration: str(), factor: int({ minimum: 1 }), maxDuration: str() }),
        refresh: bool(),
      }),
      managedNamespaceMetadata: obj({ labels: mapOf(), annotations: mapOf() }),
    }),
    ignoreDifferences: arr(
      obj(
        {
          group: str(),
          kind: str({ minLength: 1 }),
          name: str(),
          namespace: str(),
          jsonPointers: strings(),
          jqPathExpressions: strings(),
          managedFieldsManagers: strings(),
        },
        ['kind'],
      ),
    ),
    info: arr(obj({ name: str(), value: str() }, ['name', 'value'])),
    revisionHistoryLimit: int({ minimum: 0 }),
  },
  ['project', 'destination'],
);

/** Schema of a whole {@link IApplication}. */
export const applicationSchema: JsonSchema = kindSchema(
  { apiVersion: ARGOCD_API_VERSION, kind: 'Application' },
  { metadata: objectMetaWithFinalizersSchema, spec: applicationSpecSchema },
  ['metadata', 'spec'],
);

/** Model of an argoproj.io/v1alpha1 Application; `validate()` throws a `K8sValidationError`. */
export class Application extends KindModel<IApplication> implements IApplication {
  /** `argoproj.io/v1alpha1`. */
  static readonly apiVersion = 'argoproj.io/v1alpha1';
  /** `Application`. */
  static readonly kind = 'Application';
  /** Whether a value is an {@link IApplication} (by apiVersion and kind only). */
  static readonly is = createTypeMetaGuard<IApplication>(Application);
  declare apiVersion: IApplication['apiVersion'];
  declare kind: IApplication['kind'];
  declare metadata: IObjectMetaWithFinalizers;
  declare spec: IApplicationSpec;

  /** Builds an Application; apiVersion and kind are filled in. */
  constructor(data: ModelData<IApplication>) {
    super(Application, data);
  }

  /** Checks the object against {@link applicationSchema}. */
  override validate(): void {
    this.assertSchema(applicationSchema);
  }
}
