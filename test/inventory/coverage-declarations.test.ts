import { describe, expect, it } from 'vitest';
import { type BackupPolicyProps, backupPolicy, cluster, csi, type Declaration, exempt, s3Storage, sealed } from '../../src/index.ts';
import { data as sized, inventory } from './inventory-builders.ts';
import type { Diagnostic } from '../../src/model/diagnostic.ts';
import { resolve } from '../../src/model/resolve.ts';
import type { Model } from '../../src/model/types.ts';
import { checkCoverage, coverageNotes } from '../../src/rules/coverage.ts';

const NOW = new Date('2026-11-25T12:00:00Z');

const storage = s3Storage('eu-backups', { bucket: 'b', region: 'eu-west-1', credentials: sealed('creds') });
const prodEu = cluster('prod-eu', { environment: 'production', storage: [storage], snapshotClasses: [csi({ driver: 'ebs.csi.aws.com', deletionPolicy: 'Retain' })] });
const drUs = cluster('dr-us', { environment: 'production', storage: [storage], snapshotClasses: [csi({ driver: 'ebs.csi.aws.com', deletionPolicy: 'Retain' })] });

function policy(name: string, props: Partial<BackupPolicyProps> = {}) {
  return backupPolicy(name, { cluster: prodEu, rpo: '1h', retention: { daily: 7 }, volumes: 'csi-snapshot', ...props });
}

function resolved(...declarations: Declaration[]): { model: Model; diagnostics: readonly Diagnostic[] } {
  return resolve([storage, prodEu, drUs, ...declarations]);
}

const modelOf = (...declarations: Declaration[]): Model => resolved(...declarations).model;

const data = (claims: number) => sized(claims, claims);

const codes = (found: readonly Diagnostic[]): string[] => found.map((d) => d.code);

describe('COV005: a policy naming a namespace its cluster does not have', () => {
  it('GIVEN policies written for namespaces that the cluster calls differently WHEN checked THEN a warning at each namespace, with the likely name', () => {
    const model = modelOf(policy('ledger', { namespaces: ['payments', 'payments-db'] }));
    const inv = inventory('prod-eu', { 'payment': data(1), 'payments-db': data(1) });

    const found = checkCoverage(model, [inv], NOW).filter((d) => d.code === 'COV005');

    expect(found).toMatchObject([
      {
        code: 'COV005',
        severity: 'warning',
        declaration: 'ledger',
        path: 'namespaces[0]',
        message: 'namespace payments is not in the inventory of cluster prod-eu (policies/inventory/prod-eu.json): the policy backs up nothing there',
        hint: "did you mean 'payment'? name a namespace that exists on prod-eu, or re-import the inventory if the namespace was created since",
        source: { file: 'test/inventory/coverage-declarations.test.ts' },
      },
    ]);
  });

  it('GIVEN a policy on a cluster without an inventory WHEN checked THEN nothing can be said about its namespaces', () => {
    expect(checkCoverage(modelOf(policy('ledger', { cluster: drUs, namespaces: ['anything'] })), [inventory('prod-eu', {})], NOW)).toEqual([]);
  });
});

describe('COV006-COV008: exemptions that cannot be right', () => {
  const inv = [inventory('prod-eu', { 'ci-cache': data(2) })];

  it('GIVEN an exemption naming a cluster no file declares WHEN checked THEN COV006 at its cluster field and the data is still reported', () => {
    const found = checkCoverage(modelOf(exempt('ci-cache', { cluster: 'prod-eux', reason: 'rebuilt on demand', until: '2027-03-31' })), inv, NOW);

    expect(codes(found).sort()).toEqual(['COV001', 'COV006']);
    expect(found.find((d) => d.code === 'COV006')).toMatchObject({
      severity: 'error',
      declaration: 'ci-cache',
      path: 'cluster',
      message: 'the exemption of namespace ci-cache names cluster "prod-eux", which no policy file declares, so it exempts nothing',
      hint: 'name a declared cluster (dr-us, prod-eu), or leave cluster out to exempt the namespace on every cluster',
    });
  });

  it.each(['', '   '])('GIVEN an exemption with reason %j WHEN checked THEN COV007 at its reason', (reason) => {
    const found = checkCoverage(modelOf(exempt('ci-cache', { cluster: 'prod-eu', reason, until: '2027-03-31' })), inv, NOW);

    expect(found).toMatchObject([{ code: 'COV007', severity: 'error', path: 'reason', message: 'the exemption of namespace ci-cache has an empty reason' }]);
  });

  it.each([
    ['2027-11-25', []],
    ['2027-11-26', ['COV008']],
    ['2027-11-25T23:59:59Z', []],
    ['2099-01-01', ['COV008']],
  ])('GIVEN until %s and the clock at 2026-11-25 WHEN checked THEN %j (at most a year ahead)', (until, expected) => {
    expect(codes(checkCoverage(modelOf(exempt('ci-cache', { reason: 'r', until })), inv, NOW))).toEqual(expected);
  });

  it('GIVEN an exemption a decade ahead WHEN checked THEN COV008 says the latest date allowed', () => {
    const [found] = checkCoverage(modelOf(exempt('ci-cache', { reason: 'r', until: '2036-01-01' })), [], NOW);

    expect(found).toMatchObject({ code: 'COV008', path: 'until', hint: 'set until to 2027-11-25 or earlier, and renew it then if the reason still holds' });
  });
});

describe('one exemption per namespace and cluster', () => {
  it('GIVEN the same namespace exempted on two clusters WHEN resolved THEN both are kept and each covers its cluster', () => {
    const { model, diagnostics } = resolved(
      exempt('ci-cache', { cluster: 'prod-eu', reason: 'rebuilt on demand', until: '2027-03-31' }),
      exempt('ci-cache', { cluster: 'dr-us', reason: 'rebuilt on demand', until: '2027-03-31' }),
    );

    expect(diagnostics).toEqual([]);
    expect(model.exemptions.map((e) => e.cluster)).toEqual(['dr-us', 'prod-eu']);
    expect(checkCoverage(model, [inventory('prod-eu', { 'ci-cache': data(1) }), inventory('dr-us', { 'ci-cache': data(1) })], NOW)).toEqual([]);
  });

  it('GIVEN the same namespace exempted twice on one cluster WHEN resolved THEN DUP001 names the namespace and the cluster', () => {
    const { diagnostics } = resolved(
      exempt('ci-cache', { cluster: 'prod-eu', reason: 'a', until: '2027-03-31' }),
      exempt('ci-cache', { cluster: 'prod-eu', reason: 'b', until: '2027-03-31' }),
    );

    expect(diagnostics).toMatchObject([{ code: 'DUP001', message: expect.stringMatching(/^namespace "ci-cache" is exempted twice on cluster prod-eu \(first declared at /) }]);
  });
});

describe('namespaces named like JavaScript object keys', () => {
  it('GIVEN an exemption of namespace constructor and an inventory without it WHEN checked THEN COV003 says it holds nothing (not an inherited value)', () => {
    const found = checkCoverage(modelOf(exempt('constructor', { cluster: 'prod-eu', reason: 'r', until: '2027-03-31' })), [inventory('prod-eu', {})], NOW);

    expect(found).toMatchObject([{ code: 'COV003', message: 'the exemption of namespace constructor on cluster prod-eu is not needed: on prod-eu it holds no PersistentVolumeClaims' }]);
  });

  it('GIVEN a selector on key constructor with Exists WHEN the claims\' labels lack it THEN they are not selected (COV009)', () => {
    const model = modelOf(policy('odd', { selector: { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] } }));

    expect(codes(checkCoverage(model, [inventory('prod-eu', { payments: data(1) })], NOW))).toEqual(['COV009']);
  });
});

describe('coverage skipped for lack of an inventory', () => {
  it('GIVEN two clusters and an inventory of one WHEN validate reports THEN it notes the other was not checked and how to import it', () => {
    expect(coverageNotes(modelOf(), [inventory('prod-eu', {})], 'policies/inventory')).toEqual([
      'coverage of cluster dr-us not checked: no inventory policies/inventory/dr-us.json (import one: kubectl --context dr-us get namespaces,persistentvolumeclaims,statefulsets,pods,storageclasses -A -o json | npx restorable inventory import --cluster dr-us -)',
    ]);
  });
});
