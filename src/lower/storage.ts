import type { IBackupStorageLocation } from '../k8s/velero/backup-storage-location.ts';
import { defaultLocation, writtenBy } from '../model/default-location.ts';
import { replicaReads, storageAsRead } from '../model/replica-location.ts';
import type { StorageModel } from '../model/types.ts';
import { emit, type LowerContext } from './context.ts';
import { MANAGED_BY } from './labels.ts';

/**
 * One BackupStorageLocation per storage the cluster lists. The cluster's own storage (see
 * model/default-location.ts) is the default location and ReadWrite, even on a DR cluster with no
 * policies yet: after a failover it backs up what it restored. Other storages its policies write
 * to are ReadWrite too; the rest are ReadOnly here (the DR side reads the production bucket, never
 * writes or deletes in it). At most one location is the default. A storage the cluster reads for a
 * region-loss plan, and that declares a replica, is read from the replica (model/replica-location.ts):
 * its bucket, region and KMS key, under the same name and prefix.
 */
export function lowerStorage(ctx: LowerContext): void {
  const storages = new Map(ctx.model.storages.map((s) => [s.name, s]));
  const defaultStorage = defaultLocation(ctx.model, ctx.cluster);
  const written = writtenBy(ctx.model, ctx.cluster.name);
  if (defaultStorage) written.add(defaultStorage);
  const replicas = replicaReads(ctx.model, ctx.cluster);
  for (const name of ctx.cluster.storage) {
    const declared = storages.get(name);
    if (!declared) continue;
    const storage = storageAsRead(declared, replicas.has(name));
    const location: IBackupStorageLocation = {
      apiVersion: 'velero.io/v1',
      kind: 'BackupStorageLocation',
      metadata: { name, namespace: ctx.cluster.veleroNamespace, labels: { ...MANAGED_BY } },
      spec: {
        provider: storage.provider,
        objectStorage: { bucket: storage.bucket, prefix: storage.prefix, caCert: caCertField(storage) },
        config: providerConfig(storage),
        credential: { name: storage.credentials.name, key: storage.credentials.key },
        default: name === defaultStorage ? true : undefined,
        accessMode: written.has(name) ? 'ReadWrite' : 'ReadOnly',
      },
    };
    emit(ctx, location);
  }
}

/** Velero plugin config, with the provider's encryption keys where the storage declares them. */
export function providerConfig(storage: StorageModel): Record<string, string> {
  const config: Record<string, string> = { ...storage.config };
  const encryption = storage.encryption;
  if (encryption?.provider === 'aws') {
    config.serverSideEncryption = 'aws:kms';
    config.kmsKeyId = encryption.kmsKeyId;
  } else if (encryption?.provider === 'gcp') {
    config.kmsKeyName = encryption.kmsKeyName;
  }
  return config;
}

/**
 * `objectStorage.caCert`: the PEM, base64 (the CRD's `[]byte`). Velero v1.18 prefers `caCertRef`, a
 * Secret; a CA certificate is public, and restorable emits no plain Secret, so it stays inline.
 */
function caCertField(storage: StorageModel): string | undefined {
  return storage.caCert === undefined ? undefined : Buffer.from(storage.caCert, 'utf8').toString('base64');
}
