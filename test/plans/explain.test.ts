/**
 * `restorable explain NAMESPACE`: in-process on organisations built with the DSL (policies by name
 * and by selector, tiers and restore points against cron-parser, plans, filters, exemptions,
 * problems), and through the real CLI on the example organisation.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CronExpressionParser } from 'cron-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { exempt } from '../../src/index.ts';
import { explainNamespace, type NamespaceExplanation, renderExplanation } from '../../src/explain/index.ts';
import type { LoadedInventory } from '../../src/inventory/types.ts';
import { loadPolicies } from '../../src/loader/load.ts';
import { lower } from '../../src/lower/index.ts';
import type { Model } from '../../src/model/types.ts';
import { checkModel } from '../../src/rules/index.ts';
import { cliEnv, runBinIn, runCli, stackTraceLines } from '../support/run-cli.ts';
import { exampleOrgDir, examplePoliciesRel } from '../support/temp.ts';
import { declarationsOf, modelOf, NOW, type PlanOrgChanges, planOrg } from './support.ts';

const modelWith = (changes: PlanOrgChanges = {}): Model => modelOf(declarationsOf(planOrg(changes)));

/** An inventory of `cluster` in which `namespace` holds one claim labelled `labels`. */
const inventory = (cluster: string, namespace: string, labels: Record<string, string>): LoadedInventory => ({
  inventory: {
    version: 2,
    cluster,
    storageClasses: { gp3: { provisioner: 'ebs.csi.aws.com', default: true } },
    namespaces: {
      [namespace]: {
        // The namespace itself carries the label every selector below asks for: Velero never matches namespace labels.
        labels: { team: 'payments' },
        persistentVolumeClaims: 1,
        requestedBytes: 1024,
        storageClasses: ['gp3'],
        statefulSets: [],
        claims: { data: { requestedBytes: 1024, storageClass: 'gp3', labels } },
        pods: [],
      },
    },
  },
  file: `policies/inventory/${cluster}.json`,
  lines: {},
});

/** Restore points of a tier alive at `at`: runs of its cron within the TTL before `at` (cron-parser, UTC). */
function alive(cron: string, ttlSeconds: number, at: Date): number {
  const parsed = CronExpressionParser.parse(cron, { currentDate: new Date(at.getTime() - ttlSeconds * 1000), tz: 'UTC' });
  let count = 0;
  for (let next = parsed.next().toDate(); next <= at; next = parsed.next().toDate()) count += 1;
  return count;
}

describe('explain, in-process', () => {
  it('GIVEN a namespace a policy lists WHEN explained THEN it names the policy, cluster and storage, and every tier with its cron and TTL', () => {
    const model = modelWith();
    const e = explainNamespace(model, { namespace: 'payments' });
    expect(e).toMatchObject({ version: 1, namespace: 'payments', protected: true });
    expect(e.protections).toHaveLength(1);
    const [p] = e.protections;
    expect(p).toMatchObject({ policy: 'ledger', cluster: 'prod', storage: 'eu-backups', reach: { kind: 'namespaces' }, certain: true, volumes: 'snapshot-data-mover', volumeData: true, rpo: { seconds: 3600, text: '1h' } });
    const schedules = model.policies.find((x) => x.name === 'ledger')?.schedules ?? [];
    expect(p?.tiers.map((t) => [t.tier, t.schedule, t.cron, t.ttl.go, t.keep])).toEqual(schedules.map((s) => [s.tier, s.name, s.cron, expect.stringMatching(/^\d+h0m0s$/), s.keep]));
    expect(p?.tiers.map((t) => t.ttl.go)).toEqual(['25h0m0s', '169h0m0s', '673h0m0s', '8929h0m0s']);
  });

  it('GIVEN the tiers WHEN their restore points are counted THEN each is about TTL / interval, close to the runs cron-parser finds within a TTL, at many moments', () => {
    const [p] = explainNamespace(modelWith(), { namespace: 'payments' }).protections;
    expect(p?.tiers.map((t) => t.restorePoints)).toEqual([25, 7, 4, 12]);
    expect(p?.restorePoints.count).toBe(48);
    const moments = ['2027-01-01T00:00:00Z', '2027-03-31T03:36:00Z', '2027-07-14T15:00:00Z', '2027-11-01T03:38:00Z', '2028-02-29T12:00:00Z'].map((t) => new Date(t));
    for (const at of moments) {
      const counts = (p?.tiers ?? []).map((tier) => ({ tier, alive: alive(tier.cron, tier.ttl.seconds, at) }));
      // A finer tier skips the runs a coarser tier makes at the same moment (the hourly tier the daily
      // hour, the daily tier Sunday), so it alone holds one or two fewer than TTL / interval; the
      // coarser tier's run stands in, so the total stays within one per tier.
      for (const { tier, alive: n } of counts) expect(Math.abs(n - tier.restorePoints), `${tier.tier} at ${at.toISOString()}`).toBeLessThanOrEqual(2);
      const total = counts.reduce((sum, c) => sum + c.alive, 0);
      expect(Math.abs(total - (p?.restorePoints.count ?? 0)), `total at ${at.toISOString()}`).toBeLessThanOrEqual(counts.length);
    }
  });

  it('GIVEN the tiers WHEN summarised THEN the newest restore point is at most the base interval old and the oldest is the longest TTL', () => {
    const [p] = explainNamespace(modelWith({ ledger: { rpo: '15m', retention: { hourly: 24, daily: 30 } } }), { namespace: 'payments' }).protections;
    expect(p?.restorePoints.newestAtMost).toEqual({ seconds: 900, text: '15m' });
    expect(p?.restorePoints.oldest.seconds).toBe(30 * 86_400 + 900);
    expect(p?.restorePoints.oldest.text).toBe('30d');
    expect(p?.tiers[0]?.interval.seconds).toBe(900);
  });

  it('GIVEN a region-loss plan WHEN explained THEN it gives scenario, target, RTO, the runner command and the drill CronJob and result ConfigMap as compiled', () => {
    const model = modelWith({ plan: { namespaceMapping: { payments: 'payments-dr' } } });
    const [plan] = explainNamespace(model, { namespace: 'payments' }).protections[0]?.plans ?? [];
    expect(plan).toMatchObject({
      plan: 'ledger-dr',
      scenario: 'region-loss',
      mode: 'full',
      targetCluster: 'dr',
      targetNamespace: 'payments-dr',
      rto: { seconds: 2700, text: '45m' },
      runner: { cronJob: 'restore-ledger-dr', namespace: 'velero', command: 'kubectl -n velero create job --from=cronjob/restore-ledger-dr restore-ledger-dr-$(date +%s)', lastRunConfigMap: 'restore-ledger-dr-last-run' },
      drill: { every: 'week', cronJob: 'drill-ledger-dr', resultConfigMap: 'drill-ledger-dr-result', readResult: 'kubectl -n velero get configmap drill-ledger-dr-result -o yaml' },
      runbook: 'generated/runbooks/dr/ledger-dr/README.md',
      problems: [],
    });
    const cronJob = lower(model).find((o) => o.cluster === 'dr' && o.object.kind === 'CronJob' && (o.object.metadata as { name: string }).name === 'drill-ledger-dr');
    expect(plan?.drill?.schedule).toBe((cronJob?.object.spec as { schedule?: string } | undefined)?.schedule);
  });

  it('GIVEN a plan without a drill and a plan with an RTO below its estimate WHEN explained THEN the text says it is never rehearsed and shows the error', () => {
    const model = modelWith({ plan: { drill: undefined, dataSize: '2Ti' } });
    const e = explainNamespace(model, { namespace: 'payments', diagnostics: checkModel(model, { now: NOW }) });
    const plan = e.protections[0]?.plans[0];
    expect(plan?.drill).toBeUndefined();
    expect(plan?.problems).toEqual([expect.stringMatching(/^PLAN011: RTO 45m is below the estimated restore time/)]);
    const text = renderExplanation(e);
    expect(text).toContain('drill:    none: this plan is never rehearsed');
    expect(text).toContain('ERROR PLAN011: RTO 45m');
  });

  it('GIVEN --cluster of the DR cluster WHEN explained THEN the namespace is not backed up there but named as the target of the region-loss plan', () => {
    const e = explainNamespace(modelWith(), { namespace: 'payments', cluster: 'dr' });
    expect(e.protected).toBe(false);
    expect(e.protections).toEqual([]);
    expect(e.restoredInto).toEqual([{ plan: 'ledger-dr', from: ['ledger'], sourceNamespace: 'payments', targetCluster: 'dr' }]);
    expect(renderExplanation(e)).toMatch(/^namespace payments on cluster dr: NOT backed up: no policy covers it\n/);
  });

  it('GIVEN a namespace no policy covers, exempted on purpose WHEN explained THEN it is not protected and the exemption and a hint are shown', () => {
    const model = modelOf([...declarationsOf(planOrg()), exempt('scratch', { cluster: 'prod', reason: 'rebuilt from Git nightly', until: '2027-03-31' })]);
    const e = explainNamespace(model, { namespace: 'scratch' });
    expect(e).toMatchObject({ protected: false, protections: [], exemptions: [{ cluster: 'prod', reason: 'rebuilt from Git nightly', until: '2027-03-31' }] });
    const text = renderExplanation(e);
    expect(text).toContain('namespace scratch: NOT backed up: no policy covers it');
    expect(text).toContain('exempted on cluster prod until 2027-03-31: rebuilt from Git nightly');
    expect(text).toContain("hint: back it up with a policy (namespaces: ['scratch'])");
  });

  describe('a policy that selects by labels instead of naming namespaces', () => {
    const model = modelWith({ ledger: { namespaces: undefined, selector: { matchLabels: { team: 'payments' } } }, plan: { order: undefined, drill: undefined } });

    it("GIVEN an inventory whose claim carries the selected labels WHEN explained THEN the policy certainly covers it, via its selector, restored in place", () => {
      const e = explainNamespace(model, { namespace: 'billing', inventories: [inventory('prod', 'billing', { team: 'payments' })] });
      expect(e.protected).toBe(true);
      expect(e.protections[0]?.reach).toEqual({ kind: 'selector', selector: { matchLabels: { team: 'payments' } }, labels: 'match' });
      expect(e.protections[0]?.plans.map((p) => [p.plan, p.targetNamespace])).toEqual([['ledger-dr', 'billing']]);
    });

    it("GIVEN an inventory whose claim's labels differ (even if the namespace's match) WHEN explained THEN the policy does not cover it", () => {
      expect(explainNamespace(model, { namespace: 'billing', inventories: [inventory('prod', 'billing', { team: 'web' })] }).protections).toEqual([]);
    });

    it('GIVEN no inventory WHEN explained THEN the policy only possibly covers it, and the namespace is not reported as protected', () => {
      const e = explainNamespace(model, { namespace: 'billing' });
      expect(e.protected).toBe(false);
      expect(e.protections.map((p) => [p.policy, p.certain])).toEqual([['ledger', false]]);
      expect(renderExplanation(e)).toContain('NOT proven to be backed up');
      expect(renderExplanation(e)).toContain('selects objects labelled team=payments in every namespace');
    });
  });

  it('GIVEN a policy of Kubernetes objects only WHEN explained THEN it says no volume data is kept', () => {
    const e = explainNamespace(modelWith({ ledger: { volumes: 'none', apps: [] }, plan: { order: undefined, drill: undefined } }), { namespace: 'payments' });
    expect(e.protections[0]?.volumeData).toBe(false);
    expect(renderExplanation(e)).toContain('volumes none (Kubernetes objects only: no volume data)');
  });
});

describe('restorable explain, through the real CLI on the example organisation', () => {
  let golden = '';
  beforeAll(async () => {
    golden = await readFile(path.join(import.meta.dirname, 'golden', 'ledger-region-loss', 'README.md'), 'utf8');
  });

  it('GIVEN payments WHEN explained THEN exit 0 and the ledger, its tiers, both plans, the runner command as in the runbook and the drill result ConfigMap are printed', async () => {
    const [result, loaded] = await Promise.all([runCli(['explain', 'payments', '--policies', examplePoliciesRel]), loadPolicies(examplePoliciesRel)]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^namespace payments: backed up by 1 policy\n/);
    expect(result.stdout).toContain('backed up on cluster prod-eu by policy ledger (it lists it in its namespaces)');
    const ledger = loaded.model.policies.find((p) => p.name === 'ledger');
    for (const schedule of ledger?.schedules ?? []) expect(result.stdout).toMatch(new RegExp(`${schedule.tier}\\s+${schedule.name}\\s+${schedule.cron.replaceAll('*', '\\*')}\\s+\\d+h0m0s`));
    expect(result.stdout).toContain('RPO 1h: the newest restore point is at most 1h old, the oldest about 372d (the longest TTL)');
    const runner = /^kubectl -n velero create job --from=cronjob\/restore-ledger-region-loss .*$/m.exec(golden)?.[0];
    expect(runner).toBeDefined();
    expect(result.stdout).toContain(`run:      ${runner}`);
    expect(result.stdout).toContain('ledger-region-loss: region-loss (full) into cluster dr-us, namespace payments; RTO 45m');
    expect(result.stdout).toContain('ledger-namespace-loss: namespace-loss (full) into cluster prod-eu, namespace payments; RTO 15m');
    expect(result.stdout).toContain('last drill result: ConfigMap drill-ledger-region-loss-result: kubectl -n velero get configmap drill-ledger-region-loss-result -o yaml');
  });

  it('GIVEN search, whose cache volumes the volume policy skips WHEN explained THEN the data it holds and the part not backed up are stated with their sizes', async () => {
    const [text, json] = await Promise.all([
      runCli(['explain', 'search', '--policies', examplePoliciesRel]),
      runCli(['explain', 'search', '--format', 'json', '--policies', examplePoliciesRel]),
    ]);

    expect(text.stdout.split('\n')[1]).toBe('holds 5 PersistentVolumeClaims, 2 TiB requested, on cluster prod-eu; 50 GiB of it not backed up (restorable validate says why)');
    expect((JSON.parse(json.stdout) as NamespaceExplanation).data).toEqual([{ cluster: 'prod-eu', claims: 5, requestedBytes: 2_252_710_346_752, notBackedUpBytes: 50 * 2 ** 30 }]);
  });

  it('GIVEN --format json WHEN explained THEN the JSON has version 1 and the plans of the ledger', async () => {
    const result = await runCli(['explain', 'payments', '--format', 'json', '--policies', examplePoliciesRel]);
    expect(result.code).toBe(0);
    const e = JSON.parse(result.stdout) as NamespaceExplanation;
    expect(e).toMatchObject({ version: 1, namespace: 'payments', protected: true });
    expect(e.protections.map((p) => p.policy)).toEqual(['ledger']);
    expect(e.protections[0]?.plans.map((p) => [p.plan, p.targetCluster, p.drill?.resultConfigMap])).toEqual([
      ['ledger-namespace-loss', 'prod-eu', 'drill-ledger-namespace-loss-result'],
      ['ledger-region-loss', 'dr-us', 'drill-ledger-region-loss-result'],
    ]);
  });

  it('GIVEN a namespace no policy covers WHEN explained from the organisation folder, without --policies THEN it reads ./policies, says so plainly and exits 1, without a stack trace', async () => {
    const result = await runBinIn(['explain', 'kube-system'], { cwd: exampleOrgDir, env: cliEnv() });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^namespace kube-system: NOT backed up: no policy covers it\n/);
    expect(result.stderr).toBe('');
  });

  it('GIVEN --cluster dr-us WHEN payments is explained THEN exit 1: not backed up there, but the region-loss plan restores into it', async () => {
    const result = await runCli(['explain', 'payments', '--cluster', 'dr-us', '--policies', examplePoliciesRel]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('namespace payments on cluster dr-us: NOT backed up');
    expect(result.stdout).toContain('restore target: plan ledger-region-loss restores namespace payments (policy ledger) into this namespace on cluster dr-us');
  });

  it('GIVEN an unknown cluster or a namespace that is not a Kubernetes name WHEN explained THEN exit 2 with the reason and no stack trace', async () => {
    const [cluster, name] = await Promise.all([runCli(['explain', 'payments', '--cluster', 'mars', '--policies', examplePoliciesRel]), runCli(['explain', 'Payments;$(id)', '--policies', examplePoliciesRel])]);
    expect(cluster.code).toBe(2);
    expect(cluster.stderr).toContain(`--cluster: no cluster "mars" is declared in ${examplePoliciesRel} (declared: dr-us, prod-eu)`);
    expect(name.code).toBe(2);
    expect(name.stderr).toContain('is not a valid Kubernetes name');
    expect([...stackTraceLines(cluster.stderr), ...stackTraceLines(name.stderr)]).toEqual([]);
  });
});
