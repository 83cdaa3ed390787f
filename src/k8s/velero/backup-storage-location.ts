/** velero.io/v1 BackupStorageLocation: the object-store bucket Velero writes backups to. */
import { createTypeMetaGuard, type ModelData } from '@kubernetes-models/base';
import { type IObjectMeta, objectMetaSchema } from '../meta.ts';
import { KindModel } from '../model.ts';
import { bool, type JsonSchema, kindSchema, mapOf, obj, oneOf, str } from '../schema.ts';
import { goDuration, type ISecretKeySelector, secretKeySelectorSchema, VELERO_API_VERSION } from './common.ts';

/** Where in the object store backups go. */
export interface IObjectStorageLocation {
  /** Bucket name. */
  bucket: string;
  /** Path prefix inside the bucket. */
  prefix?: string;
  /** PEM bundle to trust for the store's TLS certificate, base64-encoded. */
  caCert?: string;
  /** The same bundle taken from a Secret key instead. */
  caCertRef?: ISecretKeySelector;
}

/** Whether Velero may write to a location. */
export type BackupStorageLocationAccessMode = 'ReadOnly' | 'ReadWrite';

/** velero.io/v1 BackupStorageLocationSpec. */
export interface IBackupStorageLocationSpec {
  /** Object-store plugin name, e.g. `aws`, `gcp`, `azure`. */
  provider: string;
  /** The bucket and prefix. */
  objectStorage: IObjectStorageLocation;
  /** Provider-specific settings (region, s3Url, s3ForcePathStyle, ...). */
  config?: Record<string, string>;
  /** Secret key holding the store credentials. */
  credential?: ISecretKeySelector;
  /** Whether this is the location used when a Backup names none. */
  default?: boolean;
  /** ReadOnly stops Velero from writing (useful during a restore drill). */
  accessMode?: BackupStorageLocationAccessMode;
  /** How often to sync the backup list from the store (Go duration). */
  backupSyncPeriod?: string;
  /** How often to check the location is reachable (Go duration). */
  validationFrequency?: string;
}

/** A velero.io/v1 BackupStorageLocation object. */
export interface IBackupStorageLocation {
  /** Always `velero.io/v1`. */
  apiVersion: 'velero.io/v1';
  /** Always `BackupStorageLocation`. */
  kind: 'BackupStorageLocation';
  /** Name, namespace (Velero's), labels, annotations. */
  metadata: IObjectMeta;
  /** The location. */
  spec: IBackupStorageLocationSpec;
}

/** Schema of {@link IBackupStorageLocationSpec}. */
export const backupStorageLocationSpecSchema: JsonSchema = obj(
  {
    provider: str({ minLength: 1 }),
    objectStorage: obj(
      {
        bucket: str({ minLength: 1 }),
        prefix: str(),
        caCert: str({ format: 'byte' }),
        caCertRef: secretKeySelectorSchema,
      },
      ['bucket'],
    ),
    config: mapOf(),
    credential: secretKeySelectorSchema,
    default: bool(),
    accessMode: oneOf(['ReadOnly', 'ReadWrite']),
    backupSyncPeriod: goDuration(),
    validationFrequency: goDuration(),
  },
  ['provider', 'objectStorage'],
);

/** Schema of a whole {@link IBackupStorageLocation}. */
export const backupStorageLocationSchema: JsonSchema = kindSchema(
  { apiVersion: VELERO_API_VERSION, kind: 'BackupStorageLocation' },
  { metadata: objectMetaSchema, spec: backupStorageLocationSpecSchema },
  ['metadata', 'spec'],
);

/** Model of a velero.io/v1 BackupStorageLocation; `validate()` throws a `K8sValidationError`. */
export class BackupStorageLocation extends KindModel<IBackupStorageLocation> implements IBackupStorageLocation {
  /** `velero.io/v1`. */
  static readonly apiVersion = 'velero.io/v1';
  /** `BackupStorageLocation`. */
  static readonly kind = 'BackupStorageLocation';
  /** Whether a value is an {@link IBackupStorageLocation} (by apiVersion and kind only). */
  static readonly is = createTypeMetaGuard<IBackupStorageLocation>(BackupStorageLocation);
  declare apiVersion: IBackupStorageLocation['apiVersion'];
  declare kind: IBackupStorageLocation['kind'];
  declare metadata: IObjectMeta;
  declare spec: IBackupStorageLocationSpec;

  /** Builds a BackupStorageLocation; apiVersion and kind are filled in. */
  constructor(data: ModelData<IBackupStorageLocation>) {
    super(BackupStorageLocation, data);
  }

  /** Checks the object against {@link backupStorageLocationSchema}. */
  override validate(): void {
    this.assertSchema(backupStorageLocationSchema);
  }
}
