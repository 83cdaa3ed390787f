/**
 * argoproj.io/v1alpha1 AppProject: what the restorable Applications may deploy, from where and to
 * where. A tight project keeps a compromised or wrong policy repository from deploying arbitrary kinds.
 */
import { createTypeMetaGuard, type ModelData } from '@kubernetes-models/base';
import { type IObjectMetaWithFinalizers, objectMetaWithFinalizersSchema } from '../meta.ts';
import { KindModel } from '../model.ts';
import { arr, bool, type JsonSchema, kindSchema, obj, str, strings } from '../schema.ts';
import { ARGOCD_API_VERSION, applicationDestinationSchema, type IApplicationDestination } from './common.ts';

/** A kind, by API group (empty for core, `*` for all) and kind name. */
export interface IGroupKind {
  /** API group. */
  group: string;
  /** Kind name, or `*`. */
  kind: string;
}

/** A cluster-scoped kind, optionally narrowed to one object name. */
export interface IClusterResourceRestriction extends IGroupKind {
  /** Object name (glob). */
  name?: string;
}

/** A resource ignored by the orphaned-resources check. */
export interface IOrphanedResourceKey {
  /** API group. */
  group?: string;
  /** Kind. */
  kind?: string;
  /** Object name. */
  name?: string;
}

/** Monitoring of resources in destination namespaces that no Application owns. */
export interface IOrphanedResourcesMonitorSettings {
  /** Show a warning condition on the Applications. */
  warn?: boolean;
  /** Resources not reported. */
  ignore?: IOrphanedResourceKey[];
}

/** argoproj.io/v1alpha1 AppProjectSpec (the parts restorable emits). */
export interface IAppProjectSpec {
  /** Free text, at most 255 characters. */
  description?: string;
  /** Repository URLs (globs) Applications may deploy from. */
  sourceRepos?: string[];
  /** Clusters and namespaces Applications may deploy to. */
  destinations?: IApplicationDestination[];
  /** Namespaces where Applications of this project may live. */
  sourceNamespaces?: string[];
  /** Cluster-scoped kinds that may be deployed. */
  clusterResourceWhitelist?: IClusterResourceRestriction[];
  /** Cluster-scoped kinds that may not be deployed. */
  clusterResourceBlacklist?: IClusterResourceRestriction[];
  /** Namespaced kinds that may be deployed. */
  namespaceResourceWhitelist?: IGroupKind[];
  /** Namespaced kinds that may not be deployed. */
  namespaceResourceBlacklist?: IGroupKind[];
  /** Orphaned-resources monitoring. */
  orphanedResources?: IOrphanedResourcesMonitorSettings;
}

/** An argoproj.io/v1alpha1 AppProject object. */
export interface IAppProject {
  /** Always `argoproj.io/v1alpha1`. */
  apiVersion: 'argoproj.io/v1alpha1';
  /** Always `AppProject`. */
  kind: 'AppProject';
  /** Name, namespace (Argo CD's), labels, annotations, finalizers. */
  metadata: IObjectMetaWithFinalizers;
  /** The project. */
  spec: IAppProjectSpec;
}

const groupKindSchema = obj({ group: str(), kind: str({ minLength: 1 }) }, ['group', 'kind']);
const clusterResourceSchema = obj({ group: str(), kind: str({ minLength: 1 }), name: str() }, ['group', 'kind']);

/** Schema of {@link IAppProjectSpec}. */
export const appProjectSpecSchema: JsonSchema = obj({
  description: str({ maxLength: 255 }),
  sourceRepos: strings(),
  destinations: arr(applicationDestinationSchema),
  sourceNamespaces: strings(),
  clusterResourceWhitelist: arr(clusterResourceSchema),
  clusterResourceBlacklist: arr(clusterResourceSchema),
  namespaceResourceWhitelist: arr(groupKindSchema),
  namespaceResourceBlacklist: arr(groupKindSchema),
  orphanedResources: obj({
    warn: bool(),
    ignore: arr(obj({ group: str(), kind: str(), name: str() })),
  }),
});

/** Schema of a whole {@link IAppProject}. */
export const appProjectSchema: JsonSchema = kindSchema(
  { apiVersion: ARGOCD_API_VERSION, kind: 'AppProject' },
  { metadata: objectMetaWithFinalizersSchema, spec: appProjectSpecSchema },
  ['metadata', 'spec'],
);

/** Model of an argoproj.io/v1alpha1 AppProject; `validate()` throws a `K8sValidationError`. */
export class AppProject extends KindModel<IAppProject> implements IAppProject {
  /** `argoproj.io/v1alpha1`. */
  static readonly apiVersion = 'argoproj.io/v1alpha1';
  /** `AppProject`. */
  static readonly kind = 'AppProject';
  /** Whether a value is an {@link IAppProject} (by apiVersion and kind only). */
  static readonly is = createTypeMetaGuard<IAppProject>(AppProject);
  declare apiVersion: IAppProject['apiVersion'];
  declare kind: IAppProject['kind'];
  declare metadata: IObjectMetaWithFinalizers;
  declare spec: IAppProjectSpec;

  /** Builds an AppProject; apiVersion and kind are filled in. */
  constructor(data: ModelData<IAppProject>) {
    super(AppProject, data);
  }

  /** Checks the object against {@link appProjectSchema}. */
  override validate(): void {
    this.assertSchema(appProjectSchema);
  }
}
