/**
 * Every static check of restore plans, each with a passing and a failing organisation built with the
 * DSL, resolved and checked in-process: the code, the declaration and the field path of each finding.
 */
import { describe, expect, it } from 'vitest';
import type { Declaration } from '../../src/dsl/declaration.ts';
import { azureStorage, backupPolicy, commandCheck, gcsStorage, restorePlan, sealed, sqlCheck, type Storage, type Subject } from '../../src/index.ts';
import { declarationsOf, diagnose, type PlanOrg, type PlanOrgChanges, planOrg, sites, unchecked } from './support.ts';

/** A rule case: organisations without the finding, and organisations with it at the given sites. */
interface RuleCase {
  readonly code: string;
  readonly pass: readonly Example[];
  readonly fail: readonly (Example & { readonly at: readonly string[]; readonly message?: RegExp })[];
}

interface Example {
  readonly title: string;
  readonly declarations: () => readonly Declaration[];
}

/** The fixture organisation with changes. */
const changed = (changes: PlanOrgChanges) => (): Declaration[] => declarationsOf(planOrg(changes));

/** The fixture organisation (with changes) plus declarations built from it. */
const plus =
  (extra: (o: PlanOrg) => readonly Declaration[], changes: PlanOrgChanges = {}) =>
  (): Declaration[] => {
    const o = planOrg(changes);
    return [...declarationsOf(o), ...extra(o)];
  };

/** A second plan into the target cluster of the fixture, restoring the ledger. */
const secondPlan = (o: PlanOrg, name: string, props: Partial<Parameters<typeof restorePlan>[1]>) =>
  restorePlan(name, { from: o.ledger, to: o.dr, scenario: 'cluster-loss', rto: '2h', secretsRecovery: 'secrets-from-backup', ...props });

const registry = (from: string, to: string) => ({ type: 'rewrite-image-registry' as const, from, to });

const replica = { bucket: 'acme-velero-eu-replica', region: 'us-east-1', lag: '15m' } as const;

/** The fixture with the ledger backed up to `storage` (GCS or Azure) instead, which prod and dr both list. */
const ledgerOn = (storage: Storage) => plus(() => [storage], { prod: { storage: [storage] }, dr: { storage: [planOrg().us, storage] }, ledger: { storage } });
const gcs = (props: Partial<Parameters<typeof gcsStorage>[1]> = {}) => gcsStorage('gcs-backups', { bucket: 'acme-velero-gcs', credentials: sealed('velero-gcs-credentials'), ...props });
const azure = (props: Partial<Parameters<typeof azureStorage>[1]> = {}) =>
  azureStorage('azure-backups', { container: 'velero', resourceGroup: 'backups', storageAccount: 'acmevelero', credentials: sealed('velero-azure-credentials'), ...props });

const cases: readonly RuleCase[] = [
  {
    code: 'PLAN018',
    pass: [
      { title: 'a region-loss plan whose storage is replicated to another region', declarations: changed({}) },
      { title: 'a cluster-loss plan from storage without a replica', declarations: changed({ eu: { replication: undefined }, plan: { scenario: 'cluster-loss' } }) },
      { title: "a replica in the target cluster's region", declarations: changed({ dr: { region: 'us-east-1' }, prod: { region: 'eu-west-1' } }) },
      { title: 'a region-loss plan from a GCS bucket in a multi-region location', declarations: ledgerOn(gcs({ geoRedundancy: { location: 'EU', lag: '1h' } })) },
      { title: 'a region-loss plan from a geo-redundant Azure account', declarations: ledgerOn(azure({ geoRedundancy: { redundancy: 'RA-GZRS', lag: '1h' } })) },
      { title: 'a cluster-loss plan from a GCS bucket in one region', declarations: plus(() => [gcs()], { prod: { storage: [gcs()] }, dr: { storage: [planOrg().us, gcs()] }, ledger: { storage: gcs() }, plan: { scenario: 'cluster-loss' } }) },
    ],
    fail: [
      { title: 'a region-loss plan from storage without a replica', declarations: changed({ eu: { replication: undefined } }), at: ['ledger-dr.from'], message: /declares no replica: when that region is lost, so are the bucket and its KMS key/ },
      { title: "a replica in the bucket's own region", declarations: changed({ eu: { replication: { ...replica, region: 'eu-west-1' } } }), at: ['ledger-dr.from'], message: /the replica is in "eu-west-1", the region this plan recovers from losing/ },
      { title: "a replica in the source cluster's region (the bucket elsewhere)", declarations: changed({ prod: { region: 'us-east-1' } }), at: ['ledger-dr.from'], message: /the replica is in "us-east-1"/ },
      {
        title: 'a region-loss plan from a GCS bucket that declares no geo-redundancy',
        declarations: ledgerOn(gcs()),
        at: ['ledger-dr.from'],
        message: /^restores policy "ledger" from GCS storage "gcs-backups" \(bucket "acme-velero-gcs"\), which declares no geo-redundancy: a bucket in one region is lost with it$/,
      },
      {
        title: 'a region-loss plan from an Azure account that declares no geo-redundancy',
        declarations: ledgerOn(azure()),
        at: ['ledger-dr.from'],
        message: /^restores policy "ledger" from Azure storage "azure-backups" \(account "acmevelero"\), which declares no geo-redundancy: an account replicated only inside one region is lost with it$/,
      },
    ],
  },
  {
    code: 'PLAN001',
    pass: [
      { title: 'a data-mover policy restored into another cluster', declarations: changed({}) },
      { title: 'a filesystem policy restored into another cluster', declarations: changed({ ledger: { volumes: 'filesystem' } }) },
      { title: 'a csi-snapshot policy restored into its own cluster', declarations: changed({ ledger: { volumes: 'csi-snapshot' }, plan: { to: planOrg().prod, scenario: 'namespace-loss' } }) },
    ],
    fail: [
      { title: 'a csi-snapshot policy restored into another cluster', declarations: changed({ ledger: { volumes: 'csi-snapshot' } }), at: ['ledger-dr.from'], message: /volumes are csi-snapshot backups, which stay with cluster "prod"/ },
      { title: 'a native-snapshot policy restored into another cluster', declarations: changed({ ledger: { volumes: 'native-snapshot' } }), at: ['ledger-dr.from'] },
      {
        title: 'a plan from two policies whose second uses CSI snapshots',
        declarations: plus((o) => {
          const search = backupPolicy('search', { cluster: o.prod, storage: o.eu, namespaces: ['search'], rpo: '1h', retention: { hourly: 24 }, volumes: 'csi-snapshot' });
          return [search, restorePlan('both-dr', { from: [o.ledger, search], to: o.dr, scenario: 'region-loss', rto: '2h', secretsRecovery: 'secrets-from-backup' })];
        }),
        at: ['both-dr.from[1]'],
      },
    ],
  },
  {
    code: 'PLAN002',
    pass: [{ title: 'a target cluster that lists the source storage', declarations: changed({}) }],
    fail: [
      { title: 'a target cluster that does not list the source storage', declarations: changed({ dr: { storage: [planOrg().us] } }), at: ['ledger-dr.to'], message: /cluster "dr" cannot read storage "eu-backups"/ },
      { title: 'a plan that restores no policy', declarations: changed({ plan: { from: [] } }), at: ['ledger-dr.from'], message: /restores no backup policy/ },
    ],
  },
  {
    code: 'PLAN003',
    pass: [{ title: 'steps whose order is a DAG declared out of order', declarations: changed({}) }],
    fail: [
      {
        title: 'three steps waiting for each other',
        declarations: changed({ plan: { order: [{ name: 'a', after: ['c'] }, { name: 'b', after: ['a'] }, { name: 'c', after: ['b'] }] } }),
        at: ['ledger-dr.order'],
        message: /the restore order has a cycle: a -> c -> b -> a$/,
      },
      {
        title: 'a cycle behind a step that starts',
        declarations: changed({ plan: { order: [{ name: 'first' }, { name: 'x', after: ['y'] }, { name: 'y', after: ['x'] }] } }),
        at: ['ledger-dr.order'],
        message: /cycle: x -> y -> x$/,
      },
      { title: 'a step waiting for itself', declarations: changed({ plan: { order: [{ name: 'a', after: ['a'] }] } }), at: ['ledger-dr.order'], message: /cycle: a -> a$/ },
    ],
  },
  {
    code: 'PLAN004',
    pass: [{ title: 'steps waiting for declared steps', declarations: changed({}) }],
    fail: [
      {
        title: 'a step waiting for an unknown step',
        declarations: changed({ plan: { order: [{ name: 'ledger-db' }, { name: 'ledger-api', after: ['ledger-db', 'ledger-dbb'] }] } }),
        at: ['ledger-dr.order[1].after[1]'],
        message: /step "ledger-api" waits for "ledger-dbb", which is not a step of this plan/,
      },
      { title: 'two steps with one name', declarations: changed({ plan: { order: [{ name: 'ledger-db' }, { name: 'ledger-db' }] } }), at: ['ledger-dr.order[1].name'], message: /two steps are named "ledger-db"/ },
    ],
  },
  {
    code: 'PLAN005',
    pass: [
      { title: 'a namespace-loss plan into the source cluster', declarations: changed({ plan: { to: planOrg().prod, scenario: 'namespace-loss' } }) },
      { title: 'a region-loss plan into another cluster', declarations: changed({}) },
    ],
    fail: [{ title: 'a namespace-loss plan into another cluster', declarations: changed({ plan: { scenario: 'namespace-loss' } }), at: ['ledger-dr.scenario'] }],
  },
  {
    code: 'PLAN006',
    pass: [{ title: 'a mapping of a backed-up namespace', declarations: changed({ plan: { namespaceMapping: { payments: 'payments-dr' } } }) }],
    fail: [
      {
        title: 'a mapping of a namespace no policy of the plan backs up',
        declarations: changed({ plan: { namespaceMapping: { payments: 'payments-dr', billing: 'billing-dr' } } }),
        at: ['ledger-dr.namespaceMapping.billing'],
        message: /maps namespace "billing", which none of its policies \(ledger\) backs up/,
      },
    ],
  },
  {
    code: 'PLAN007',
    pass: [{ title: 'two namespaces swapped', declarations: changed({ ledger: { namespaces: ['payments', 'payments-jobs'] }, plan: { namespaceMapping: { payments: 'payments-jobs', 'payments-jobs': 'payments' } } }) }],
    fail: [
      {
        title: 'two namespaces mapped to one',
        declarations: changed({ ledger: { namespaces: ['payments', 'payments-jobs'] }, plan: { namespaceMapping: { payments: 'restored', 'payments-jobs': 'restored' } } }),
        at: ['ledger-dr.namespaceMapping.payments-jobs'],
        message: /namespaces "payments" and "payments-jobs" would both be restored into "restored"/,
      },
      {
        title: 'a namespace mapped onto another namespace that keeps its name',
        declarations: changed({ ledger: { namespaces: ['payments', 'payments-jobs'] }, plan: { namespaceMapping: { payments: 'payments-jobs' } } }),
        at: ['ledger-dr.namespaceMapping.payments-jobs'],
      },
    ],
  },
  {
    code: 'PLAN008',
    pass: [
      { title: 'the newest daily restore point of a policy keeping dailies', declarations: changed({ plan: { pointInTime: 'daily' } }) },
      { title: 'the latest restore point', declarations: changed({ plan: { pointInTime: 'latest' } }) },
    ],
    fail: [
      { title: 'the newest yearly restore point of a policy keeping none', declarations: changed({ plan: { pointInTime: 'yearly' } }), at: ['ledger-dr.pointInTime'], message: /policy "ledger" keeps no yearly tier/ },
      { title: 'a tier whose count is zero', declarations: changed({ ledger: { retention: { hourly: 24, daily: 7, weekly: 0, monthly: 12 } }, plan: { pointInTime: 'weekly' } }), at: ['ledger-dr.pointInTime'] },
    ],
  },
  {
    code: 'PLAN009',
    pass: [{ title: 'a data-only plan of a data-mover policy', declarations: changed({ plan: { mode: 'data-only' } }) }],
    fail: [{ title: 'a data-only plan of a filesystem policy', declarations: changed({ ledger: { volumes: 'filesystem' }, plan: { mode: 'data-only' } }), at: ['ledger-dr.mode'] }],
  },
  {
    code: 'PLAN010',
    pass: [
      { title: 'secrets from the backup of a policy that backs Secrets up', declarations: changed({}) },
      { title: 'the sealing key restored first, the source declaring how it is recovered', declarations: changed({ plan: { secretsRecovery: 'sealing-key-restored-first' } }) },
      { title: 'a plan into the source cluster without secretsRecovery', declarations: changed({ plan: { to: planOrg().prod, scenario: 'namespace-loss', secretsRecovery: undefined } }) },
    ],
    fail: [
      { title: 'a cross-cluster plan without secretsRecovery', declarations: changed({ plan: { secretsRecovery: undefined } }), at: ['ledger-dr.secretsRecovery'], message: /cannot open the source's SealedSecrets/ },
      {
        title: 'the sealing key restored first while the source declares no sealingKeyRecovery',
        declarations: changed({ prod: { sealingKeyRecovery: undefined }, plan: { secretsRecovery: 'sealing-key-restored-first' } }),
        at: ['ledger-dr.secretsRecovery'],
        message: /restoring the sealing key of cluster "prod", which declares no sealingKeyRecovery/,
      },
      {
        title: 'secrets from the backup while the policy excludes secrets',
        declarations: changed({ ledger: { excludedResources: ['secrets'] } }),
        at: ['ledger-dr.secretsRecovery'],
        message: /policy "ledger" does not back Secrets up/,
      },
      {
        title: 'secrets from the backup while the policy includes only claims',
        declarations: changed({ ledger: { includedResources: ['persistentvolumeclaims', 'persistentvolumes'] } }),
        at: ['ledger-dr.secretsRecovery'],
      },
    ],
  },
  {
    code: 'PLAN011',
    pass: [
      { title: '200Gi through the data mover within 45m (5 min + 2048 s = 40 min)', declarations: changed({}) },
      { title: 'no declared data size', declarations: changed({ plan: { dataSize: undefined } }) },
    ],
    fail: [
      { title: '500Gi through the data mover within 45m (5 min + 5120 s = 91 min)', declarations: changed({ plan: { dataSize: '500Gi' } }), at: ['ledger-dr.rto'], message: /RTO 45m is below the estimated restore time of 1h31m for 500Gi of data/ },
      { title: '200Gi through file-system backups within 45m (5 min + 4096 s)', declarations: changed({ ledger: { volumes: 'filesystem' } }), at: ['ledger-dr.rto'] },
    ],
  },
  {
    code: 'PLAN012',
    pass: [
      { title: 'two plans into one cluster mapping a storage class alike', declarations: plus((o) => [secondPlan(o, 'ledger-cl', { storageClassMapping: { gp3: 'gp3-us' } })], { plan: { storageClassMapping: { gp3: 'gp3-us' } } }) },
      { title: 'two plans into one cluster rewriting a registry alike', declarations: plus((o) => [secondPlan(o, 'ledger-cl', { transforms: [registry('eu.example', 'us.example')] })], { plan: { transforms: [registry('eu.example', 'us.example')] } }) },
      { title: 'two plans into different clusters mapping a storage class differently', declarations: plus((o) => [restorePlan('ledger-ns', { from: o.ledger, to: o.prod, scenario: 'namespace-loss', rto: '1h', storageClassMapping: { gp3: 'gp2' } })], { plan: { storageClassMapping: { gp3: 'gp3-us' } } }) },
    ],
    fail: [
      {
        title: 'two plans into one cluster mapping a storage class differently',
        declarations: plus((o) => [secondPlan(o, 'ledger-cl', { storageClassMapping: { gp3: 'standard' } })], { plan: { storageClassMapping: { gp3: 'gp3-us' } } }),
        at: ['ledger-dr.storageClassMapping.gp3'],
        message: /maps storage class "gp3" to "gp3-us", but plan "ledger-cl" maps it to "standard" on the same cluster "dr"/,
      },
      {
        title: 'two plans into one cluster rewriting a registry differently',
        declarations: plus((o) => [secondPlan(o, 'ledger-cl', { transforms: [registry('eu.example', 'mirror.example')] })], { plan: { transforms: [registry('eu.example', 'us.example')] } }),
        at: ['ledger-dr.transforms'],
        message: /image registry "eu.example"/,
      },
    ],
  },
  {
    code: 'PLAN013',
    pass: [{ title: 'a plan name of 40 characters', declarations: changed({ planName: 'p'.repeat(40) }) }],
    fail: [{ title: 'a plan name of 41 characters', declarations: changed({ planName: 'p'.repeat(41) }), at: [`${'p'.repeat(41)}.name`], message: /is 41 characters; at most 40/ }],
  },
  {
    code: 'PLAN014',
    pass: [{ title: "a data size of '200Gi'", declarations: changed({}) }],
    fail: [
      { title: "a data size of 'lots'", declarations: changed({ plan: { dataSize: 'lots' } }), at: ['ledger-dr.dataSize'], message: /expected a quantity such as '500Gi', got "lots"/ },
      { title: "a data size of '200 GB'", declarations: changed({ plan: { dataSize: '200 GB' } }), at: ['ledger-dr.dataSize'] },
    ],
  },
  {
    code: 'PLAN015',
    pass: [
      { title: 'a command check with a selector and a SQL check naming a postgres profile', declarations: changed({ plan: { drill: { every: 'week', verify: [commandCheck('ls', ['ls'], { selector: { app: 'x' } }), sqlCheck('q', 'select 1', { app: 'ledger-db' })] } } }) },
      { title: 'a SQL check without app, the plan having one postgres profile', declarations: changed({ plan: { drill: { every: 'week', verify: [sqlCheck('q', 'select 1')] } } }) },
    ],
    fail: [
      {
        title: 'a command check without a selector',
        declarations: changed({ plan: { drill: { every: 'week', verify: [sqlCheck('q', 'select 1'), commandCheck('ls', ['ls'], unchecked({}))] } } }),
        at: ['ledger-dr.drill.verify[1].selector'],
        message: /check "ls" does not say which pods it runs in/,
      },
      {
        title: 'a SQL check naming a profile the plan does not have',
        declarations: changed({ plan: { drill: { every: 'week', verify: [sqlCheck('q', 'select 1', { app: 'ledger' })] } } }),
        at: ['ledger-dr.drill.verify[0]'],
        message: /needs a postgres or mysql app profile named "ledger"/,
      },
      { title: 'a SQL check on a plan without database profiles', declarations: changed({ ledger: { apps: [] }, plan: { order: undefined, drill: { every: 'week', verify: [sqlCheck('q', 'select 1')] } } }), at: ['ledger-dr.drill.verify[0]'] },
    ],
  },
  {
    code: 'IMG001',
    pass: [{ title: 'a target cluster with a kubectl image', declarations: changed({}) }],
    fail: [{ title: 'a target cluster without a kubectl image', declarations: changed({ dr: { images: {} } }), at: ['ledger-dr.to'], message: /cluster "dr" declares no images.kubectl/ }],
  },
  {
    code: 'GRD007',
    pass: [
      { title: "production asking for weekly drills, drilled weekly", declarations: changed({}) },
      { title: 'production asking for weekly drills, drilled daily', declarations: changed({ plan: { drill: { every: 'day' } } }) },
      { title: 'a monthly drill where no guardrail asks for drills', declarations: changed({ production: { drillEvery: undefined }, plan: { drill: { every: 'month' } } }) },
    ],
    fail: [
      {
        title: "production asking for weekly drills, with only a monthly drill",
        declarations: changed({ plan: { drill: { every: 'month' } } }),
        at: ['ledger.restorePlans'],
        message: /no restore plan drills policy "ledger" at least every week \(drilled every month\)/,
      },
      { title: 'production asking for weekly drills, with a plan that has no drill', declarations: changed({ plan: { drill: undefined } }), at: ['ledger.restorePlans'] },
    ],
  },
  {
    code: 'SEC012',
    pass: [{ title: 'named groups and users', declarations: changed({ ledger: { access: { view: ['group:payments'], restore: ['group:payments-oncall', 'user:alice@example.com'] } } }) }],
    fail: [
      {
        title: 'restore access for group:system:authenticated',
        declarations: changed({ ledger: { access: { restore: ['group:payments-oncall', 'group:system:authenticated'] } } }),
        at: ['ledger.access.restore[1]'],
        message: /"system:authenticated" is a Kubernetes system group: it would grant restore access to every matching identity/,
      },
      {
        title: 'a subject without group: or user:',
        declarations: changed({ ledger: { access: { view: [unchecked<Subject>('payments-oncall')] } } }),
        at: ['ledger.access.view[0]'],
        message: /expected 'group:<name>' or 'user:<name>', got "payments-oncall"/,
      },
      { title: 'backup access for a service account', declarations: changed({ ledger: { access: { backup: ['user:system:serviceaccount:velero:default'] } } }), at: ['ledger.access.backup[0]'] },
    ],
  },
];

describe('the fixture', () => {
  it('GIVEN the fixture organisation WHEN checked THEN it raises no restore-plan, image, drill or access finding', () => {
    const codes = diagnose(changed({})()).map((d) => d.code);
    for (const { code } of cases) expect(codes).not.toContain(code);
  });
});

for (const rule of cases) {
  describe(`${rule.code}`, () => {
    for (const example of rule.pass) {
      it(`GIVEN ${example.title} WHEN checked THEN there is no ${rule.code}`, () => {
        const found = diagnose(example.declarations()).filter((d) => d.code === rule.code);
        expect(found, found.map((d) => d.message).join('\n')).toEqual([]);
      });
    }
    for (const example of rule.fail) {
      it(`GIVEN ${example.title} WHEN checked THEN ${rule.code} is an error at ${example.at.join(', ')}`, () => {
        const diagnostics = diagnose(example.declarations());
        expect(sites(diagnostics, rule.code)).toEqual(example.at);
        for (const d of diagnostics.filter((x) => x.code === rule.code)) {
          expect(d.severity).toBe('error');
          expect(d.hint ?? '').not.toBe('');
          if (example.message) expect(d.message).toMatch(example.message);
        }
      });
    }
  });
}

describe('findings that point at the wrong cause', () => {
  // Regression guard (was a bug in src/model/restore-plan.ts, topologicalOrder): a duplicate step name is never scheduled,
  // because the second step with a name already done is skipped by `!done.has(s.name)`, so Kahn's
  // algorithm stops short and the plan also gets PLAN003 "the restore order has a cycle: a, a".
  it('GIVEN two steps with one name and no dependencies WHEN checked THEN PLAN004 is reported and no PLAN003 cycle', () => {
    const diagnostics = diagnose(changed({ plan: { order: [{ name: 'ledger-db' }, { name: 'ledger-db' }] } })());
    expect(sites(diagnostics, 'PLAN004')).toEqual(['ledger-dr.order[1].name']);
    expect(sites(diagnostics, 'PLAN003')).toEqual([]);
  });

  // Regression guard (was a bug in src/model/restore-plan.ts, describeCycle): the walk follows only the first known
  // dependency of each step, so a cycle reached through a second `after` entry is not found and the
  // message falls back to listing every step ("first, x, y"), including steps outside the cycle.
  it('GIVEN a cycle through the second dependency of a step WHEN checked THEN the PLAN003 message shows the cycle', () => {
    const order = [{ name: 'first' }, { name: 'x', after: ['first', 'y'] }, { name: 'y', after: ['x'] }];
    const found = diagnose(changed({ plan: { order } })()).filter((d) => d.code === 'PLAN003');
    expect(found.map((d) => d.message)).toEqual(['the restore order has a cycle: x -> y -> x']);
  });

  // Regression guard (was a bug in src/rules/restore-plans.ts, PLAN008): `source.retention[plan.pointInTime] ?? 0` reads
  // inherited properties, so an untyped pointInTime such as 'constructor' passes the check and the
  // runner then asks for backups labelled restorable.dev/tier=constructor, finding none at restore time.
  it("GIVEN pointInTime 'constructor' (an untyped policy file) WHEN checked THEN PLAN008 rejects it", () => {
    const diagnostics = diagnose(changed({ plan: { pointInTime: unchecked('constructor') } })());
    expect(sites(diagnostics, 'PLAN008')).toEqual(['ledger-dr.pointInTime']);
  });
});
