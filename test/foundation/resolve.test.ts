import { describe, expect, it } from 'vitest';
import {
  azureStorage,
  backupPolicy,
  cluster,
  csi,
  type DurationString,
  gcsStorage,
  guardrails,
  restorePlan,
  s3Storage,
  sealed,
} from '../../src/index.ts';
import { collectDeclarations } from '../../src/loader/collect.ts';
import type { Diagnostic } from '../../src/model/diagnostic.ts';
import { resolve } from '../../src/model/resolve.ts';
import { declarationsOf, lineOf, org, unchecked } from './fixtures.ts';

const thisFile = 'test/foundation/resolve.test.ts';

function only(diagnostics: readonly Diagnostic[], code: string): Diagnostic {
  const found = diagnostics.filter((d) => d.code === code);
  expect(found, JSON.stringify(diagnostics, null, 2)).toHaveLength(1);
  return found[0] as Diagnostic;
}

describe('resolve: a valid organisation', () => {
  it('GIVEN the fixture organisation WHEN resolved THEN there are no diagnostics', () => {
    expect(resolve(declarationsOf(org())).diagnostics).toEqual([]);
  });

  it('GIVEN declarations in any order WHEN resolved THEN every list of the model is sorted by name', () => {
    const o = org();
    const { model } = resolve([o.ledgerRegionLoss, o.drUs, o.ledger, o.usBackups, o.production, o.prodEu, o.euBackups]);
    expect(model.clusters.map((c) => c.name)).toEqual(['dr-us', 'prod-eu']);
    expect(model.storages.map((s) => s.name)).toEqual(['eu-backups', 'us-backups']);
    expect(model.policies.map((p) => p.name)).toEqual(['ledger']);
    expect(model.restorePlans.map((p) => p.name)).toEqual(['ledger-region-loss']);
    expect(model.guardrails.map((g) => g.environment)).toEqual(['production']);
  });
});

describe('resolve: references become names', () => {
  it('GIVEN a policy, a plan and clusters WHEN resolved THEN every reference is the name of the declaration', () => {
    const { model } = resolve(declarationsOf(org()));
    const ledger = model.policies[0];
    expect(ledger?.cluster).toBe('prod-eu');
    expect(ledger?.storage).toBe('eu-backups');
    expect(model.clusters.find((c) => c.name === 'dr-us')?.storage).toEqual(['us-backups', 'eu-backups']);
    expect(model.restorePlans[0]).toMatchObject({ from: ['ledger'], to: 'dr-us', scenario: 'region-loss' });
  });

  it('GIVEN a plan from several policies WHEN resolved THEN from lists their names in order', () => {
    const o = org();
    const search = backupPolicy('search', { cluster: o.prodEu, namespaces: ['search'], rpo: '1h', retention: { hourly: 24, daily: 30 } });
    const plan = restorePlan('everything', { from: [search, o.ledger], to: o.drUs, scenario: 'region-loss', rto: '2h' });
    const { model, diagnostics } = resolve([...declarationsOf(o), search, plan]);
    expect(diagnostics).toEqual([]);
    expect(model.restorePlans.find((p) => p.name === 'everything')?.from).toEqual(['search', 'ledger']);
  });

  it('GIVEN a storage only referenced by a cluster WHEN the loader collects exports THEN the storage is found and resolved too', () => {
    const hidden = s3Storage('hidden', { bucket: 'b', region: 'r', credentials: sealed('c') });
    const c = cluster('c1', { environment: 'staging', storage: [hidden] });
    const declarations = collectDeclarations([{ c }, { again: c }]);
    expect(declarations.map((d) => d.name)).toEqual(['c1', 'hidden']);
    expect(resolve(declarations).model.storages.map((s) => s.name)).toEqual(['hidden']);
  });
});

describe('resolve: defaults', () => {
  it('GIVEN a minimal policy WHEN resolved THEN storage is the cluster first storage, volumes csi-snapshot, lists empty, no time zone', () => {
    const o = org();
    const minimal = backupPolicy('minimal', { cluster: o.drUs, namespaces: ['tools'], rpo: '1h', retention: { daily: 7 } });
    const { model } = resolve([...declarationsOf(o), minimal]);
    expect(model.policies.find((p) => p.name === 'minimal')).toMatchObject({
      cluster: 'dr-us',
      storage: 'us-backups',
      volumes: 'csi-snapshot',
      includedResources: [],
      excludedResources: [],
      namespaces: ['tools'],
      timeZone: undefined,
      scheduleOverride: undefined,
      selector: undefined,
    });
  });

  it('GIVEN a minimal cluster WHEN resolved THEN Velero runs in velero, no monitoring, no images, snapshot classes named after the driver and Retain', () => {
    const storage = s3Storage('s', { bucket: 'b', region: 'r', credentials: sealed('c') });
    const c = cluster('c1', { environment: 'staging', storage: [storage], snapshotClasses: [csi({ driver: 'pd.csi.storage.gke.io' })] });
    const { model } = resolve([storage, c]);
    expect(model.clusters[0]).toMatchObject({
      veleroNamespace: 'velero',
      monitoring: 'none',
      images: {},
      sealingCertificates: [],
      snapshotClasses: [{ name: 'velero-pd-csi-storage-gke-io', driver: 'pd.csi.storage.gke.io', deletionPolicy: 'Retain', parameters: {} }],
    });
  });

  it('GIVEN sealed() without a key WHEN resolved THEN the key is cloud', () => {
    const { model } = resolve(declarationsOf(org()));
    expect(model.storages[0]?.credentials).toEqual({ name: 'velero-eu-backups-credentials', key: 'cloud' });
  });

  it('GIVEN guardrails with only some fields WHEN resolved THEN the others are off', () => {
    const { model } = resolve([guardrails('staging', { maxRpo: '24h' })]);
    expect(model.guardrails[0]).toMatchObject({
      environment: 'staging',
      maxRpo: { text: '24h', seconds: 86_400 },
      minRetention: undefined,
      requireEncryption: false,
      requireImmutableStorage: false,
      snapshotDeletionPolicy: undefined,
    });
  });

  it('GIVEN S3, GCS and Azure storage WHEN resolved THEN each gets its bucket, Velero config and encryption', () => {
    const credentials = sealed('c');
    const s3 = s3Storage('minio', { bucket: 'b1', region: 'us-east-1', endpoint: 'https://minio.local', forcePathStyle: true, credentials });
    const gcs = gcsStorage('gcs', { bucket: 'b2', credentials, encryption: { kmsKeyName: 'projects/p/keys/k' } });
    const azure = azureStorage('azure', {
      container: 'velero',
      resourceGroup: 'rg',
      storageAccount: 'acct',
      subscriptionId: 'sub',
      credentials,
      encryption: { keyVaultKeyUri: 'https://vault/keys/k' },
    });
    const byName = new Map(resolve([s3, gcs, azure]).model.storages.map((s) => [s.name, s]));
    expect(byName.get('minio')).toMatchObject({
      provider: 'aws',
      bucket: 'b1',
      config: { region: 'us-east-1', s3Url: 'https://minio.local', s3ForcePathStyle: 'true' },
      encryption: undefined,
    });
    expect(byName.get('gcs')).toMatchObject({ provider: 'gcp', bucket: 'b2', config: {}, encryption: { kmsKeyName: 'projects/p/keys/k' } });
    expect(byName.get('azure')).toMatchObject({
      provider: 'azure',
      bucket: 'velero',
      config: { resourceGroup: 'rg', storageAccount: 'acct', subscriptionId: 'sub' },
      encryption: { keyVaultKeyUri: 'https://vault/keys/k' },
    });
  });
});

describe('resolve: duplicate names', () => {
  it('GIVEN two policies with the same name declared in two places WHEN resolved THEN DUP001 points at the second and names the first', () => {
    const o = org();
    const again = backupPolicy('ledger', { cluster: o.drUs, namespaces: ['other'], rpo: '1h', retention: { daily: 7 } }); // second-ledger
    const { model, diagnostics } = resolve([...declarationsOf(o), again]);
    const dup = only(diagnostics, 'DUP001');
    expect(dup).toMatchObject({ severity: 'error', declaration: 'ledger', path: 'name' });
    expect(dup.source).toMatchObject({ file: thisFile, line: lineOf(thisFile, '// second-ledger') });
    expect(dup.message).toContain(`${o.ledger.source?.file}:${o.ledger.source?.line}`);
    expect(model.policies).toHaveLength(1);
    expect(model.policies[0]?.cluster).toBe('prod-eu');
  });

  it('GIVEN a policy and a restore plan with the same name WHEN resolved THEN that is no duplicate', () => {
    const o = org();
    const plan = restorePlan('ledger', { from: o.ledger, to: o.prodEu, scenario: 'namespace-loss', rto: '15m' });
    expect(resolve([...declarationsOf(o), plan]).diagnostics).toEqual([]);
  });

  it('GIVEN the same declaration object exported twice WHEN collected and resolved THEN it counts once', () => {
    const o = org();
    const declarations = collectDeclarations([{ ledger: o.ledger }, { alias: o.ledger, list: [o.ledger] }]);
    expect(declarations.filter((d) => d === o.ledger)).toHaveLength(1);
    expect(resolve(declarations).diagnostics.filter((d) => d.code === 'DUP001')).toEqual([]);
  });
});

describe('resolve: durations', () => {
  const valid: readonly [DurationString, number][] = [
    ['30s', 30],
    ['15m', 900],
    ['1h', 3600],
    ['36h', 129_600],
    ['7d', 604_800],
    ['2w', 1_209_600],
  ];
  for (const [text, seconds] of valid) {
    it(`GIVEN rpo '${text}' WHEN resolved THEN the RPO is ${seconds} seconds`, () => {
      const { model } = resolve(declarationsOf(org({ ledger: { rpo: text } })));
      expect(model.policies[0]?.rpo).toEqual({ text, seconds });
    });
  }

  for (const text of ['1x', '0h', '1.5h', '-1h', 'h', '1 h', '1H', '']) {
    it(`GIVEN rpo ${JSON.stringify(text)} WHEN resolved THEN DUR001 at ledger.rpo quotes it and no Schedules are made`, () => {
      const { model, diagnostics } = resolve(declarationsOf(org({ ledger: { rpo: unchecked<DurationString>(text) } })));
      const d = only(diagnostics, 'DUR001');
      expect(d).toMatchObject({ declaration: 'ledger', path: 'rpo', severity: 'error' });
      expect(d.message).toContain(JSON.stringify(text));
      expect(model.policies[0]?.schedules).toEqual([]);
    });
  }

  it('GIVEN an RPO given as a number WHEN resolved THEN DUR001 (durations are strings)', () => {
    const { diagnostics } = resolve(declarationsOf(org({ ledger: { rpo: unchecked<DurationString>(3600) } })));
    expect(only(diagnostics, 'DUR001').message).toContain('3600');
  });

  it('GIVEN no RPO WHEN resolved THEN DUR002 at ledger.rpo, and no DUR001', () => {
    const { diagnostics } = resolve(declarationsOf(org({ ledger: { rpo: unchecked<DurationString>(undefined) } })));
    expect(only(diagnostics, 'DUR002')).toMatchObject({ declaration: 'ledger', path: 'rpo' });
    expect(diagnostics.filter((d) => d.code === 'DUR001')).toEqual([]);
  });

  it('GIVEN an invalid RTO and guardrail durations WHEN resolved THEN DUR001 names each field', () => {
    const o = org({
      ledgerRegionLoss: { rto: unchecked<DurationString>('45') },
      production: { maxRpo: unchecked<DurationString>('1 hour'), minRetention: unchecked<DurationString>('30 days') },
    });
    const found = resolve(declarationsOf(o))
      .diagnostics.filter((d) => d.code === 'DUR001')
      .map((d) => `${d.declaration}.${d.path}`)
      .sort();
    expect(found).toEqual(['ledger-region-loss.rto', 'production.maxRpo', 'production.minRetention']);
  });
});

describe('resolve: never throws on user input', () => {
  it('GIVEN declarations full of wrong types WHEN resolved THEN every mistake is a diagnostic and the model still has every declaration', () => {
    const storage = s3Storage('s', unchecked({ bucket: 'b', region: 'r' }));
    const c = cluster('c', unchecked({ environment: 'staging', storage: [storage, 'not-a-storage', undefined] }));
    const p = backupPolicy(
      'p',
      unchecked({ cluster: c, storage: 'not-a-storage', namespaces: ['ns'], rpo: 60, retention: { daily: 'seven', fortnightly: 2 } }),
    );
    const plan = restorePlan('plan', unchecked({ from: [p, null], to: 'c', scenario: 'region-loss', rto: '1h' }));
    const { model, diagnostics } = resolve([storage, c, p, plan]);
    expect(diagnostics.map((d) => `${d.code} ${d.declaration}.${d.path}`).sort()).toEqual([
      'DUR001 p.rpo',
      'REF001 plan.to',
      'REF002 c.storage[1]',
      'REF002 c.storage[2]',
      'REF002 p.storage',
      'REF004 plan.from[1]',
      'RET002 p.retention.daily',
      'RET004 p.retention.fortnightly',
      'STO002 s.credentials',
    ]);
    expect([model.storages, model.clusters, model.policies, model.restorePlans].map((list) => list.length)).toEqual([1, 1, 1, 1]);
  });

  it('GIVEN a diagnostic WHEN resolved THEN its source is the file and line of the builder call', () => {
    const o = org();
    const broken = backupPolicy('broken', { cluster: o.prodEu, namespaces: ['x'], rpo: '1h', retention: { daily: -1 } }); // broken-line
    const d = only(resolve([...declarationsOf(o), broken]).diagnostics, 'RET002');
    expect(d.source).toMatchObject({ file: thisFile, line: lineOf(thisFile, '// broken-line') });
  });
});

describe('resolve: schedules', () => {
  it('GIVEN a valid policy WHEN resolved THEN the model carries one Schedule per tier', () => {
    const { model } = resolve(declarationsOf(org()));
    expect(model.policies[0]?.schedules.map((s) => s.name)).toEqual(['ledger-hourly', 'ledger-daily', 'ledger-weekly', 'ledger-monthly']);
  });

  it('GIVEN a time zone WHEN resolved THEN every Schedule carries it', () => {
    const { model } = resolve(declarationsOf(org({ ledger: { timeZone: 'Europe/Berlin' } })));
    for (const s of model.policies[0]?.schedules ?? []) expect(s.cron).toMatch(/^CRON_TZ=Europe\/Berlin /);
  });

  for (const [title, change] of [
    ['an invalid retention', { retention: { daily: -1 } }],
    ['an unknown time zone', { timeZone: 'Mars/Olympus' }],
    ['an invalid override', { schedule: 'every hour' }],
  ] as const) {
    it(`GIVEN ${title} WHEN resolved THEN the policy has no Schedules (the error is reported instead)`, () => {
      const { model, diagnostics } = resolve(declarationsOf(org({ ledger: change })));
      expect(diagnostics.length).toBeGreaterThan(0);
      expect(model.policies[0]?.schedules).toEqual([]);
    });
  }
});
