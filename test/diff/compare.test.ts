import { describe, expect, it } from 'vitest';
import { restorePointsOf } from '../../src/diff/compare-policies.ts';
import { diffModels, restorePointChanges } from '../../src/diff/compare.ts';
import { reportOf } from '../../src/diff/index.ts';
import { renderMarkdown } from '../../src/diff/markdown.ts';
import type { Side } from '../../src/diff/side.ts';
import type { Change } from '../../src/diff/types.ts';
import {
  type AzureGeoRedundancyProps,
  azureStorage,
  type BackupPolicyProps,
  backupPolicy,
  type ClusterProps,
  cluster,
  csi,
  type Declaration,
  exempt,
  type GcsGeoRedundancyProps,
  gcsStorage,
  type GuardrailsProps,
  guardrails,
  postgres,
  type RestorePlanProps,
  restorePlan,
  type S3StorageProps,
  s3Storage,
  sealed,
} from '../../src/index.ts';
import { resolve } from '../../src/model/resolve.ts';

interface Changes {
  readonly storage?: Partial<S3StorageProps>;
  readonly cluster?: Partial<ClusterProps>;
  readonly rails?: Partial<GuardrailsProps> | null;
  readonly policy?: Partial<BackupPolicyProps> | null;
  readonly second?: Partial<BackupPolicyProps>;
  readonly plan?: Partial<RestorePlanProps> | null;
  readonly extra?: (parts: { policy: ReturnType<typeof backupPolicy> | undefined }) => Declaration[];
}

/** A small organisation as a diff side, with some props replaced. */
function side(changes: Changes = {}): Side {
  const storage = s3Storage('backups', { bucket: 'acme', region: 'eu-west-1', credentials: sealed('creds'), encryption: { kmsKeyId: 'alias/a' }, immutable: { days: 7 }, ...changes.storage });
  const prod = cluster('prod', { environment: 'production', storage: [storage], snapshotClasses: [csi({ driver: 'ebs.csi.aws.com' })], monitoring: 'prometheus-operator', ...changes.cluster });
  const declarations: Declaration[] = [storage, prod];
  if (changes.rails !== null) declarations.push(guardrails('production', { maxRpo: '4h', minRetention: '7d', requireEncryption: true, drillEvery: 'week', ...changes.rails }));
  const policy =
    changes.policy === null
      ? undefined
      : backupPolicy('orders', { cluster: prod, namespaces: ['orders'], rpo: '1h', retention: { hourly: 24, daily: 7 }, volumes: 'snapshot-data-mover', ...changes.policy });
  if (policy) declarations.push(policy);
  if (changes.second) declarations.push(backupPolicy('orders-v2', { cluster: prod, rpo: '1h', retention: { daily: 7 }, volumes: 'snapshot-data-mover', ...changes.second }));
  if (policy && changes.plan !== null) declarations.push(restorePlan('orders-loss', { from: policy, to: prod, scenario: 'namespace-loss', rto: '1h', drill: { every: 'week' }, ...changes.plan }));
  declarations.push(...(changes.extra?.({ policy }) ?? []));
  return { model: resolve(declarations).model, locate: (source) => ({ file: source ? 'policies/x.ts' : null, line: source?.line ?? null }) };
}

const summary = (changes: readonly Change[]) => changes.map((c) => `${c.class} ${c.kind}${c.field ? ` ${c.field}` : ''}`);

describe('restorePointsOf: what Velero holds, from the simulation of the Schedules', () => {
  it('GIVEN 30 daily and 4 weekly WHEN the restore points are listed THEN each tier holds its count at every moment (the weekly run standing in for Sunday lives as long as a daily one)', () => {
    const policy = side({ plan: null, policy: { rpo: '1d', retention: { daily: 30, weekly: 4 } } }).model.policies[0];
    if (!policy) throw new Error('no policy');
    expect(restorePointsOf(policy).tiers.map((t) => [t.tier, t.keep, t.restorePoints])).toEqual([
      ['daily', 30, 30],
      ['weekly', 4, 4],
    ]);
  });

  it('GIVEN an hourly base running every 15 minutes WHEN the restore points are listed THEN its count is a length of time and no run count is given for it', () => {
    const policy = side({ plan: null, policy: { rpo: '15m', retention: { hourly: 24, daily: 7 } } }).model.policies[0];
    if (!policy) throw new Error('no policy');
    expect(restorePointsOf(policy).tiers.map((t) => [t.tier, t.restorePoints])).toEqual([
      ['hourly', undefined],
      ['daily', 7],
    ]);
  });
});

describe('diffModels: classification', () => {
  it('GIVEN identical sides WHEN compared THEN no change', () => {
    expect(diffModels(side(), side())).toEqual([]);
  });

  it.each([
    ['volumes to none', { volumes: 'none' as const }, ['risk policy.volumes volumes']],
    ['volumes to in-cluster snapshots', { volumes: 'csi-snapshot' as const }, ['risk policy.volumes volumes']],
    ['volumes between portable modes', { volumes: 'filesystem' as const }, ['review policy.volumes volumes']],
    ['RPO worse', { rpo: '4h' as const }, ['risk policy.rpo rpo']],
    ['a tier added', { retention: { hourly: 24, daily: 7, monthly: 12 } }, ['safe policy.oldest-restore-point oldestRestorePoint', 'safe policy.retention retention.monthly']],
    ['a tier dropped', { retention: { daily: 7 } }, ['risk policy.retention retention.hourly']],
    ['a selector added', { selector: { matchLabels: { app: 'db' } } }, ['risk policy.selector selector']],
    ['resources excluded', { excludedResources: ['secrets'] }, ['risk policy.resources resources']],
    ['a time zone', { timeZone: 'Europe/Berlin' }, ['review policy.schedule schedule']],
    ['another namespace, not covered before', { namespaces: ['orders', 'invoices'] }, ['safe namespace.coverage-gained']],
  ])('GIVEN %s WHEN compared THEN %j', (_, policy, expected) => {
    expect(summary(diffModels(side({ plan: null }), side({ policy, plan: null })))).toEqual(expected);
  });

  it('GIVEN a database profile removed WHEN compared THEN a risk on apps.<name>', () => {
    const db = postgres({ name: 'orders-db', selector: { app: 'orders-db' }, container: 'postgres', database: 'orders', dumpDir: '/data/dump' });

    expect(summary(diffModels(side({ policy: { apps: [db] }, plan: null }), side({ plan: null })))).toEqual(['risk policy.apps apps.orders-db']);
    expect(summary(diffModels(side({ plan: null }), side({ policy: { apps: [db] }, plan: null })))).toEqual(['safe policy.apps apps.orders-db']);
  });

  it('GIVEN a policy replaced by another covering the same namespace with a shorter history WHEN compared THEN the removal is review and the namespace protection a risk', () => {
    const changes = diffModels(side({ plan: null }), side({ policy: null, plan: null, second: { namespaces: ['orders'], retention: { daily: 3 }, rpo: '4h' } }));

    expect(summary(changes)).toEqual([
      'risk namespace.protection oldestRestorePoint',
      'risk namespace.protection rpo',
      'review policy.removed',
      'safe policy.added',
    ]);
    expect(changes.find((c) => c.field === 'rpo')?.message).toBe('now backed up by orders-v2 instead of orders: RPO 1h -> 4h');
  });

  it('GIVEN a namespace moved to another policy WHEN compared THEN review on the policy that let go', () => {
    const before = side({ plan: null, second: { namespaces: ['orders'] } });
    const after = side({ plan: null, policy: { namespaces: ['invoices'] }, second: { namespaces: ['orders'] } });

    expect(summary(diffModels(before, after))).toEqual(['review policy.namespaces namespaces', 'safe namespace.coverage-gained']);
  });

  it.each([
    ['bucket moved', { bucket: 'acme-2' }, ['risk storage.location location']],
    ['object lock removed', { immutable: undefined }, ['risk storage.immutability immutableDays']],
    ['object lock longer', { immutable: { days: 30 } }, ['safe storage.immutability immutableDays']],
    ['encryption key changed', { encryption: { kmsKeyId: 'alias/b' } }, ['review storage.encryption encryption']],
    ['credentials changed', { credentials: sealed('creds-2') }, ['review storage.credentials credentials']],
  ])('GIVEN storage %s WHEN compared THEN %j', (_, storage, expected) => {
    expect(summary(diffModels(side(), side({ storage })))).toEqual(expected);
  });

  const replica = { bucket: 'acme-replica', region: 'us-east-1', kmsKeyId: 'alias/r', lag: '15m' } as const;
  it.each([
    ['replica removed', { replication: replica }, {}, ['risk storage.replication replication']],
    ['replica added', {}, { replication: replica }, ['safe storage.replication replication']],
    ['replication lag longer', { replication: replica }, { replication: { ...replica, lag: '1h' as const } }, ['risk storage.replication replication.lag']],
    ['replication lag shorter', { replication: replica }, { replication: { ...replica, lag: '5m' as const } }, ['safe storage.replication replication.lag']],
    ['replica moved to another region', { replication: replica }, { replication: { ...replica, region: 'us-west-2' } }, ['review storage.replication replication']],
  ])('GIVEN storage %s WHEN compared THEN %j', (_, before, after, expected) => {
    expect(summary(diffModels(side({ storage: before }), side({ storage: after })))).toEqual(expected);
  });

  /** A GCS storage (and an Azure one) with the given geo-redundancy, written to by one cluster. */
  const geoSide = (gcs?: GcsGeoRedundancyProps, azure?: AzureGeoRedundancyProps): Side => {
    const declarations = [
      gcsStorage('gcs', { bucket: 'acme', credentials: sealed('gcs-creds'), geoRedundancy: gcs }),
      azureStorage('azure', { container: 'velero', resourceGroup: 'rg', storageAccount: 'acme', credentials: sealed('azure-creds'), geoRedundancy: azure }),
    ];
    return { model: resolve([...declarations, cluster('prod', { environment: 'staging', storage: declarations })]).model, locate: () => ({ file: null, line: null }) };
  };
  const eu = { location: 'EU', lag: '1h' } as const;
  const gzrs = { redundancy: 'RA-GZRS', lag: '15m' } as const;
  it.each([
    ['geo-redundancy removed', ['risk storage.geoRedundancy geoRedundancy'], geoSide(eu, gzrs), geoSide(undefined, gzrs)],
    ['geo-redundancy added', ['safe storage.geoRedundancy geoRedundancy'], geoSide(eu, undefined), geoSide(eu, gzrs)],
    ['geo-redundancy lag longer', ['risk storage.geoRedundancy geoRedundancy.lag'], geoSide(eu, gzrs), geoSide(eu, { ...gzrs, lag: '1h' })],
    ['geo-redundancy lag shorter', ['safe storage.geoRedundancy geoRedundancy.lag'], geoSide(eu, gzrs), geoSide({ ...eu, lag: '15m' }, gzrs)],
    ['geo-redundancy in another location', ['review storage.geoRedundancy geoRedundancy'], geoSide(eu, gzrs), geoSide({ ...eu, location: 'EUR4' }, gzrs)],
  ])('GIVEN GCS or Azure storage with %s WHEN compared THEN %j', (_, expected, before, after) => {
    expect(summary(diffModels(before, after))).toEqual(expected);
  });

  it.each([
    ['snapshot deletion policy to Delete', { snapshotClasses: [csi({ driver: 'ebs.csi.aws.com', deletionPolicy: 'Delete' })] }, ['risk cluster.snapshot-class snapshotClasses.ebs.csi.aws.com.deletionPolicy']],
    ['monitoring off', { monitoring: 'none' as const }, ['risk cluster.monitoring monitoring']],
    ['a repository password where there was none', { repositoryPassword: sealed('repo', 'password') }, ['risk cluster.repository-password repositoryPassword']],
    ['environment', { environment: 'staging' }, ['review cluster.environment environment']],
  ])('GIVEN cluster %s WHEN compared THEN %j', (_, clusterProps, expected) => {
    expect(summary(diffModels(side(), side({ cluster: clusterProps })))).toEqual(expected);
  });

  describe('the repository password resealed under the same name', () => {
    const withPassword = (valueFingerprints: Record<string, string>, ciphertext = 'AgB1') => {
      const base = side({ cluster: { repositoryPassword: sealed('velero-repo-credentials', 'repository-password') } });
      const sealedSecret = {
        cluster: 'prod',
        file: 'policies/sealed/prod/velero-repo-credentials.yaml',
        name: 'velero-repo-credentials',
        namespace: 'velero',
        scope: 'strict',
        keys: ['repository-password'],
        valueFingerprints,
        object: { spec: { encryptedData: { 'repository-password': ciphertext } } },
      };
      return { ...base, model: { ...base.model, sealedSecrets: [sealedSecret] } };
    };

    it('GIVEN the same recorded fingerprint WHEN compared THEN nothing changes, even with new ciphertext', () => {
      expect(summary(diffModels(withPassword({ 'repository-password': 'aa'.repeat(32) }, 'AgB1'), withPassword({ 'repository-password': 'aa'.repeat(32) }, 'AgB2')))).toEqual([]);
    });

    it('GIVEN another recorded fingerprint WHEN compared THEN it is a risk on the cluster whose file changed', () => {
      const changes = diffModels(withPassword({ 'repository-password': 'aa'.repeat(32) }), withPassword({ 'repository-password': 'bb'.repeat(32) }));
      expect(summary(changes)).toEqual(['risk cluster.repository-password repositoryPassword.value']);
      expect(changes[0]!.cluster).toBe('prod');
      expect(changes[0]!.message).toMatch(/^velero-repo-credentials\/repository-password was resealed with a different value: the backup repository password changes/);
    });

    it('GIVEN no recorded fingerprint and new ciphertext WHEN compared THEN it is a risk that says the value cannot be compared', () => {
      const changes = diffModels(withPassword({}, 'AgB1'), withPassword({}, 'AgB2'));
      expect(summary(changes)).toEqual(['risk cluster.repository-password repositoryPassword.value']);
      expect(changes[0]!.message).toContain('cannot be compared');
    });
  });

  it.each([
    ['maxRpo looser', { maxRpo: '24h' as const }, ['risk guardrails.changed maxRpo']],
    ['maxRpo removed', { maxRpo: undefined }, ['risk guardrails.changed maxRpo']],
    ['minRetention longer', { minRetention: '30d' as const }, ['safe guardrails.changed minRetention']],
    ['encryption no longer required', { requireEncryption: false }, ['risk guardrails.changed requireEncryption']],
    ['drills less often', { drillEvery: 'month' as const }, ['risk guardrails.changed drillEvery']],
    ['a least object lock required', { minImmutableDays: 30 }, ['safe guardrails.changed minImmutableDays', 'safe guardrails.changed requireImmutableStorage']],
    ['drills more often', { drillEvery: 'day' as const }, ['safe guardrails.changed drillEvery']],
  ])('GIVEN guardrails %s WHEN compared THEN %j', (_, rails, expected) => {
    const changes = diffModels(side(), side({ rails }));

    expect(summary(changes)).toEqual(expected);
    expect(changes[0]?.cluster).toBeNull();
  });

  it('GIVEN the least object lock required shortened WHEN compared THEN risk', () => {
    expect(summary(diffModels(side({ rails: { minImmutableDays: 30 } }), side({ rails: { minImmutableDays: 7 } })))).toEqual(['risk guardrails.changed minImmutableDays']);
  });

  it('GIVEN guardrails removed WHEN compared THEN risk', () => {
    expect(summary(diffModels(side(), side({ rails: null })))).toEqual(['risk guardrails.removed']);
  });

  it.each([
    ['RTO longer', { rto: '4h' as const }, ['risk plan.rto rto']],
    ['RTO shorter', { rto: '30m' as const }, ['safe plan.rto rto']],
    ['drill removed', { drill: undefined }, ['risk plan.drill drill.every']],
    ['drill less often', { drill: { every: 'month' as const } }, ['risk plan.drill drill.every']],
    ['scenario', { scenario: 'cluster-loss' as const }, ['review plan.scenario scenario']],
  ])('GIVEN restore plan %s WHEN compared THEN %j', (_, plan, expected) => {
    expect(summary(diffModels(side(), side({ plan })))).toEqual(expected);
  });

  it('GIVEN a restore plan removed WHEN compared THEN risk', () => {
    expect(summary(diffModels(side(), side({ plan: null })))).toEqual(['risk plan.removed']);
  });

  it('GIVEN exemptions added, extended and removed WHEN compared THEN review, review and safe', () => {
    const before = side({ extra: () => [exempt('a', { reason: 'r', until: '2027-01-01' }), exempt('b', { cluster: 'prod', reason: 'r', until: '2027-01-01' })] });
    const after = side({ extra: () => [exempt('a', { reason: 'r', until: '2027-06-01' }), exempt('c', { reason: 'r', until: '2027-01-01' })] });

    expect(diffModels(before, after).map((c) => `${c.class} ${c.kind} ${c.name} ${c.cluster}`)).toEqual([
      'safe exemption.removed b prod',
      'review exemption.changed a null',
      'review exemption.added c null',
    ]);
  });
});

describe('diffModels: the RPO the schedules deliver, from the union of every tier\'s runs', () => {
  const storage = s3Storage('backups', { bucket: 'acme', region: 'eu-west-1', credentials: sealed('creds') });
  const prod = cluster('prod', { environment: 'production', storage: [storage] });
  // `payments` is staggered to 02:15, a time Europe/Berlin skips the day its clocks go forward.
  const payments = (props: Partial<BackupPolicyProps> & Pick<BackupPolicyProps, 'rpo'>): Side => ({
    model: resolve([storage, prod, backupPolicy('payments', { cluster: prod, namespaces: ['payments'], retention: { daily: 7 }, volumes: 'none', ...props })]).model,
    locate: () => ({ file: null, line: null }),
  });

  it('GIVEN an 08:00 override replaced by a derived daily run at 02:15 in Europe/Berlin with a shorter declared RPO WHEN compared THEN a risk: the runs can now be 47h apart instead of 25h, though each tier runs daily', () => {
    const base = payments({ rpo: '2d', schedule: '0 8 * * *', timeZone: 'Europe/Berlin' });
    const head = payments({ rpo: '1d', timeZone: 'Europe/Berlin' });

    const rpo = diffModels(base, head).filter((c) => c.kind === 'policy.rpo');

    expect(rpo).toMatchObject([{ class: 'risk', field: 'rpo', before: '2d', after: '1d' }]);
    expect(rpo[0]?.message).toBe('RPO declared 1d instead of 2d, but the schedules now leave up to 1d 23h between restore points (was 1d 1h): protection is worse');
    expect(restorePointChanges(base, head)[0]).toMatchObject({ before: { longestGapSeconds: 25 * 3600 }, after: { longestGapSeconds: 47 * 3600 } });
  });

  it('GIVEN daily runs at 02:15 in Europe/Berlin (47h apart the day the clocks skip 02:15) moved to UTC with a shorter declared RPO WHEN compared THEN safe: the runs are closer, though each tier still runs daily', () => {
    const base = payments({ rpo: '2d', timeZone: 'Europe/Berlin' });
    const head = payments({ rpo: '1d' });

    expect(summary(diffModels(base, head))).toEqual(['review policy.schedule schedule', 'safe policy.rpo rpo']);
  });

  it('GIVEN the RPO kept and a time zone added WHEN compared THEN a risk on the schedule: restore points can be further apart than before', () => {
    const base = payments({ rpo: '2d' });
    const head = payments({ rpo: '2d', timeZone: 'Europe/Berlin' });

    expect(diffModels(base, head).filter((c) => c.kind === 'policy.rpo')).toMatchObject([{ class: 'risk', field: 'schedule', before: '1d', after: '1d 23h' }]);
  });
});

describe('restorePointChanges: every tier that holds fewer restore points', () => {
  it('GIVEN an hourly base every 15 minutes slowed to every hour with the same 24 hourly kept WHEN compared THEN the hourly tier holds 96 -> 24 restore points: a risk, and the policy is in the chart', () => {
    const base = side({ plan: null, policy: { rpo: '15m' } });
    const head = side({ plan: null, policy: { rpo: '1h' } });

    const retention = diffModels(base, head).filter((c) => c.kind === 'policy.retention');
    const [points] = restorePointChanges(base, head);

    expect(retention).toMatchObject([{ class: 'risk', field: 'retention.hourly', message: 'hourly restore points: 96 -> 24 as the Schedules run (24 hourly kept, TTL 1d 15m -> 1d 1h)' }]);
    expect(points).toMatchObject({ changed: true, fewer: ['hourly'] });
  });

  it('GIVEN the RPO improved WHEN compared THEN no tier holds fewer and the footer says so', () => {
    const snapshot = (s: Side, ref: string) => ({ side: s, info: { ref, commit: 'a'.repeat(40), policies: true }, notes: [] });
    const report = reportOf(snapshot(side({ plan: null, policy: { rpo: '4h', retention: { daily: 7 } } }), 'main'), snapshot(side({ plan: null, policy: { rpo: '1h', retention: { daily: 7 } } }), 'topic'), new Date('2026-11-25T12:00:00Z'));

    expect(report.restorePoints[0]).toMatchObject({ changed: false, fewer: [] });
    expect(renderMarkdown(report)).toContain('No policy keeps fewer restore points or can restore less far back than before.');
  });
});

describe('Markdown report', () => {
  it('GIVEN changes on a cluster and on shared storage WHEN rendered THEN one table per cluster, shared last, and table cells escaped', () => {
    const snapshot = (s: Side, ref: string) => ({ side: s, info: { ref, commit: 'a'.repeat(40), policies: true }, notes: ['a | note'] });
    const report = reportOf(snapshot(side(), 'main'), snapshot(side({ storage: { immutable: undefined }, policy: { rpo: '4h' } }), 'topic'), new Date('2026-11-25T12:00:00Z'));

    const text = renderMarkdown(report);

    expect(text.split('\n').filter((l) => l.startsWith('#'))).toEqual(['### restorable diff: 2 risk, 0 review, 0 safe', '#### Cluster `prod`', '#### Shared: storage, guardrails, exemptions for every cluster']);
    expect(text).toContain('> **Note:** a \\| note');
    expect(text).toContain('| 🔴 risk | storage **backups** `immutableDays`<br>policies/x.ts:');
    expect(text).not.toContain('```mermaid');
    expect(text).toContain('No policy keeps fewer restore points or can restore less far back than before.');
  });
});
