/** Resolves a storage declaration: the bucket, the provider's configuration and its encryption. */
import type { Storage } from '../../dsl/storage.ts';
import type { Diagnostic } from '../diagnostic.ts';
import type { EncryptionModel, StorageModel } from '../types.ts';
import { at, sealedRef } from './fields.ts';
import { resolveGeoRedundancy } from './geo-redundancy.ts';
import { resolveNoncurrentExpiry, resolveReplica } from './replica.ts';
import { s3ConnectionConfig } from './s3-connection.ts';

/**
 * A storage declaration as the model holds it: the provider's bucket (an Azure container), the
 * BackupStorageLocation config keys Velero's object-store plugin reads, and the encryption key.
 * STO001 for an unknown provider, STO002 for credentials that are not a sealed reference; the replica
 * and versioning as resolve/replica.ts reads them.
 */
export function resolveStorage(storage: Storage, diagnostics: Diagnostic[]): StorageModel {
  const p = storage.props;
  const config: Record<string, string> = {};
  let bucket: string;
  let encryption: EncryptionModel | undefined;
  switch (p.provider) {
    case 'aws':
      bucket = p.bucket;
      config.region = p.region;
      if (p.endpoint) config.s3Url = p.endpoint;
      if (p.forcePathStyle) config.s3ForcePathStyle = 'true';
      if (p.encryption) encryption = { provider: 'aws', kmsKeyId: p.encryption.kmsKeyId };
      Object.assign(config, s3ConnectionConfig(p));
      break;
    case 'gcp':
      bucket = p.bucket;
      if (p.encryption) encryption = { provider: 'gcp', kmsKeyName: p.encryption.kmsKeyName };
      break;
    case 'azure':
      bucket = p.container;
      config.resourceGroup = p.resourceGroup;
      config.storageAccount = p.storageAccount;
      if (p.subscriptionId) config.subscriptionId = p.subscriptionId;
      if (p.encryption) encryption = { provider: 'azure', keyVaultKeyUri: p.encryption.keyVaultKeyUri };
      break;
    default:
      diagnostics.push(
        at(storage, 'provider', {
          code: 'STO001',
          message: `unknown storage provider ${JSON.stringify((p as { provider?: unknown }).provider)}`,
          hint: 'declare storage with s3Storage, gcsStorage or azureStorage',
        }),
      );
      bucket = '';
  }
  if (!p.credentials || typeof p.credentials.sealedSecret !== 'string' || typeof p.credentials.key !== 'string') {
    diagnostics.push(
      at(storage, 'credentials', {
        code: 'STO002',
        message: 'expected sealed credentials, got none',
        hint: "seal the provider credentials with `restorable seal --write` and reference them with sealed('<name>')",
      }),
    );
  }
  return {
    name: storage.name,
    provider: p.provider,
    bucket,
    prefix: p.prefix,
    config,
    credentials: sealedRef(p.credentials) ?? { name: '', key: '' },
    encryption,
    caCert: p.provider === 'aws' ? p.caCert : undefined,
    immutableDays: p.immutable?.days,
    // S3 object lock works only on a versioned bucket.
    versioned: p.versioning !== undefined || (p.provider === 'aws' && p.immutable !== undefined),
    noncurrentExpiryDays: resolveNoncurrentExpiry(storage, diagnostics),
    replica: resolveReplica(storage, diagnostics),
    geoRedundancy: resolveGeoRedundancy(storage, diagnostics),
    source: storage.source,
  };
}
