import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { ISchedule } from '../../src/k8s/velero/schedule.ts';
import { CLUSTER_LOSS_KINDS } from '../../src/lower/cluster-scoped.ts';
import { restorePlan } from '../../src/index.ts';
import { lower } from '../../src/lower/index.ts';
import { checkObjects } from '../../src/rules/objects.ts';
import { validateAgainstReferenceCrds } from '../support/crd.ts';
import { declarationsOf, modelOf, planOrg } from '../plans/support.ts';

const schedulesOf = (objects: ReturnType<typeof lower>) => objects.filter((p) => p.object.kind === 'Schedule').map((p) => p.object as unknown as ISchedule);
const configMap = (objects: ReturnType<typeof lower>, name: string) => objects.find((p) => p.object.kind === 'ConfigMap' && (p.object.metadata as { name: string }).name === name)?.object as unknown as { data: Record<string, string> };

describe('cluster-loss and region-loss restores bring back what Velero leaves out of a namespace backup', () => {
  it('GIVEN a policy a region-loss plan restores WHEN lowered THEN its Schedules back up StorageClasses, ClusterRoles and IngressClasses with the scoped filters, valid against the real CRD and the object rules', () => {
    const model = modelOf(declarationsOf(planOrg()));
    const objects = lower(model);

    const schedules = schedulesOf(objects);
    expect(schedules.length).toBeGreaterThan(0);
    for (const schedule of schedules) {
      expect(schedule.spec.template.includedClusterScopedResources).toEqual(['storageclasses.storage.k8s.io', 'clusterroles.rbac.authorization.k8s.io', 'ingressclasses.networking.k8s.io']);
      expect(schedule.spec.template.includedResources).toBeUndefined();
      expect(validateAgainstReferenceCrds(schedule)).toEqual([]);
    }
    expect(checkObjects(objects, model).filter((d) => d.code === 'VEL004')).toEqual([]);
  });

  it('GIVEN the restored policy uses includedResources or excludedResources WHEN lowered THEN the kinds join the old filters with includeClusterResources, or excludedResources moves to the scoped filter (Velero refuses mixed filters)', () => {
    const included = schedulesOf(lower(modelOf(declarationsOf(planOrg({ ledger: { includedResources: ['deployments.apps', 'secrets'] } })))))[0]?.spec.template;
    const excluded = schedulesOf(lower(modelOf(declarationsOf(planOrg({ ledger: { excludedResources: ['events'] } })))))[0]?.spec.template;

    expect(included).toMatchObject({ includedResources: ['deployments.apps', 'secrets', ...CLUSTER_LOSS_KINDS], includeClusterResources: true });
    expect(included?.includedClusterScopedResources).toBeUndefined();
    expect(excluded).toMatchObject({ excludedNamespaceScopedResources: ['events'], includedClusterScopedResources: [...CLUSTER_LOSS_KINDS] });
    expect(excluded?.excludedResources).toBeUndefined();
  });

  it('GIVEN only a namespace-loss plan WHEN lowered THEN the Schedules and the runner are unchanged: the cluster is still there', () => {
    const o = planOrg();
    const namespaceLoss = restorePlan('ledger-ns', { from: o.ledger, to: o.prod, scenario: 'namespace-loss', rto: '1h' });
    const objects = lower(modelOf([...declarationsOf(o).filter((d) => d !== o.plan), namespaceLoss]));

    for (const schedule of schedulesOf(objects)) expect(schedule.spec.template.includedClusterScopedResources).toBeUndefined();
    const steps = configMap(objects, 'restore-ledger-ns').data.steps;
    expect(steps).toMatch(/^01 /);
    expect(steps).not.toMatch(/^c1 /m);
  });

  it('GIVEN a region-loss plan WHEN lowered THEN its runner restores the kinds first, cluster-wide, from the same backup; its drill does not (they would outlive the scratch namespaces)', () => {
    const objects = lower(modelOf(declarationsOf(planOrg({ plan: { drill: { every: 'week' } } }))));
    const run = configMap(objects, 'restore-ledger-dr');
    const drill = configMap(objects, 'drill-ledger-dr');

    expect(run.data.steps?.split('\n')[0]).toBe('c1 cluster-scoped ledger');
    expect(yaml.load(run.data['step-c1.yaml'] ?? '')).toMatchObject({
      kind: 'Restore',
      metadata: { name: 'ledger-dr-c1-RESTORABLE_RUN_ID', labels: { 'restorable.dev/step': 'cluster-scoped', 'restorable.dev/run': 'run-RESTORABLE_RUN_ID' } },
      spec: { backupName: 'RESTORABLE_BACKUP_NAME', includedResources: [...CLUSTER_LOSS_KINDS], includeClusterResources: true },
    });
    expect(validateAgainstReferenceCrds(yaml.load(run.data['step-c1.yaml'] ?? ''))).toEqual([]);
    expect(drill.data.steps).not.toMatch(/cluster-scoped/);
    expect(drill.data['step-c1.yaml']).toBeUndefined();
  });
});
