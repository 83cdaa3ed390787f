/**
 * The steps a restore plan compiles to: configuration and storage first (no selector), then the
 * declared steps, then whatever they leave behind; a step from a policy outside the plan is an
 * error; restore hook timeouts derived from the plan; the source's SealedSecrets handed back to
 * their controller where it can open them, and left out where it cannot.
 */
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { backupPolicy } from '../../src/index.ts';
import { lower } from '../../src/lower/index.ts';
import { CONFIG_AND_STORAGE_RESOURCES } from '../../src/model/restore-plan.ts';
import type { RestorePlanModel } from '../../src/model/types.ts';
import { declarationsOf, diagnose, ledgerDb, modelOf, type PlanOrgChanges, planOrg, sites } from './support.ts';

const planOf = (changes: PlanOrgChanges = {}): RestorePlanModel => modelOf(declarationsOf(planOrg(changes))).restorePlans[0]!;
const summary = (plan: RestorePlanModel) => plan.steps.map((s) => `${s.index} ${s.name} (${s.origin})`);

interface Restore {
  metadata: { labels: Record<string, string> };
  spec: { includedResources?: string[]; excludedResources?: string[]; labelSelector?: unknown; resourceModifier?: { name: string } };
}

/** The runner's (or drill's) Restore templates and modifier rules of the fixture with `changes`. */
function lowered(changes: PlanOrgChanges, variant: 'restore' | 'drill' = 'restore') {
  const objects = lower(modelOf(declarationsOf(planOrg(changes)))).map((p) => p.object as { kind: string; metadata: { name: string }; data?: Record<string, string> });
  const name = `${variant}-${changes.planName ?? 'ledger-dr'}`;
  const data = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name)?.data ?? {};
  const modifiers = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === `${name}-modifiers`)?.data?.['modifiers.yaml'];
  const restores = Object.keys(data)
    .filter((k) => /^step-\d\d\.yaml$/.test(k))
    .sort()
    .map((k) => yaml.load(data[k] ?? '') as Restore);
  const rules = modifiers ? (yaml.load(modifiers) as { resourceModifierRules: { conditions: { groupResource: string; namespaces?: string[] }; mergePatches?: { patchData: string }[] }[] }).resourceModifierRules : [];
  return { restores, rules };
}

describe('complete, ordered steps', () => {
  it('GIVEN an order of selector steps only WHEN resolved THEN configuration and storage come first without selector, and a last step restores what the selectors leave out', () => {
    const plan = planOf({ plan: { order: [{ name: 'ledger-db' }, { name: 'ledger-api', after: ['ledger-db'], selector: { app: 'ledger-api' } }] } });
    expect(summary(plan)).toEqual(['1 ledger-config-storage (config-and-storage)', '2 ledger-db (declared)', '3 ledger-api (declared)', '4 ledger-rest (remainder)']);
    const [first, db, api, rest] = plan.steps;
    expect(first?.selector).toBeUndefined();
    expect(first?.resources).toEqual(CONFIG_AND_STORAGE_RESOURCES);
    expect(db?.after).toEqual(['ledger-config-storage']);
    expect(api?.after).toEqual(['ledger-db']);
    expect(rest?.selector).toBeUndefined();
    expect(rest).toMatchObject({ resources: [], excludedResources: CONFIG_AND_STORAGE_RESOURCES, after: ['ledger-api'] });
  });

  it('GIVEN an order whose last step has no selector and no resource list WHEN resolved THEN no step is added after it (it restores the rest)', () => {
    expect(summary(planOf())).toEqual(['1 ledger-config-storage (config-and-storage)', '2 ledger-db (declared)', '3 ledger-api (declared)', '4 ledger-rest (declared)']);
  });

  it('GIVEN steps restricted to resource lists WHEN resolved THEN they are restored as declared and a last step brings back every other kind', () => {
    const plan = planOf({ plan: { order: [{ name: 'workloads', resources: ['deployments.apps', 'statefulsets.apps'] }] } });
    expect(summary(plan)).toEqual(['1 ledger-config-storage (config-and-storage)', '2 workloads (declared)', '3 ledger-rest (remainder)']);
    expect(plan.steps[1]).toMatchObject({ resources: ['deployments.apps', 'statefulsets.apps'], excludedResources: [] });
  });

  it('GIVEN no order WHEN resolved THEN the app profiles restore after configuration and storage, and the rest last', () => {
    expect(summary(planOf({ plan: { order: undefined } }))).toEqual(['1 ledger-config-storage (config-and-storage)', '2 ledger-db (declared)', '3 ledger-rest (remainder)']);
  });

  it('GIVEN a declared step named like the remainder WHEN resolved THEN the remainder takes another name', () => {
    const plan = planOf({ plan: { order: [{ name: 'ledger-rest', selector: { app: 'x' } }] } });
    expect(plan.steps.map((s) => s.name)).toEqual(['ledger-config-storage', 'ledger-rest', 'ledger-rest-2']);
  });

  it('GIVEN a data-only plan WHEN resolved THEN one step restores the data of every namespace without selector, and no restore hook is left (Velero restores no pods)', () => {
    const plan = planOf({ plan: { mode: 'data-only' } });
    expect(summary(plan)).toEqual(['1 ledger-config-storage (config-and-storage)']);
    expect(plan.steps[0]).toMatchObject({ resources: ['namespaces', 'persistentvolumeclaims', 'persistentvolumes', 'secrets', 'configmaps'], hooks: [] });
  });

  it('GIVEN the lowered steps WHEN read THEN the first includes only configuration and storage, without selector, and every later step without a resource list excludes them', () => {
    const { restores } = lowered({ plan: { order: [{ name: 'ledger-db' }] } });
    expect(restores.map((r) => r.metadata.labels['restorable.dev/step'])).toEqual(['ledger-config-storage', 'ledger-db', 'ledger-rest']);
    expect(restores[0]?.spec).toMatchObject({ includedResources: CONFIG_AND_STORAGE_RESOURCES });
    expect(restores[0]?.spec.labelSelector).toBeUndefined();
    for (const restore of restores.slice(1)) {
      expect(restore.spec.includedResources).toBeUndefined();
      expect(restore.spec.excludedResources).toEqual(expect.arrayContaining(CONFIG_AND_STORAGE_RESOURCES));
    }
  });

  it('GIVEN a step whose from names a policy outside the plan WHEN checked THEN PLAN004 names the step, the policy and the plan\'s policies', () => {
    const o = planOrg();
    const other = backupPolicy('search', { cluster: o.prod, storage: o.eu, namespaces: ['search'], rpo: '1h', retention: { hourly: 24 }, volumes: 'snapshot-data-mover' });
    const changed = planOrg({ plan: { order: [{ name: 'ledger-db' }, { name: 'search-all', from: other }] } });
    const found = diagnose([...declarationsOf(changed), other]).filter((d) => d.code === 'PLAN004');
    expect(found.map((d) => `${d.declaration}.${d.path}`)).toEqual(['ledger-dr.order[1].from']);
    expect(found[0]?.message).toBe('step "search-all" restores from policy "search", which is not one of the plan\'s policies (ledger)');
    expect(found[0]?.severity).toBe('error');
  });

  it('GIVEN a step whose from names a policy of the plan WHEN checked THEN there is no PLAN004', () => {
    const o = planOrg();
    expect(sites(diagnose(declarationsOf(planOrg({ plan: { order: [{ name: 'ledger-db', from: o.ledger }] } }))), 'PLAN004')).toEqual([]);
  });

  it('GIVEN a declared step with the name of the first step WHEN checked THEN PLAN004 says so', () => {
    const found = diagnose(declarationsOf(planOrg({ plan: { order: [{ name: 'ledger-config-storage' }] } }))).filter((d) => d.code === 'PLAN004');
    expect(found.map((d) => `${d.path}: ${d.message}`)).toEqual(['order[0].name: step "ledger-config-storage" has the name of the step that restores configuration and storage first']);
  });
});

describe('restore hook timeouts derived from the plan', () => {
  const hookTimes = (plan: RestorePlanModel) => plan.steps.flatMap((s) => s.hooks.map((h) => [h.waitTimeout.seconds, h.execTimeout.seconds]));

  it('GIVEN 200Gi restored by the data mover WHEN resolved THEN every hook waits and runs 1.5 times the 40m estimate, rounded up to minutes (59m)', () => {
    const plan = planOf();
    expect(plan.hookTimeout).toEqual({ seconds: 59 * 60, basis: 'estimate' });
    expect(hookTimes(plan)).toEqual([
      [3540, 3540],
      [3540, 3540],
    ]);
  });

  it('GIVEN no dataSize WHEN resolved THEN the hooks get 1.5 times the RTO', () => {
    const plan = planOf({ plan: { dataSize: undefined, rto: '2h' } });
    expect(plan.hookTimeout).toEqual({ seconds: 3 * 3600, basis: 'rto' });
    expect(hookTimes(plan)).toEqual([
      [10_800, 10_800],
      [10_800, 10_800],
    ]);
  });

  it('GIVEN a hook that declares longer timeouts than the derived ones WHEN resolved THEN the declared ones stay', () => {
    const slow = { ...ledgerDb, restore: [{ command: ['check'], waitTimeout: '3h', execTimeout: '2h' }] } as const;
    const plan = planOf({ ledger: { apps: [slow] }, plan: { dataSize: '1Gi', rto: '10m' } });
    expect(hookTimes(plan)).toEqual([[3 * 3600, 2 * 3600]]);
  });
});

describe('SealedSecrets after a restore', () => {
  it('GIVEN an in-place plan WHEN lowered THEN every restored Secret of its namespaces is marked managed, so the restored SealedSecret takes it over, and SealedSecrets are restored', () => {
    const o = planOrg();
    const { restores, rules } = lowered({ plan: { to: o.prod, scenario: 'namespace-loss', secretsRecovery: undefined } });
    expect(planOf({ plan: { to: o.prod, scenario: 'namespace-loss', secretsRecovery: undefined } }).sealedSecrets).toBe('mark-managed');
    const managed = rules.filter((r) => r.conditions.groupResource === 'secrets');
    expect(managed).toEqual([{ conditions: { groupResource: 'secrets', namespaces: ['payments'] }, mergePatches: [{ patchData: '{"metadata":{"annotations":{"sealedsecrets.bitnami.com/managed":"true"}}}' }] }]);
    for (const restore of restores) {
      expect(restore.spec.excludedResources ?? []).not.toContain('sealedsecrets.bitnami.com');
      expect(restore.spec.resourceModifier?.name).toBe('restore-ledger-dr-modifiers');
    }
  });

  it("GIVEN a cross-cluster plan that restores the source's sealing key first WHEN lowered THEN Secrets are marked managed too", () => {
    expect(planOf({ plan: { secretsRecovery: 'sealing-key-restored-first' } }).sealedSecrets).toBe('mark-managed');
    expect(lowered({ plan: { secretsRecovery: 'sealing-key-restored-first' } }).rules.filter((r) => r.conditions.groupResource === 'secrets')).toHaveLength(1);
  });

  it("GIVEN a cross-cluster plan whose Secrets come from the backup WHEN lowered THEN the source's SealedSecrets stay out of every step and no Secret is marked", () => {
    const { restores, rules } = lowered({});
    expect(planOf().sealedSecrets).toBe('leave-out');
    for (const restore of restores) expect(restore.spec.excludedResources).toContain('sealedsecrets.bitnami.com');
    expect(rules.filter((r) => r.conditions.groupResource === 'secrets')).toEqual([]);
  });

  it('GIVEN an in-place plan into another namespace WHEN lowered THEN SealedSecrets stay out (sealed for their namespace, they cannot be opened in another)', () => {
    const o = planOrg();
    const plan = planOf({ plan: { to: o.prod, scenario: 'namespace-loss', secretsRecovery: undefined, namespaceMapping: { payments: 'payments-restored' } } });
    expect(plan.sealedSecrets).toBe('leave-out');
  });

  it('GIVEN an in-place plan with a drill WHEN the drill is lowered THEN it leaves SealedSecrets out and marks nothing (its namespaces are not theirs)', () => {
    const o = planOrg();
    const { restores, rules } = lowered({ plan: { to: o.prod, scenario: 'namespace-loss', secretsRecovery: undefined } }, 'drill');
    for (const restore of restores) expect(restore.spec.excludedResources).toContain('sealedsecrets.bitnami.com');
    expect(rules.filter((r) => r.conditions.groupResource === 'secrets')).toEqual([]);
  });
});
