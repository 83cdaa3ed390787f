/**
 * Storage replicated to another region: the region-loss plan's target cluster reads the replica
 * (bucket, region, KMS key and credentials of the replica, same location name and prefix), the
 * runner's data carries the replication lag, and a replica declaration that cannot be used is STO008.
 */
import { describe, expect, it } from 'vitest';
import { azureStorage, gcsStorage, restorePlan, sealed } from '../../src/dsl/index.ts';
import type { S3ReplicaProps } from '../../src/dsl/index.ts';
import type { IBackupStorageLocation } from '../../src/k8s/velero/backup-storage-location.ts';
import { build, clusterWith, ofKind, policy, storage } from '../velero/support.ts';

const REPLICA: S3ReplicaProps = { bucket: 'acme-eu-replica', region: 'us-east-1', kmsKeyId: 'alias/velero-eu-replica', lag: '15m' };

/** prod (eu-west-1) writes to `eu`; dr (us-east-1) lists it and is the target of a plan of the given scenario. */
function org(scenario: 'region-loss' | 'cluster-loss', replication: S3ReplicaProps | undefined = REPLICA) {
  const eu = storage('eu', { prefix: 'velero', encryption: { kmsKeyId: 'alias/velero-eu' }, replication });
  const us = storage('us', { region: 'us-east-1' });
  const images = { kubectl: 'registry.example/kubectl:1.33' };
  const prod = clusterWith('prod', [eu], { region: 'eu-west-1', images });
  const dr = clusterWith('dr', [us, eu], { region: 'us-east-1', images });
  const ledger = policy('ledger', prod, { storage: eu, volumes: 'snapshot-data-mover' });
  const plan = restorePlan('ledger-dr', { from: ledger, to: dr, scenario, rto: '1h', secretsRecovery: 'secrets-from-backup' });
  return build([eu, us, prod, dr, ledger, plan]);
}

const location = (built: ReturnType<typeof org>, cluster: string, name: string) =>
  ofKind<IBackupStorageLocation>(built.objects, 'BackupStorageLocation', cluster).find((l) => l.metadata.name === name);

const codes = (built: { diagnostics: readonly { code: string; severity: string; declaration?: string; path?: string }[] }, prefix: string) =>
  built.diagnostics.filter((d) => d.code.startsWith(prefix)).map((d) => `${d.severity} ${d.code} ${d.declaration}.${d.path}`);

describe('a storage replicated to another region', () => {
  it("GIVEN a region-loss plan into dr WHEN lowered THEN dr's location of the storage reads the replica (bucket, region, KMS key; same name and prefix, ReadOnly) and prod's still the bucket", () => {
    const built = org('region-loss');
    expect(codes(built, 'STO')).toEqual([]);
    expect(codes(built, 'PLAN')).toEqual([]);
    expect(location(built, 'dr', 'eu')?.spec).toMatchObject({
      accessMode: 'ReadOnly',
      objectStorage: { bucket: 'acme-eu-replica', prefix: 'velero' },
      config: { region: 'us-east-1', serverSideEncryption: 'aws:kms', kmsKeyId: 'alias/velero-eu-replica' },
      credential: { name: 'eu-credentials', key: 'cloud' },
    });
    expect(location(built, 'prod', 'eu')?.spec).toMatchObject({ accessMode: 'ReadWrite', objectStorage: { bucket: 'bucket-eu' }, config: { region: 'eu-west-1', kmsKeyId: 'alias/velero-eu' } });
  });

  it("GIVEN a region-loss plan WHEN the plan's ConfigMap is lowered THEN the policy's line carries the lag, and the drill's freshness limit grows by it", () => {
    const configs = ofKind<{ metadata: { name: string }; data: Record<string, string> }>(org('region-loss').objects, 'ConfigMap', 'dr');
    expect(configs.find((c) => c.metadata.name === 'restore-ledger-dr')?.data.policies).toBe('ledger 8100 900\n');
  });

  it('GIVEN only a cluster-loss plan into dr WHEN lowered THEN dr reads the bucket itself, and its runner waits for no lag', () => {
    const built = org('cluster-loss');
    expect(location(built, 'dr', 'eu')?.spec).toMatchObject({ objectStorage: { bucket: 'bucket-eu' }, config: { region: 'eu-west-1', kmsKeyId: 'alias/velero-eu' } });
    const configs = ofKind<{ metadata: { name: string }; data: Record<string, string> }>(built.objects, 'ConfigMap', 'dr');
    expect(configs.find((c) => c.metadata.name === 'restore-ledger-dr')?.data.policies).toBe('ledger 7200\n');
  });

  it("GIVEN a replica with credentials of its own and an endpoint WHEN lowered THEN dr's location uses them, and dr needs them sealed (SEC001), not the bucket's", () => {
    const built = org('region-loss', { ...REPLICA, endpoint: 'https://s3.replica.example', credentials: sealed('eu-replica-credentials') });
    expect(location(built, 'dr', 'eu')?.spec).toMatchObject({ credential: { name: 'eu-replica-credentials', key: 'cloud' }, config: { s3Url: 'https://s3.replica.example' } });
    const sec = built.diagnostics.filter((d) => d.code === 'SEC001' && d.declaration === 'dr').map((d) => d.message);
    expect(sec.some((m) => m.includes('the credentials of the replica of storage "eu" "eu-replica-credentials"'))).toBe(true);
    expect(sec.some((m) => m.includes('"eu-credentials"'))).toBe(false);
  });

  it('GIVEN a replica that cannot be used WHEN resolved THEN STO008 names the field and how to fix it', () => {
    const cases: [S3ReplicaProps, string][] = [
      [{ ...REPLICA, kmsKeyId: undefined }, 'error STO008 eu.replication.kmsKeyId'],
      [{ ...REPLICA, lag: undefined as never }, 'error STO008 eu.replication.lag'],
      [{ ...REPLICA, bucket: '' }, 'error STO008 eu.replication.bucket'],
      [{ ...REPLICA, bucket: 'bucket-eu', region: 'eu-west-1' }, 'error STO008 eu.replication.bucket'],
    ];
    for (const [replication, expected] of cases) {
      const built = org('region-loss', replication);
      expect(codes(built, 'STO'), JSON.stringify(replication)).toEqual([expected]);
      for (const d of built.diagnostics.filter((x) => x.code === 'STO008')) expect(d.hint).not.toBe('');
      // Without a usable replica, dr reads the bucket, and the plan says the region loss takes it (PLAN018).
      expect(location(built, 'dr', 'eu')?.spec.objectStorage.bucket).toBe('bucket-eu');
      expect(codes(built, 'PLAN018')).toEqual(['error PLAN018 ledger-dr.from']);
    }
    expect(codes(org('region-loss', { ...REPLICA, lag: '15 minutes' as never }), 'DUR')).toEqual(['error DUR001 eu.replication.lag']);
  });

  it('GIVEN replication declared on GCS or Azure storage (plain JavaScript) WHEN resolved THEN STO008 says it is S3 only', () => {
    const gcs = gcsStorage('gcs', { bucket: 'b', credentials: sealed('gcs-credentials'), replication: REPLICA } as never);
    const azure = azureStorage('azure', { container: 'c', resourceGroup: 'rg', storageAccount: 'sa', credentials: sealed('azure-credentials'), replication: REPLICA } as never);
    const built = build([gcs, azure, clusterWith('a', [gcs, azure])]);
    expect(codes(built, 'STO')).toEqual(['error STO008 gcs.replication', 'error STO008 azure.replication']);
    expect(built.diagnostics.find((d) => d.code === 'STO008')?.message).toBe('replication is declared for S3 storage only, but "gcs" is gcp storage');
  });
});
