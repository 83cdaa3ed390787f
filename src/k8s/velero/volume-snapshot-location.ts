/** velero.io/v1 VolumeSnapshotLocation: where Velero's volume snapshotter plugins take snapshots. */
import { createTypeMetaGuard, type ModelData } from '@kubernetes-models/base';
import { type IObjectMeta, objectMetaSchema } from '../meta.ts';
import { KindModel } from '../model.ts';
import { type JsonSchema, kindSchema, mapOf, obj, str } from '../schema.ts';
import { type ISecretKeySelector, secretKeySelectorSchema, VELERO_API_VERSION } from './common.ts';

/** velero.io/v1 VolumeSnapshotLocationSpec. */
export interface IVolumeSnapshotLocationSpec {
  /** Volume snapshotter plugin name, e.g. `aws`, `velero.io/csi`. */
  provider: string;
  /** Provider-specific settings (region, ...). */
  config?: Record<string, string>;
  /** Secret key holding the provider credentials. */
  credential?: ISecretKeySelector;
}

/** A velero.io/v1 VolumeSnapshotLocation object. */
export interface IVolumeSnapshotLocation {
  /** Always `velero.io/v1`. */
  apiVersion: 'velero.io/v1';
  /** Always `VolumeSnapshotLocation`. */
  kind: 'VolumeSnapshotLocation';
  /** Name, namespace (Velero's), labels, annotations. */
  metadata: IObjectMeta;
  /** The location. */
  spec: IVolumeSnapshotLocationSpec;
}

/** Schema of {@link IVolumeSnapshotLocationSpec}. */
export const volumeSnapshotLocationSpecSchema: JsonSchema = obj(
  { provider: str({ minLength: 1 }), config: mapOf(), credential: secretKeySelectorSchema },
  ['provider'],
);

/** Schema of a whole {@link IVolumeSnapshotLocation}. */
export const volumeSnapshotLocationSchema: JsonSchema = kindSchema(
  { apiVersion: VELERO_API_VERSION, kind: 'VolumeSnapshotLocation' },
  { metadata: objectMetaSchema, spec: volumeSnapshotLocationSpecSchema },
  ['metadata', 'spec'],
);

/** Model of a velero.io/v1 VolumeSnapshotLocation; `validate()` throws a `K8sValidationError`. */
export class VolumeSnapshotLocation extends KindModel<IVolumeSnapshotLocation> implements IVolumeSnapshotLocation {
  /** `velero.io/v1`. */
  static readonly apiVersion = 'velero.io/v1';
  /** `VolumeSnapshotLocation`. */
  static readonly kind = 'VolumeSnapshotLocation';
  /** Whether a value is an {@link IVolumeSnapshotLocation} (by apiVersion and kind only). */
  static readonly is = createTypeMetaGuard<IVolumeSnapshotLocation>(VolumeSnapshotLocation);
  declare apiVersion: IVolumeSnapshotLocation['apiVersion'];
  declare kind: IVolumeSnapshotLocation['kind'];
  declare metadata: IObjectMeta;
  declare spec: IVolumeSnapshotLocationSpec;

  /** Builds a VolumeSnapshotLocation; apiVersion and kind are filled in. */
  constructor(data: ModelData<IVolumeSnapshotLocation>) {
    super(VolumeSnapshotLocation, data);
  }

  /** Checks the object against {@link volumeSnapshotLocationSchema}. */
  override validate(): void {
    this.assertSchema(volumeSnapshotLocationSchema);
  }
}
