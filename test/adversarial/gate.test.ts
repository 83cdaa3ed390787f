/**
 * The adversarial suite: harmful pull requests, as a careless or hostile contributor would write
 * them, generated against the fixture organisation. The classes are enumerated from the categories
 * of harm (volume data Velero would not capture, and every way a change can lose data or widen what
 * a restore touches), not from what the checker happens to catch. Each mutation must be caught by
 * validate (a new error, or a new coverage finding) or classified `risk` by diff (`review` at least
 * for access widened). Prints per class how many were generated and caught, and every miss.
 */
import { describe, expect, it } from 'vitest';
import { diffModels } from '../../src/diff/compare.ts';
import type { Change } from '../../src/diff/types.ts';
import { resolve } from '../../src/model/resolve.ts';
import { checkCoverage } from '../../src/rules/coverage.ts';
import { checkModel } from '../../src/rules/index.ts';
import { BASE_ORG, declarationsOf, inventoriesOf, type OrgSpec, patch, sideOf } from './org.ts';

const NOW = new Date('2026-11-25T12:00:00Z');

interface MutationClass {
  readonly name: string;
  /** The least serious diff class that counts as caught. @default 'risk' */
  readonly atLeast?: 'risk' | 'review';
  /** Named variants of the harmful change. */
  readonly variants: Readonly<Record<string, (org: OrgSpec) => OrgSpec>>;
}

const shop = BASE_ORG.policies.shop as OrgSpec['policies'][string];
const search = BASE_ORG.policies.search as OrgSpec['policies'][string];

/** Items 1 and 2: data that Velero would not capture. */
const COVERAGE_CLASSES: readonly MutationClass[] = [
  {
    name: "selector takes another app's objects only",
    variants: {
      'matchLabels app=web': (o) => patch(o, 'policies', 'shop', { selector: { matchLabels: { app: 'web' } } }),
      'In [web]': (o) => patch(o, 'policies', 'shop', { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] } }),
      'label nobody carries': (o) => patch(o, 'policies', 'shop', { selector: { matchLabels: { 'backup.acme.io/enabled': 'true' } } }),
      'namespace label instead of object label': (o) => patch(o, 'policies', 'shop', { namespaces: [], selector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } }),
    },
  },
  {
    name: 'namespace no longer included',
    variants: {
      renamed: (o) => patch(o, 'policies', 'shop', { namespaces: ['shop-v2'] }),
      'other namespace': (o) => patch(o, 'policies', 'search', { namespaces: ['search-staging'] }),
    },
  },
  {
    name: 'resource filters or volumes keep objects only',
    variants: {
      'exclude pvc': (o) => patch(o, 'policies', 'shop', { excludedResources: ['persistentvolumeclaims'] }),
      'include deployments only': (o) => patch(o, 'policies', 'shop', { includedResources: ['deployments.apps', 'services'] }),
      "volumes 'none'": (o) => patch(o, 'policies', 'ledger', { volumes: 'none' }),
    },
  },
  {
    name: 'volume policy skips captured volumes',
    variants: {
      'skip gp3': (o) => patch(o, 'policies', 'shop', { volumePolicies: [{ conditions: { storageClass: ['gp3'] }, action: 'skip' }] }),
      'skip by pvc labels': (o) => patch(o, 'policies', 'shop', { volumePolicies: [{ conditions: { pvcLabels: { app: 'db' } }, action: 'skip' }] }),
      'skip by capacity': (o) => patch(o, 'policies', 'search', { volumePolicies: [{ conditions: { capacity: '0,1Ti' }, action: 'skip' }] }),
      'skip by csi driver': (o) => patch(o, 'policies', 'ledger', { volumePolicies: [{ conditions: { csiDriver: 'ebs.csi.aws.com' }, action: 'skip' }] }),
    },
  },
  {
    name: 'snapshot chosen where the provisioner has no snapshot class',
    variants: {
      'snapshot class removed': (o) => patch(o, 'clusters', 'prod', { snapshotDrivers: [] }),
      'snapshot class for another driver': (o) => patch(o, 'clusters', 'dr', { snapshotDrivers: ['pd.csi.storage.gke.io'] }),
    },
  },
  {
    name: 'native snapshot chosen where the snapshot location cannot snapshot the provisioner',
    variants: {
      // The AWS plugin snapshots only EBS volumes: search's cache lives on rancher.io/local-path.
      'native-snapshot, skip rule dropped': (o) => patch(o, 'policies', 'search', { volumes: 'native-snapshot', volumePolicies: [] }),
      'native-snapshot, skip turned into snapshot': (o) => patch(o, 'policies', 'search', { volumes: 'native-snapshot', volumePolicies: [{ conditions: { storageClass: ['local-cache'] }, action: 'snapshot' }] }),
    },
  },
  {
    name: 'file-system backup without a pod mounting the claim',
    variants: {
      'filesystem, pods excluded': (o) => patch(o, 'policies', 'shop', { volumes: 'filesystem', excludedResources: ['pods'] }),
      'filesystem, claims only': (o) => patch(o, 'policies', 'ledger', { volumes: 'filesystem', includedResources: ['persistentvolumeclaims', 'persistentvolumes'] }),
    },
  },
];

/** Item 6: every change that can lose data or widen what a restore touches. */
const DIFF_CLASSES: readonly MutationClass[] = [
  {
    name: "backups go to another cluster's storage",
    variants: {
      'dr ledger into prod storage': (o) => patch(o, 'policies', 'ledger', { storage: 'prod-backups' }),
      'prod shop into dr storage': (o) => patch(patch(o, 'clusters', 'prod', { storage: ['prod-backups', 'dr-backups'] }), 'policies', 'shop', { storage: 'dr-backups' }),
    },
  },
  {
    name: "a location reading another cluster's backups turns writable",
    variants: {
      'new dr policy writing to prod storage': (o) => patch(o, 'policies', 'dr-cache', { cluster: 'dr', storage: 'prod-backups', namespaces: ['cache'], rpo: '4h', retention: { daily: 3 }, volumes: 'csi-snapshot' }),
    },
  },
  {
    name: 'two storages on one bucket and prefix',
    variants: {
      'dr storage onto prod bucket': (o) => patch(o, 'storages', 'dr-backups', { bucket: 'acme-prod-backups', prefix: 'prod' }),
      'new storage onto prod bucket': (o) => patch(patch(o, 'storages', 'archive', { bucket: 'acme-prod-backups', region: 'eu-west-1', prefix: 'prod' }), 'clusters', 'dr', { storage: ['dr-backups', 'prod-backups', 'archive'] }),
    },
  },
  {
    name: 'a restore step reads a policy outside its plan',
    variants: {
      'shop-loss step from search': (o) => patch(o, 'plans', 'shop-loss', { order: [{ name: 'restore-shop' }, { name: 'restore-search', from: 'search', after: ['restore-shop'] }] }),
    },
  },
  {
    name: 'volume policies stop capturing captured volumes',
    variants: {
      'skip rule moved first': (o) => patch(o, 'policies', 'search', { volumePolicies: [{ conditions: { capacity: '0,10Ti' }, action: 'skip' }, ...(search.volumePolicies ?? [])] }),
      'skip rule widened': (o) => patch(o, 'policies', 'search', { volumePolicies: [{ conditions: { storageClass: ['local-cache', 'gp3'] }, action: 'skip' }] }),
    },
  },
  {
    name: 'RTO tightened while its estimate was removed',
    variants: {
      'shop-loss 30m without dataSize': (o) => patch(o, 'plans', 'shop-loss', { rto: '30m', dataSize: undefined }),
    },
  },
  {
    name: 'repository password changed',
    variants: {
      prod: (o) => patch(o, 'clusters', 'prod', { password: 'velero-repo-credentials-2027' }),
      dr: (o) => patch(o, 'clusters', 'dr', { password: 'velero-repo-credentials-dr' }),
    },
  },
  {
    name: 'a restore can overwrite a namespace another policy owns',
    variants: {
      'existingResources update': (o) => patch(o, 'plans', 'shop-loss', { existingResources: 'update' }),
      'mapping onto the ledger namespace': (o) => patch(o, 'plans', 'shop-region-loss', { namespaceMapping: { shop: 'ledger' } }),
    },
  },
  {
    name: 'an exemption replaces a policy',
    variants: {
      'ledger exempted instead': (o) => patch(patch(o, 'policies', 'ledger', null), 'exemptions', 'ledger', { namespace: 'ledger', cluster: 'dr', reason: 'rebuilt from the shop', until: '2027-03-31' }),
      'search exempted on every cluster': (o) => patch(patch(o, 'policies', 'search', null), 'exemptions', 'search', { namespace: 'search', reason: 'index can be rebuilt', until: '2027-06-30' }),
    },
  },
  {
    name: 'alerts or drills turned off',
    variants: {
      'monitoring none': (o) => patch(o, 'clusters', 'prod', { monitoring: 'none' }),
      'drill removed': (o) => patch(o, 'plans', 'shop-loss', { drill: undefined }),
      'drill rarer': (o) => patch(o, 'plans', 'shop-region-loss', { drill: { every: 'quarter' } }),
    },
  },
  {
    name: 'restore points cut',
    variants: {
      'daily halved': (o) => patch(o, 'policies', 'shop', { retention: { ...shop.retention, daily: 7 } }),
      'hourly tier dropped': (o) => patch(o, 'policies', 'shop', { retention: { daily: 14, weekly: 4 } }),
    },
  },
  {
    name: 'access widened',
    atLeast: 'review',
    variants: {
      'new restore group': (o) => patch(o, 'policies', 'shop', { access: { restore: ['group:shop-oncall', 'group:contractors'] } }),
      'new backup group': (o) => patch(o, 'policies', 'ledger', { access: { backup: ['group:interns'] } }),
      'view on more policies': (o) => patch(o, 'policies', 'search', { access: { view: ['group:everyone'] } }),
    },
  },
];

/** Errors validate reports (resolution, rules, coverage findings) as comparable strings. */
function validateFindings(org: OrgSpec): Set<string> {
  const { model, diagnostics } = resolve(declarationsOf(org));
  const found = [...diagnostics, ...checkModel(model, { now: NOW }), ...checkCoverage(model, inventoriesOf(), NOW)];
  return new Set(found.filter((d) => d.severity === 'error' || d.code.startsWith('COV')).map((d) => `${d.code} ${d.declaration ?? ''}.${d.path ?? ''}: ${d.message}`));
}

interface Outcome {
  readonly klass: string;
  readonly variant: string;
  readonly caughtBy: string[];
}

function run(classes: readonly MutationClass[]): Outcome[] {
  const baseFindings = validateFindings(BASE_ORG);
  const base = sideOf(BASE_ORG);
  return classes.flatMap((klass) =>
    Object.entries(klass.variants).map(([variant, mutate]) => {
      const head = mutate(BASE_ORG);
      const caughtBy: string[] = [];
      const fresh = [...validateFindings(head)].filter((f) => !baseFindings.has(f));
      if (fresh.length > 0) caughtBy.push(`validate ${[...new Set(fresh.map((f) => f.split(' ')[0]))].join(',')}`);
      const serious = (c: Change) => c.class === 'risk' || (klass.atLeast === 'review' && c.class === 'review');
      const flagged = diffModels(base, sideOf(head)).filter(serious);
      if (flagged.length > 0) caughtBy.push(`diff ${[...new Set(flagged.map((c) => c.kind))].join(',')}`);
      return { klass: klass.name, variant, caughtBy };
    }),
  );
}

function report(title: string, outcomes: readonly Outcome[]): string {
  const lines = [title];
  for (const name of [...new Set(outcomes.map((o) => o.klass))]) {
    const of = outcomes.filter((o) => o.klass === name);
    lines.push(`  ${name}: ${of.length} generated, ${of.filter((o) => o.caughtBy.length > 0).length} caught`);
  }
  const misses = outcomes.filter((o) => o.caughtBy.length === 0);
  lines.push(misses.length === 0 ? '  misses: none' : `  misses:\n${misses.map((m) => `    ${m.klass} / ${m.variant}`).join('\n')}`);
  return lines.join('\n');
}

describe('adversarial pull requests against the fixture organisation', () => {
  it('GIVEN the fixture organisation WHEN validated THEN it is clean apart from unsealed credentials and the deliberate cache skip (so a mutation is caught by what it adds)', () => {
    const findings = [...validateFindings(BASE_ORG)];
    expect(findings.filter((f) => !f.startsWith('SEC001 '))).toEqual([expect.stringMatching(/^COV010 search\.volumePolicies\[0\]: namespace search on cluster prod holds 1 of its 2 PersistentVolumeClaims \(cache-0;/)]);
    expect(diffModels(sideOf(BASE_ORG), sideOf(BASE_ORG))).toEqual([]);
  });

  it.each([
    ['items 1-2: volume data Velero would not capture', COVERAGE_CLASSES],
    ['item 6: changes that lose data or widen a restore', DIFF_CLASSES],
  ])('GIVEN generated mutations for %s WHEN each is validated and diffed THEN every one is caught', (title, classes) => {
    const outcomes = run(classes);

    console.log(report(title, outcomes));
    for (const klass of classes) expect(Object.keys(klass.variants).length, klass.name).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.caughtBy.length === 0).map((o) => `${o.klass} / ${o.variant}`)).toEqual([]);
  });
});
