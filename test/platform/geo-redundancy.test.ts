/**
 * GCS and Azure storage that keeps a copy in another region (a multi-region or dual-region bucket,
 * a geo-redundant account): a region-loss plan's target reads the same bucket or account, the
 * runner's data carries the declared lag, the runbook says what to do first, and a declaration that
 * does not survive a region loss is STO008.
 */
import { describe, expect, it } from 'vitest';
import { azureStorage, gcsStorage, restorePlan, sealed } from '../../src/dsl/index.ts';
import type { Storage } from '../../src/dsl/storage.ts';
import type { IBackupStorageLocation } from '../../src/k8s/velero/backup-storage-location.ts';
import { runbookFiles } from '../../src/lower/restore/runbook.ts';
import { build, clusterWith, ofKind, policy, storage } from '../velero/support.ts';

const gcs = (geoRedundancy?: unknown) => gcsStorage('gcs', { bucket: 'acme-velero', credentials: sealed('gcs-credentials'), geoRedundancy } as never);
const azure = (geoRedundancy?: unknown) =>
  azureStorage('azure', { container: 'velero', resourceGroup: 'backups', storageAccount: 'acmevelero', credentials: sealed('azure-credentials'), geoRedundancy } as never);

/** prod writes to `source`; dr writes to its own S3 storage, lists `source` and is the target of a plan of the given scenario. */
function org(source: Storage, scenario: 'region-loss' | 'cluster-loss' = 'region-loss') {
  const us = storage('us', { region: 'us-east-1' });
  const images = { kubectl: 'registry.example/kubectl:1.33' };
  const prod = clusterWith('prod', [source], { region: 'europe-west1', images });
  const dr = clusterWith('dr', [us, source], { region: 'us-east1', images });
  const ledger = policy('ledger', prod, { storage: source, volumes: 'snapshot-data-mover' });
  const plan = restorePlan('ledger-dr', { from: ledger, to: dr, scenario, rto: '1h', secretsRecovery: 'secrets-from-backup' });
  return build([source, us, prod, dr, ledger, plan]);
}

const codes = (built: { diagnostics: readonly { code: string; severity: string; declaration?: string; path?: string }[] }, prefix: string) =>
  built.diagnostics.filter((d) => d.code.startsWith(prefix)).map((d) => `${d.severity} ${d.code} ${d.declaration}.${d.path}`);

const policiesData = (built: ReturnType<typeof org>) =>
  ofKind<{ metadata: { name: string }; data: Record<string, string> }>(built.objects, 'ConfigMap', 'dr').find((c) => c.metadata.name === 'restore-ledger-dr')?.data.policies;

const runbook = (built: ReturnType<typeof org>) => runbookFiles(built.model).get('runbooks/dr/ledger-dr/README.md') ?? '';

describe('a GCS bucket in a multi-region or dual-region location', () => {
  it("GIVEN a region-loss plan WHEN lowered THEN dr's location reads the same bucket, the policy's line carries the lag, and the runbook says nothing needs failing over", () => {
    const built = org(gcs({ location: 'eur4', lag: '1h' }));
    expect(codes(built, 'STO')).toEqual([]);
    expect(codes(built, 'PLAN')).toEqual([]);
    expect(built.model.storages.find((s) => s.name === 'gcs')?.geoRedundancy).toMatchObject({ provider: 'gcp', location: 'EUR4', lag: { seconds: 3600 } });
    const location = ofKind<IBackupStorageLocation>(built.objects, 'BackupStorageLocation', 'dr').find((l) => l.metadata.name === 'gcs');
    expect(location?.spec).toMatchObject({ provider: 'gcp', accessMode: 'ReadOnly', objectStorage: { bucket: 'acme-velero' } });
    expect(policiesData(built)).toBe('ledger 10800 3600\n');
    expect(runbook(built)).toContain('Policy `ledger` is read from bucket `acme-velero` (location EUR4, copied to its other region up to 1h late): nothing to fail over');
    expect(runbook(built)).toContain('The runner restores the newest backup completed at least 1h ago');
  });

  it('GIVEN only a cluster-loss plan WHEN lowered THEN its runner waits for no lag (the bucket is whole)', () => {
    expect(policiesData(org(gcs({ location: 'EU', lag: '1h' }), 'cluster-loss'))).toBe('ledger 7200\n');
  });

  it('GIVEN a location in one region, an unknown one or no lag WHEN resolved THEN STO008 names the field, and PLAN018 still refuses the region-loss plan', () => {
    const cases: [unknown, string][] = [
      [{ location: 'europe-west1', lag: '1h' }, 'error STO008 gcs.geoRedundancy.location'],
      [{ location: 'MARS', lag: '1h' }, 'error STO008 gcs.geoRedundancy.location'],
      [{ location: 'EU' }, 'error STO008 gcs.geoRedundancy.lag'],
      [{ redundancy: 'GRS', lag: '1h' }, 'error STO008 gcs.geoRedundancy.location'],
      ['EU', 'error STO008 gcs.geoRedundancy'],
    ];
    for (const [declared, expected] of cases) {
      const built = org(gcs(declared));
      expect(codes(built, 'STO'), JSON.stringify(declared)).toEqual([expected]);
      for (const d of built.diagnostics.filter((x) => x.code === 'STO008')) expect(d.hint).not.toBe('');
      expect(codes(built, 'PLAN018')).toEqual(['error PLAN018 ledger-dr.from']);
    }
    expect(sto008Message(gcs({ location: 'europe-west1', lag: '1h' }))).toBe(
      'expected the bucket\'s multi-region or dual-region location (ASIA, EU, US, ASIA1, EUR4, EUR5, EUR7, EUR8, NAM4), got "europe-west1": a bucket in one region is lost with it',
    );
  });
});

describe('an Azure storage account replicated to its secondary region', () => {
  it('GIVEN a region-loss plan WHEN lowered THEN the policy\'s line carries the lag and the runbook says to fail the account over first', () => {
    const built = org(azure({ redundancy: 'RA-GZRS', lag: '30m' }));
    expect(codes(built, 'STO')).toEqual([]);
    expect(codes(built, 'PLAN')).toEqual([]);
    expect(policiesData(built)).toBe('ledger 9000 1800\n');
    expect(runbook(built)).toContain(
      'Policy `ledger` is read from storage account `acmevelero` (RA-GZRS, copied to its secondary region up to 30m late). If its primary region is lost, fail the account over to its secondary region first: `az storage account failover --name acmevelero --resource-group backups`',
    );
  });

  it('GIVEN a redundancy inside one region or no lag WHEN resolved THEN STO008 names the field', () => {
    expect(codes(org(azure({ redundancy: 'ZRS', lag: '1h' })), 'STO')).toEqual(['error STO008 azure.geoRedundancy.redundancy']);
    expect(codes(org(azure({ redundancy: 'GRS' })), 'STO')).toEqual(['error STO008 azure.geoRedundancy.lag']);
    expect(codes(org(azure({ redundancy: 'GRS', lag: '15 minutes' })), 'DUR')).toEqual(['error DUR001 azure.geoRedundancy.lag']);
  });
});

describe('geoRedundancy on S3 storage (plain JavaScript)', () => {
  it('GIVEN geoRedundancy on an S3 storage WHEN resolved THEN STO008 points at replication', () => {
    const s3 = storage('eu', { geoRedundancy: { location: 'EU', lag: '1h' } } as never);
    const result = build([s3, clusterWith('a', [s3])]);
    expect(codes(result, 'STO')).toEqual(['error STO008 eu.geoRedundancy']);
    expect(result.diagnostics.find((d) => d.code === 'STO008')?.hint).toContain('replication: {');
  });
});

/** The STO008 message of a GCS storage's geo-redundancy. */
function sto008Message(source: Storage): string | undefined {
  return org(source).diagnostics.find((d) => d.code === 'STO008')?.message;
}
