/** Resolves a storage's declared replica and versioning: STO008 and STO010 for what cannot be used. */
import type { Storage } from '../../dsl/storage.ts';
import type { Diagnostic } from '../diagnostic.ts';
import type { ReplicaModel } from '../types.ts';
import { at, duration, isRecord, sealedRef } from './fields.ts';

/**
 * The replica a storage declares, or undefined (with STO008) when it cannot be read: replication is
 * declared on S3 storage only (GCS dual-region buckets and Azure geo-redundant accounts replicate
 * inside one bucket or account: they declare `geoRedundancy`), needs a bucket, a region, a lag,
 * a KMS key of its own when the storage is encrypted (a KMS key lives in one region), and must be
 * another bucket or region than the storage's.
 */
export function resolveReplica(storage: Storage, diagnostics: Diagnostic[]): ReplicaModel | undefined {
  const p = storage.props as { provider: unknown; replication?: unknown; bucket?: unknown; region?: unknown; encryption?: unknown };
  const declared = p.replication;
  if (declared === undefined) return undefined;
  const sto008 = (path: string, message: string, hint: string) => diagnostics.push(at(storage, path, { code: 'STO008', message, hint }));
  if (p.provider !== 'aws') {
    sto008('replication', `replication is declared for S3 storage only, but "${storage.name}" is ${String(p.provider)} storage`, `remove replication and declare the ${p.provider === 'azure' ? "account's" : "bucket's"} own copy in another region, e.g. ${p.provider === 'azure' ? "geoRedundancy: { redundancy: 'RA-GZRS', lag: '1h' }" : "geoRedundancy: { location: 'EU', lag: '1h' }"}`);
    return undefined;
  }
  if (!isRecord(declared)) {
    sto008('replication', `expected { bucket, region, lag, kmsKeyId? }, got ${JSON.stringify(declared)}`, "e.g. replication: { bucket: 'acme-velero-eu-replica', region: 'us-east-1', kmsKeyId: 'alias/velero-replica', lag: '15m' }");
    return undefined;
  }
  let usable = true;
  for (const field of ['bucket', 'region'] as const) {
    if (typeof declared[field] !== 'string' || declared[field] === '') {
      sto008(`replication.${field}`, `expected the replica's ${field} as a non-empty string, got ${JSON.stringify(declared[field]) ?? 'nothing'}`, `name the ${field} the bucket's replication rule copies to`);
      usable = false;
    }
  }
  if (declared.lag === undefined) {
    sto008('replication.lag', 'declares no replication lag: restores from the replica could pick a backup whose objects are not all copied yet', "declare how long replication may take, e.g. lag: '15m' (S3 Replication Time Control)");
  }
  const lag = declared.lag === undefined ? undefined : duration(storage, 'replication.lag', declared.lag, diagnostics);
  if (!lag) usable = false;
  const kmsKeyId = declared.kmsKeyId;
  if (kmsKeyId !== undefined && (typeof kmsKeyId !== 'string' || kmsKeyId === '')) {
    sto008('replication.kmsKeyId', `expected a KMS key id, ARN or alias, got ${JSON.stringify(kmsKeyId)}`, 'name the key of the replica\'s region that replication encrypts with');
    usable = false;
  } else if (kmsKeyId === undefined && p.encryption !== undefined) {
    sto008('replication.kmsKeyId', `storage "${storage.name}" is encrypted with a KMS key, but its replica declares none: a KMS key lives in one region and is lost with it`, "declare the replica region's key that replication encrypts with, e.g. kmsKeyId: 'alias/velero-replica'");
    usable = false;
  }
  if (usable && declared.bucket === p.bucket && declared.region === p.region && declared.endpoint === undefined) {
    sto008('replication.bucket', `the replica is the storage's own bucket ${JSON.stringify(p.bucket)} in ${JSON.stringify(p.region)}`, 'name the bucket in another region that the replication rule copies to');
    usable = false;
  }
  const credentials = declared.credentials === undefined ? undefined : sealedRef(declared.credentials as never);
  if (declared.credentials !== undefined && (typeof credentials?.name !== 'string' || typeof credentials.key !== 'string')) {
    sto008('replication.credentials', 'expected sealed credentials', "seal the replica's credentials with `restorable seal --write` and reference them with sealed('<name>')");
    usable = false;
  }
  if (!usable || !lag) return undefined;
  const own = sealedRef(storage.props.credentials) ?? { name: '', key: '' };
  return {
    bucket: declared.bucket as string,
    region: declared.region as string,
    kmsKeyId: kmsKeyId as string | undefined,
    lag,
    endpoint: typeof declared.endpoint === 'string' ? declared.endpoint : undefined,
    credentials: credentials ?? own,
  };
}

/**
 * The declared noncurrent-version expiry; STO010 for a value that is not a whole number of days
 * above zero (a lifecycle rule's `NoncurrentDays`).
 */
export function resolveNoncurrentExpiry(storage: Storage, diagnostics: Diagnostic[]): number | undefined {
  const versioning: unknown = storage.props.versioning;
  if (versioning === undefined) return undefined;
  const days = isRecord(versioning) ? versioning.noncurrentExpiryDays : versioning;
  if (isRecord(versioning) && days === undefined) return undefined;
  if (typeof days === 'number' && Number.isInteger(days) && days > 0) return days;
  diagnostics.push(
    at(storage, 'versioning.noncurrentExpiryDays', {
      code: 'STO010',
      message: `expected a whole number of days above zero, got ${JSON.stringify(days)}`,
      hint: "write the NoncurrentDays of the bucket's lifecycle rule, e.g. versioning: { noncurrentExpiryDays: 7 }",
    }),
  );
  return undefined;
}
