/**
 * snapshot.storage.k8s.io/v1 VolumeSnapshotClass: how a CSI driver takes snapshots. Cluster-scoped,
 * and unlike most kinds it has no `spec`: driver, deletionPolicy and parameters sit at the top level.
 */
import { createTypeMetaGuard, type ModelData } from '@kubernetes-models/base';
import { clusterObjectMetaSchema, type IClusterObjectMeta } from '../meta.ts';
import { KindModel } from '../model.ts';
import { type JsonSchema, kindSchema, mapOf, oneOf, str } from '../schema.ts';

/** apiVersion of VolumeSnapshotClass. */
export const SNAPSHOT_API_VERSION = 'snapshot.storage.k8s.io/v1';

/** What happens to the storage snapshot when its VolumeSnapshotContent is deleted. */
export type DeletionPolicy = 'Delete' | 'Retain';

/** A snapshot.storage.k8s.io/v1 VolumeSnapshotClass object. */
export interface IVolumeSnapshotClass {
  /** Always `snapshot.storage.k8s.io/v1`. */
  apiVersion: 'snapshot.storage.k8s.io/v1';
  /** Always `VolumeSnapshotClass`. */
  kind: 'VolumeSnapshotClass';
  /** Name, labels (Velero picks its class by `velero.io/csi-volumesnapshot-class`), annotations. */
  metadata: IClusterObjectMeta;
  /** CSI driver name, e.g. `ebs.csi.aws.com`. */
  driver: string;
  /** Keep (Retain) or delete (Delete) the storage snapshot with its content object. */
  deletionPolicy: DeletionPolicy;
  /** Driver-specific parameters. */
  parameters?: Record<string, string>;
}

/** Schema of a whole {@link IVolumeSnapshotClass}. */
export const volumeSnapshotClassSchema: JsonSchema = kindSchema(
  { apiVersion: SNAPSHOT_API_VERSION, kind: 'VolumeSnapshotClass' },
  {
    metadata: clusterObjectMetaSchema,
    driver: str({ minLength: 1 }),
    deletionPolicy: oneOf(['Delete', 'Retain']),
    parameters: mapOf(),
  },
  ['metadata', 'driver', 'deletionPolicy'],
);

/** Model of a snapshot.storage.k8s.io/v1 VolumeSnapshotClass; `validate()` throws a `K8sValidationError`. */
export class VolumeSnapshotClass extends KindModel<IVolumeSnapshotClass> implements IVolumeSnapshotClass {
  /** `snapshot.storage.k8s.io/v1`. */
  static readonly apiVersion = 'snapshot.storage.k8s.io/v1';
  /** `VolumeSnapshotClass`. */
  static readonly kind = 'VolumeSnapshotClass';
  /** Whether a value is an {@link IVolumeSnapshotClass} (by apiVersion and kind only). */
  static readonly is = createTypeMetaGuard<IVolumeSnapshotClass>(VolumeSnapshotClass);
  declare apiVersion: IVolumeSnapshotClass['apiVersion'];
  declare kind: IVolumeSnapshotClass['kind'];
  declare metadata: IClusterObjectMeta;
  declare driver: string;
  declare deletionPolicy: DeletionPolicy;
  declare parameters?: Record<string, string>;

  /** Builds a VolumeSnapshotClass; apiVersion and kind are filled in. */
  constructor(data: ModelData<IVolumeSnapshotClass>) {
    super(VolumeSnapshotClass, data);
  }

  /** Checks the object against {@link volumeSnapshotClassSchema}. */
  override validate(): void {
    this.assertSchema(volumeSnapshotClassSchema);
  }
}
