import { Declaration } from './declaration.ts';
import type { DurationString } from './duration.ts';
import type { SealedRef } from './sealed.ts';

/** Object-lock (WORM) retention declared for a bucket. restorable checks the declaration, not the bucket. */
export interface ImmutabilityProps {
  /** Days every object stays locked after it is written. */
  readonly days: number;
}

/**
 * Object versioning declared for a bucket. A versioned bucket keeps what Velero deletes as noncurrent
 * versions (an S3 delete without a version id only adds a delete marker), so without a lifecycle
 * rule expiring them every expired backup stays in the bucket for ever (STO010).
 */
export interface VersioningProps {
  /** Days a noncurrent version lives before the bucket's lifecycle rule deletes it. @default none: kept for ever */
  readonly noncurrentExpiryDays?: number;
}

/**
 * A copy of an S3 bucket that the provider keeps in another region (S3 Replication), read instead
 * of the bucket by a region-loss plan's target cluster: when the bucket's region is gone, so are
 * the bucket and its KMS key. restorable declares and reads the replica; the replication rule itself
 * is configured on the bucket.
 */
export interface S3ReplicaProps {
  /** The replica bucket. */
  readonly bucket: string;
  /** The replica's region: outside the source cluster's and the bucket's (PLAN018). */
  readonly region: string;
  /**
   * KMS key of the replica's region that replication encrypts the copies with; required when the
   * storage declares `encryption` (a KMS key lives in one region). @default none: the replica's default encryption
   */
  readonly kmsKeyId?: string;
  /**
   * How long replication may take to copy an object (S3 Replication Time Control promises 15
   * minutes). Restores from the replica choose only backups completed at least this long ago, whose
   * objects have all been copied.
   */
  readonly lag: DurationString;
  /** Endpoint of an S3-compatible replica. @default the storage's `endpoint` */
  readonly endpoint?: string;
  /** Credentials for the replica, sealed for each cluster that reads it (a replica in another account). @default the storage's */
  readonly credentials?: SealedRef;
}

/**
 * GCS locations that keep a bucket's objects in two or more regions (Google's documentation of
 * bucket locations): the multi-regions, in which configurable dual-regions are created too, and the
 * predefined dual-regions.
 */
export const GCS_GEO_LOCATIONS = ['ASIA', 'EU', 'US', 'ASIA1', 'EUR4', 'EUR5', 'EUR7', 'EUR8', 'NAM4'] as const;

/** A GCS location in two or more regions: a multi-region or a dual-region. */
export type GcsGeoLocation = (typeof GCS_GEO_LOCATIONS)[number];

/**
 * A GCS bucket whose location spans regions, so it survives the loss of one: a region-loss plan
 * reads the same bucket, which serves from the surviving region. restorable checks the declaration,
 * not the bucket (PLAN018 needs one for a region-loss plan; STO008 refuses a location in one region).
 */
export interface GcsGeoRedundancyProps {
  /** The bucket's multi-region (`ASIA`, `EU`, `US`, also the location of a configurable dual-region) or predefined dual-region (`ASIA1`, `EUR4`, `EUR5`, `EUR7`, `EUR8`, `NAM4`). */
  readonly location: GcsGeoLocation;
  /**
   * How long the copy to the other region may take: default replication copies 99.9% of new
   * objects within an hour, turbo replication within 15 minutes. Restores of a region-loss plan
   * choose only backups completed at least this long ago.
   */
  readonly lag: DurationString;
}

/** Azure storage account redundancies that copy to a secondary region (asynchronously). */
export const AZURE_GEO_REDUNDANCIES = ['GRS', 'RA-GRS', 'GZRS', 'RA-GZRS'] as const;

/** An Azure storage account redundancy with a secondary region. */
export type AzureGeoRedundancy = (typeof AZURE_GEO_REDUNDANCIES)[number];

/**
 * An Azure storage account replicated to its secondary region. After a region loss the account is
 * failed over (customer-managed account failover) and its endpoints then point at the secondary,
 * so a region-loss plan reads the same account and container. restorable checks the declaration,
 * not the account (PLAN018 needs one for a region-loss plan; the runbook says to fail over first).
 */
export interface AzureGeoRedundancyProps {
  /** The account's replication: `GRS`, `RA-GRS`, `GZRS` or `RA-GZRS` (LRS and ZRS stay in one region). */
  readonly redundancy: AzureGeoRedundancy;
  /**
   * How long the asynchronous copy to the secondary region may take (the account's last sync time
   * lags behind by this much at most). Restores of a region-loss plan choose only backups completed
   * at least this long ago.
   */
  readonly lag: DurationString;
}

/** Props shared by every object storage. */
export interface StorageCommonProps {
  /** Sealed provider credentials Velero uses for this storage, sealed once per cluster that reads it. */
  readonly credentials: SealedRef;
  /** Folder inside the bucket. @default none: the bucket root */
  readonly prefix?: string;
  /**
   * Object lock declared on the bucket. It should last as long as the longest TTL of the backups
   * written there (STO009): Velero still expires backups on time (on a locked, versioned bucket its
   * deletes add delete markers), and the locked versions go when their lock ends. @default none
   */
  readonly immutable?: ImmutabilityProps;
  /** Object versioning of the bucket (S3 object lock implies it). @default none: not versioned, unless `immutable` on S3 */
  readonly versioning?: VersioningProps;
}

/** S3 (or S3-compatible) bucket props. */
export interface S3StorageProps extends StorageCommonProps {
  readonly bucket: string;
  readonly region: string;
  /** Endpoint of an S3-compatible service (MinIO, Ceph...). @default AWS S3 */
  readonly endpoint?: string;
  /** Path-style addressing, needed by most S3-compatible services. @default false */
  readonly forcePathStyle?: boolean;
  /**
   * Server-side encryption with a KMS key (`serverSideEncryption: aws:kms`). It covers the objects
   * Velero's plugin writes (backup metadata, object tarballs, logs); the data mover's and file-system
   * backups' repository (kopia) writes through its own S3 client without it, encrypted by the
   * repository password and the bucket's default encryption (README: encryption at rest).
   * @default none: bucket default
   */
  readonly encryption?: { readonly kmsKeyId: string };
  /**
   * The bucket's replica in another region, which region-loss plans read (S3 only: STO008 refuses it
   * on GCS and Azure storage, which declare `geoRedundancy`). @default none
   */
  readonly replication?: S3ReplicaProps;
  /**
   * PEM of the CA that signs the endpoint's certificate (a private CA in front of MinIO or Ceph), as
   * text: Velero's `objectStorage.caCert`, which the plugin and the repository both trust.
   * @default none: the system's CAs
   */
  readonly caCert?: string;
  /**
   * Skip verifying the endpoint's certificate (plugin config `insecureSkipTLSVerify`). Anyone on the
   * path can then read the credentials and the backups: refused in production (STO004); declare
   * `caCert` instead. @default false
   */
  readonly insecureSkipTLSVerify?: boolean;
  /**
   * Checksum the plugin sends with every upload (plugin config `checksumAlgorithm`); `''` sends
   * none, for S3-compatible stores that reject the AWS SDK's default checksums.
   * @default the plugin's default, CRC32
   */
  readonly checksumAlgorithm?: S3ChecksumAlgorithm;
  /**
   * URL clients outside the cluster use for `velero backup download` and `logs` (plugin config
   * `publicUrl`), when `endpoint` is an in-cluster address. @default `endpoint`
   */
  readonly publicUrl?: string;
}

/**
 * Upload checksums velero-plugin-for-aws v1.14.3 accepts: `''` for none, or a `ChecksumAlgorithm`
 * of the AWS SDK it is built with (service/s3 v1.101.0).
 */
export type S3ChecksumAlgorithm = (typeof S3_CHECKSUM_ALGORITHMS)[number];

/** Every value of {@link S3ChecksumAlgorithm}. */
export const S3_CHECKSUM_ALGORITHMS = ['', 'CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME', 'SHA512', 'MD5', 'XXHASH64', 'XXHASH3', 'XXHASH128'] as const;

/** Google Cloud Storage bucket props. */
export interface GcsStorageProps extends StorageCommonProps {
  readonly bucket: string;
  /** Customer-managed encryption key. @default none: Google-managed keys */
  readonly encryption?: { readonly kmsKeyName: string };
  /** The bucket's multi-region or dual-region location, which region-loss plans need (PLAN018). @default none: one region */
  readonly geoRedundancy?: GcsGeoRedundancyProps;
}

/** Azure Blob Storage container props. */
export interface AzureStorageProps extends StorageCommonProps {
  readonly container: string;
  readonly resourceGroup: string;
  readonly storageAccount: string;
  readonly subscriptionId?: string;
  /**
   * The customer-managed key the storage account encrypts with. Azure sets this on the account, not
   * per request, so it is a declaration that guardrails check; Velero's config does not carry it.
   * @default none: Microsoft-managed keys
   */
  readonly encryption?: { readonly keyVaultKeyUri: string };
  /** The account's geo-redundant replication, which region-loss plans need (PLAN018). @default none: one region */
  readonly geoRedundancy?: AzureGeoRedundancyProps;
}

/** Which object-storage provider a storage uses; Velero's provider plugin names. */
export type StorageProvider = 'aws' | 'gcp' | 'azure';

/** Props of any storage, tagged by provider. */
export type StorageProps =
  | ({ readonly provider: 'aws' } & S3StorageProps)
  | ({ readonly provider: 'gcp' } & GcsStorageProps)
  | ({ readonly provider: 'azure' } & AzureStorageProps);

/** An object storage location that clusters write backups to or restore from. */
export class Storage extends Declaration<'storage', StorageProps> {
  /** @internal use s3Storage, gcsStorage or azureStorage */
  constructor(name: string, props: StorageProps) {
    super('storage', name, props);
  }
}

/**
 * An S3 or S3-compatible bucket. Becomes a BackupStorageLocation on every cluster that lists it.
 *
 * @example
 * export const euBackups = s3Storage('eu-backups', {
 *   bucket: 'acme-velero-eu', region: 'eu-west-1', prefix: 'prod-eu',
 *   credentials: sealed('velero-eu-backups-credentials'),
 *   encryption: { kmsKeyId: 'alias/velero' }, immutable: { days: 366 },
 *   versioning: { noncurrentExpiryDays: 1 },
 *   replication: { bucket: 'acme-velero-eu-replica', region: 'us-east-1', kmsKeyId: 'alias/velero-eu-replica', lag: '15m' },
 * });
 */
export function s3Storage(name: string, props: S3StorageProps): Storage {
  return new Storage(name, { provider: 'aws', ...props });
}

/**
 * A Google Cloud Storage bucket.
 *
 * @example
 * gcsStorage('gcs-backups', { bucket: 'acme-velero', credentials: sealed('velero-gcs-credentials') })
 */
export function gcsStorage(name: string, props: GcsStorageProps): Storage {
  return new Storage(name, { provider: 'gcp', ...props });
}

/**
 * An Azure Blob Storage container.
 *
 * @example
 * azureStorage('azure-backups', {
 *   container: 'velero', resourceGroup: 'backups', storageAccount: 'acmevelero',
 *   credentials: sealed('velero-azure-credentials'),
 * })
 */
export function azureStorage(name: string, props: AzureStorageProps): Storage {
  return new Storage(name, { provider: 'azure', ...props });
}
