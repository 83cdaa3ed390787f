import { describe, expect, it } from 'vitest';
import { type BackupPolicyProps, backupPolicy, cluster, csi, type Declaration, type ExemptionProps, exempt, s3Storage, sealed } from '../../src/index.ts';
import type { Diagnostic } from '../../src/model/diagnostic.ts';
import { resolve } from '../../src/model/resolve.ts';
import type { Model } from '../../src/model/types.ts';
import { checkCoverage, lapseTime, selectorMatches } from '../../src/rules/coverage.ts';
import { data, inventory } from './inventory-builders.ts';

const NOW = new Date('2026-11-25T12:00:00Z');

const storage = s3Storage('eu-backups', { bucket: 'b', region: 'eu-west-1', credentials: sealed('creds') });
const prodEu = cluster('prod-eu', { environment: 'production', storage: [storage], snapshotClasses: [csi({ driver: 'ebs.csi.aws.com', deletionPolicy: 'Retain' })] });
const drUs = cluster('dr-us', { environment: 'production', storage: [storage], snapshotClasses: [csi({ driver: 'ebs.csi.aws.com', deletionPolicy: 'Retain' })] });

function policy(name: string, props: Partial<BackupPolicyProps> & { cluster?: typeof prodEu } = {}) {
  return backupPolicy(name, { cluster: prodEu, rpo: '1h', retention: { daily: 7 }, volumes: 'csi-snapshot', ...props });
}

function modelOf(...declarations: Declaration[]): Model {
  return resolve([storage, prodEu, drUs, ...declarations]).model;
}

const codes = (found: readonly Diagnostic[]): string[] => found.map((d) => d.code);

describe('COV001: a namespace holding data that nothing backs up', () => {
  it('GIVEN a namespace with claims that no policy names WHEN checked THEN COV001 names the namespace, its claims and size, and points at the inventory line', () => {
    const model = modelOf(policy('ledger', { namespaces: ['payments'] }));
    const inv = inventory('prod-eu', { payments: data(2, 10), 'ci-cache': data(3, 150, { storageClasses: ['gp3', 'io2'], statefulSets: ['runner'] }) });

    const found = checkCoverage(model, [inv], NOW);

    expect(found).toEqual([
      {
        code: 'COV001',
        severity: 'error',
        message: 'namespace ci-cache on cluster prod-eu holds 3 PersistentVolumeClaims (150 GiB requested; storage class gp3, io2; StatefulSet runner) that no policy backs up',
        hint: "add it to a policy (namespaces: ['ci-cache']) or exempt('ci-cache', { cluster: 'prod-eu', reason: '...', until: 'YYYY-MM-DD' })",
        declaration: 'prod-eu',
        source: { file: 'policies/inventory/prod-eu.json', line: 4, column: 1 },
      },
    ]);
  });

  it('GIVEN namespaces without claims WHEN checked THEN they need no policy', () => {
    expect(checkCoverage(modelOf(), [inventory('prod-eu', { web: data(0, 0), 'kube-system': data(0, 0) })], NOW)).toEqual([]);
  });

  it('GIVEN the namespace is covered by a policy of another cluster WHEN checked THEN it is still uncovered', () => {
    const model = modelOf(policy('dr', { cluster: drUs, namespaces: ['payments'] }));

    expect(codes(checkCoverage(model, [inventory('prod-eu', { payments: data(1, 1) })], NOW))).toEqual(['COV001']);
  });

  it("GIVEN the only policy has volumes: 'none' WHEN checked THEN the data is uncovered and the message says why", () => {
    const model = modelOf(policy('storefront', { namespaces: ['storefront'], volumes: 'none' }));

    const [found] = checkCoverage(model, [inventory('prod-eu', { storefront: data(1, 5) })], NOW);

    expect(found?.code).toBe('COV001');
    expect(found?.message).toContain("no policy backs up: storefront (volumes: 'none') keeps only its Kubernetes objects");
  });

  it.each([
    ['excludes persistentvolumeclaims', { excludedResources: ['persistentvolumeclaims'] }],
    ['excludes pvc by short name', { excludedResources: ['pvc'] }],
    ['includes only deployments', { includedResources: ['deployments.apps'] }],
  ])('GIVEN the only policy %s WHEN checked THEN the data is uncovered', (_, props) => {
    const model = modelOf(policy('p', { namespaces: ['n'], ...props }));

    const [found] = checkCoverage(model, [inventory('prod-eu', { n: data(1, 5) })], NOW);

    expect(found?.message).toContain('its resource filters leave out persistentvolumeclaims');
  });

  it('GIVEN a policy that includes persistentvolumeclaims among other resources WHEN checked THEN the namespace is covered', () => {
    const model = modelOf(policy('p', { namespaces: ['n'], includedResources: ['persistentvolumeclaims', 'persistentvolumes', 'pods'] }));

    expect(checkCoverage(model, [inventory('prod-eu', { n: data(1, 5) })], NOW)).toEqual([]);
  });

  describe("selector-only policies: the objects' own labels, as Velero matches them (never the namespace's)", () => {
    const model = modelOf(policy('by-team', { selector: { matchLabels: { team: 'payments' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['scratch'] }] } }));

    it('GIVEN claims labelled like the selector WHEN checked THEN they are covered', () => {
      expect(checkCoverage(model, [inventory('prod-eu', { payments: data(1, 1, { claimLabels: { team: 'payments' } }) })], NOW)).toEqual([]);
    });

    it('GIVEN a namespace labelled like the selector whose claims are not WHEN checked THEN COV009 (namespace labels select nothing)', () => {
      const inv = inventory('prod-eu', { payments: data(1, 1, { labels: { team: 'payments' } }) });

      expect(codes(checkCoverage(model, [inv], NOW))).toEqual(['COV009']);
    });

    it('GIVEN unlabelled claims mounted by a pod the selector matches WHEN checked THEN they are covered (Velero adds a selected pod\'s claims)', () => {
      const inv = inventory('prod-eu', { payments: data(2, 2, { pods: [{ labels: { team: 'payments' }, claims: ['data-0', 'data-1'] }] }) });

      expect(checkCoverage(model, [inv], NOW)).toEqual([]);
    });

    it('GIVEN claims labelled like the selector in the namespace but excluded by NotIn WHEN checked THEN COV009', () => {
      const inv = inventory('prod-eu', { a: data(1, 1, { claimLabels: { team: 'search' } }), b: data(1, 1, { claimLabels: { team: 'payments', tier: 'scratch' } }) });

      expect(codes(checkCoverage(model, [inv], NOW))).toEqual(['COV009', 'COV009']);
    });
  });

  it('GIVEN an exemption for the namespace on that cluster, or on every cluster WHEN checked THEN nothing is reported', () => {
    const inv = inventory('prod-eu', { 'ci-cache': data(3, 150), scratch: data(1, 1) });
    const model = modelOf(
      exempt('ci-cache', { cluster: 'prod-eu', reason: 'rebuilt on demand', until: '2027-03-31' }),
      exempt('scratch', { reason: 'temporary', until: '2027-01-01' }),
    );

    expect(checkCoverage(model, [inv], NOW)).toEqual([]);
  });

  it('GIVEN an exemption for the namespace on another cluster WHEN checked THEN COV001 is still reported', () => {
    const model = modelOf(exempt('ci-cache', { cluster: 'dr-us', reason: 'r', until: '2027-03-31' }));

    expect(codes(checkCoverage(model, [inventory('prod-eu', { 'ci-cache': data(1, 1) })], NOW))).toEqual(['COV001']);
  });
});

describe('COV002: an expired exemption', () => {
  const exemption = (props: Partial<ExemptionProps>) => exempt('ci-cache', { reason: 'rebuilt on demand', until: '2026-11-24', ...props });

  it('GIVEN an exemption whose date has passed WHEN checked THEN COV002 (and not also COV001) names the date and the data', () => {
    const model = modelOf(exemption({ cluster: 'prod-eu' }));

    const found = checkCoverage(model, [inventory('prod-eu', { 'ci-cache': data(2, 20) })], NOW);

    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      code: 'COV002',
      severity: 'error',
      declaration: 'ci-cache',
      path: 'until',
      message: 'the exemption of namespace ci-cache on cluster prod-eu expired on 2026-11-24; the namespace holds 2 PersistentVolumeClaims (20 GiB requested; storage class gp3) on prod-eu',
    });
    expect(found[0]?.source?.file).toBe('test/inventory/coverage.test.ts');
  });

  it('GIVEN no inventory at all WHEN an exemption has expired THEN COV002 is still reported', () => {
    expect(codes(checkCoverage(modelOf(exemption({})), [], NOW))).toEqual(['COV002']);
  });

  it.each([
    ['2026-11-25', []],
    ['2026-11-24', ['COV002']],
    ['2026-11-25T11:59:59Z', ['COV002']],
    ['2026-11-25T12:00:01Z', []],
    ['2026-11-25T13:00:00+02:00', ['COV002']],
  ])('GIVEN until %s and the clock at 2026-11-25T12:00Z WHEN checked THEN %j (a date lasts to the end of its day, UTC)', (until, expected) => {
    expect(codes(checkCoverage(modelOf(exemption({ until })), [], NOW))).toEqual(expected);
  });

  it.each(['next spring', '2027-02-30', '2027-03-31T00:00', '31.03.2027', ''])('GIVEN until %j WHEN checked THEN COV002 says it is not a date', (until) => {
    const [found] = checkCoverage(modelOf(exemption({ until })), [], NOW);

    expect(found?.code).toBe('COV002');
    expect(found?.message).toContain('has no valid end date');
  });
});

describe('COV003: an exemption that is not needed', () => {
  it('GIVEN an exemption for a namespace without claims WHEN checked THEN a COV003 warning', () => {
    const model = modelOf(exempt('web', { cluster: 'prod-eu', reason: 'r', until: '2027-03-31' }));

    const found = checkCoverage(model, [inventory('prod-eu', { web: data(0, 0) })], NOW);

    expect(found).toMatchObject([{ code: 'COV003', severity: 'warning', message: 'the exemption of namespace web on cluster prod-eu is not needed: on prod-eu it holds no PersistentVolumeClaims' }]);
  });

  it('GIVEN an exemption for a namespace a policy backs up WHEN checked THEN a COV003 warning naming the policy', () => {
    const model = modelOf(policy('ledger', { namespaces: ['payments'] }), exempt('payments', { reason: 'r', until: '2027-03-31' }));

    const found = checkCoverage(model, [inventory('prod-eu', { payments: data(1, 1) })], NOW);

    expect(found).toMatchObject([{ code: 'COV003', message: 'the exemption of namespace payments is not needed: on prod-eu policy ledger backs it up' }]);
  });

  it('GIVEN an every-cluster exemption needed on one inventoried cluster WHEN checked THEN nothing is reported', () => {
    const model = modelOf(exempt('scratch', { reason: 'r', until: '2027-03-31' }));
    const inventories = [inventory('prod-eu', { scratch: data(1, 1) }), inventory('dr-us', {})];

    expect(checkCoverage(model, inventories, NOW)).toEqual([]);
  });

  it('GIVEN an exemption for a cluster without an inventory WHEN checked THEN nothing can be said about it', () => {
    const model = modelOf(exempt('web', { cluster: 'dr-us', reason: 'r', until: '2027-03-31' }));

    expect(checkCoverage(model, [inventory('prod-eu', { web: data(0, 0) })], NOW)).toEqual([]);
  });
});

describe('COV004: an inventory of an undeclared cluster', () => {
  it('GIVEN an inventory named after no declared cluster WHEN checked THEN a warning and its namespaces are not checked', () => {
    const found = checkCoverage(modelOf(), [inventory('prod-eux', { payments: data(1, 1) })], NOW);

    expect(found).toMatchObject([{ code: 'COV004', severity: 'warning', declaration: 'prod-eux', source: { file: 'policies/inventory/prod-eux.json', line: 1 } }]);
    expect(found[0]?.hint).toContain('dr-us, prod-eu');
  });
});

describe('helpers', () => {
  it.each([
    [{ matchLabels: { a: '1' } }, { a: '1', b: '2' }, true],
    [{ matchLabels: { a: '1' } }, { a: '2' }, false],
    [{ matchExpressions: [{ key: 'a', operator: 'In' as const, values: ['1', '2'] }] }, { a: '2' }, true],
    [{ matchExpressions: [{ key: 'a', operator: 'In' as const, values: ['1'] }] }, {}, false],
    [{ matchExpressions: [{ key: 'a', operator: 'NotIn' as const, values: ['1'] }] }, {}, true],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists' as const }] }, { a: '' }, true],
    [{ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' as const }] }, { a: '' }, false],
    [{}, {}, true],
  ])('GIVEN selector %j and labels %j WHEN matched THEN %s', (selector, labels, expected) => {
    expect(selectorMatches(selector, labels)).toBe(expected);
  });

  it('GIVEN a date WHEN its lapse time is computed THEN it is the start of the next day, UTC', () => {
    expect(lapseTime('2027-03-31')).toBe(Date.parse('2027-04-01T00:00:00Z'));
  });
});
