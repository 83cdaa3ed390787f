/**
 * Object metadata and label selectors shared by all kinds. Only the metadata fields a GitOps
 * manifest should carry are modelled; server-populated fields (uid, resourceVersion, ...) are left out
 * so that a manifest copied from a live cluster is rejected rather than committed.
 */
import { arr, type JsonSchema, mapOf, obj, oneOf, str, strings } from './schema.ts';

/** The metadata of an emitted object. */
export interface IObjectMeta {
  /** Object name, unique per namespace and kind. */
  name: string;
  /** Namespace; omitted for cluster-scoped kinds. */
  namespace?: string;
  /** Labels (selectable). */
  labels?: Record<string, string>;
  /** Annotations (not selectable). */
  annotations?: Record<string, string>;
}

/** The metadata of a cluster-scoped object: no namespace. */
export type IClusterObjectMeta = Omit<IObjectMeta, 'namespace'>;

/** Metadata that may also carry finalizers (Argo CD uses one to cascade deletion). */
export interface IObjectMetaWithFinalizers extends IObjectMeta {
  /** Finalizers that must be removed before the object is deleted. */
  finalizers?: string[];
}

const metaProperties = {
  name: str({ minLength: 1 }),
  namespace: str({ minLength: 1 }),
  labels: mapOf(),
  annotations: mapOf(),
};

/** Schema of {@link IObjectMeta}. `name` is required: a GitOps manifest cannot use generateName. */
export const objectMetaSchema: JsonSchema = obj(metaProperties, ['name']);

/** Schema of {@link IClusterObjectMeta}: a namespace on a cluster-scoped object is a mistake. */
export const clusterObjectMetaSchema: JsonSchema = obj(
  { name: metaProperties.name, labels: metaProperties.labels, annotations: metaProperties.annotations },
  ['name'],
);

/** Schema of {@link IObjectMetaWithFinalizers}. */
export const objectMetaWithFinalizersSchema: JsonSchema = obj({ ...metaProperties, finalizers: strings() }, ['name']);

/** Operators of a label selector requirement. */
export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

/** One `matchExpressions` entry of a label selector. */
export interface ILabelSelectorRequirement {
  /** The label key. */
  key: string;
  /** How the key relates to the values. */
  operator: LabelSelectorOperator;
  /** Values for In/NotIn; must be empty for Exists/DoesNotExist. */
  values?: string[];
}

/** A Kubernetes label selector (metav1.LabelSelector). */
export interface ILabelSelector {
  /** Labels that must all match. */
  matchLabels?: Record<string, string>;
  /** Requirements that must all hold. */
  matchExpressions?: ILabelSelectorRequirement[];
}

/** Schema of {@link ILabelSelector}. */
export const labelSelectorSchema: JsonSchema = obj({
  matchLabels: mapOf(),
  matchExpressions: arr(
    obj({ key: str(), operator: oneOf(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: strings() }, [
      'key',
      'operator',
    ]),
  ),
});
