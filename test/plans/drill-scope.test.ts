/**
 * What a drill leaves out so that it has no side effects: the resources no drill Restore brings back
 * (as Velero v1.18 validates and matches them) and the external-dns annotations every drill
 * Service loses.
 */
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { lower } from '../../src/lower/index.ts';
import { DRILL_EXCLUDED_RESOURCES } from '../../src/lower/restore/drill-scope.ts';
import { planConfig } from '../../src/lower/restore/plan-config.ts';
import { CONFIG_AND_STORAGE_RESOURCES } from '../../src/model/restore-plan.ts';
import { declarationsOf, diagnose, modelOf, type PlanOrgChanges, planOrg, sites, unchecked } from './support.ts';
import { applyModifiers, type Rule } from './velero-modifiers.ts';

interface Template {
  readonly metadata: { readonly labels: Record<string, string> };
  readonly spec: { readonly includedResources?: string[]; readonly excludedResources?: string[] };
}

function drillData(changes: PlanOrgChanges = {}): Record<string, string> {
  const model = modelOf(declarationsOf(planOrg(changes)));
  return planConfig(model.restorePlans[0]!, model.policies, 'drill', 'velero');
}

const templates = (data: Record<string, string>): Template[] =>
  Object.keys(data)
    .filter((key) => /^step-\d\d\.yaml$/.test(key))
    .sort()
    .map((key) => yaml.load(data[key] ?? '') as Template);

/** Velero v1.18.1's ValidateIncludesExcludes (pkg/util/collections): a name both included and excluded fails the Restore. */
const veleroValidation = (spec: Template['spec']): string[] =>
  (spec.excludedResources ?? []).filter((name) => (spec.includedResources ?? []).includes(name)).map((name) => `excludes list cannot contain an item in the includes list: ${name}`);

describe('what a drill leaves out', () => {
  const defaults = [
    'cronjobs.batch',
    'ingresses.networking.k8s.io',
    'networkpolicies.networking.k8s.io',
    'horizontalpodautoscalers.autoscaling',
    'scaledobjects.keda.sh',
    'scaledjobs.keda.sh',
    'prometheusrules.monitoring.coreos.com',
    'servicemonitors.monitoring.coreos.com',
    'podmonitors.monitoring.coreos.com',
    'prometheuses.monitoring.coreos.com',
    'alertmanagers.monitoring.coreos.com',
    'certificates.cert-manager.io',
    'issuers.cert-manager.io',
    'clusterissuers.cert-manager.io',
    'externalsecrets.external-secrets.io',
  ];

  it('GIVEN a drill WHEN its Restores are read THEN every step leaves out what acts on the outside world or the cluster, named with its API group as Velero resolves it', () => {
    const steps = templates(drillData());
    expect(steps).toHaveLength(4);
    for (const step of steps) {
      expect(step.spec.excludedResources).toEqual(expect.arrayContaining(defaults));
      // Besides, what the first step already restored, and the source's SealedSecrets (they do not open in drill namespaces).
      const others = (step.spec.excludedResources ?? []).filter((r) => !CONFIG_AND_STORAGE_RESOURCES.includes(r) && r !== 'sealedsecrets.bitnami.com');
      expect(others).toEqual([...DRILL_EXCLUDED_RESOURCES].sort());
    }
  });

  it('GIVEN the runner of the same plan WHEN its Restores are read THEN a real restore leaves out none of what drills leave out', () => {
    const model = modelOf(declarationsOf(planOrg()));
    for (const step of templates(planConfig(model.restorePlans[0]!, model.policies, 'run', 'velero'))) {
      expect((step.spec.excludedResources ?? []).filter((r) => DRILL_EXCLUDED_RESOURCES.includes(r))).toEqual([]);
    }
  });

  it('GIVEN a plan whose drill excludes another kind WHEN lowered THEN that kind is left out too', () => {
    const steps = templates(drillData({ plan: { drill: { every: 'week', exclude: ['kafkatopics.kafka.strimzi.io'] } } }));
    for (const step of steps) expect(step.spec.excludedResources).toEqual(expect.arrayContaining(['kafkatopics.kafka.strimzi.io', 'cronjobs.batch']));
  });

  it('GIVEN a step that names a kind drills leave out WHEN the drill Restore is made THEN the kind is dropped from its included list, since Velero refuses a name in both lists', () => {
    const order = [
      { name: 'ledger-db' },
      { name: 'ledger-rest', after: ['ledger-db'], resources: ['deployments.apps', 'horizontalpodautoscalers.autoscaling', 'networkpolicies.networking.k8s.io'] },
    ];
    const data = drillData({ plan: { order } });
    const rest = templates(data).find((t) => t.metadata.labels['restorable.dev/step'] === 'ledger-rest')!;
    expect(rest.spec.includedResources).toEqual(['deployments.apps']);
    expect(veleroValidation(rest.spec)).toEqual([]);
    // The runner restores them.
    const model = modelOf(declarationsOf(planOrg({ plan: { order } })));
    const runner = templates(planConfig(model.restorePlans[0]!, model.policies, 'run', 'velero')).find((t) => t.metadata.labels['restorable.dev/step'] === 'ledger-rest')!;
    expect(runner.spec.includedResources).toEqual(['deployments.apps', 'horizontalpodautoscalers.autoscaling', 'networkpolicies.networking.k8s.io']);
  });

  it('GIVEN a step that restores only kinds drills leave out WHEN the drill is lowered THEN the drill skips that step instead of restoring everything', () => {
    const data = drillData({
      plan: { order: [{ name: 'ledger-db' }, { name: 'monitoring', after: ['ledger-db'], resources: ['prometheusrules.monitoring.coreos.com'] }, { name: 'ledger-rest', after: ['monitoring'] }] },
    });
    expect(data.steps).toBe('01 ledger-config-storage ledger\n02 ledger-db ledger\n04 ledger-rest ledger\n');
    expect(Object.keys(data).filter((key) => key.startsWith('step-')).sort()).toEqual(['step-01.yaml', 'step-02.yaml', 'step-04.yaml']);
  });

  it('GIVEN a drill exclusion that is not a resource name WHEN checked THEN PLAN017 names the entry', () => {
    const o = planOrg({ plan: { drill: { every: 'week', exclude: unchecked(['KafkaTopic', '*', 'kafkatopics.kafka.strimzi.io']) } } });
    expect(sites(diagnose(declarationsOf(o)), 'PLAN017')).toEqual(['ledger-dr.drill.exclude[0]', 'ledger-dr.drill.exclude[1]']);
  });
});

describe('external-dns and drill Services', () => {
  const objects = lower(modelOf(declarationsOf(planOrg()))).map((p) => p.object as { kind: string; metadata: { name: string }; data?: Record<string, string> });
  const document = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'drill-ledger-dr-modifiers')?.data?.['modifiers.yaml'] ?? '';
  const rules = (yaml.load(document) as { resourceModifierRules: Rule[] }).resourceModifierRules;

  it('GIVEN a Service external-dns publishes WHEN Velero applies the drill modifiers THEN its record annotations are gone and external-dns is told to skip it', () => {
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'ledger-public',
        namespace: 'payments',
        annotations: {
          'external-dns.alpha.kubernetes.io/hostname': 'ledger.example.com',
          'external-dns.alpha.kubernetes.io/internal-hostname': 'ledger.internal.example.com',
          'external-dns.alpha.kubernetes.io/ttl': '60',
          'external-dns.alpha.kubernetes.io/target': '203.0.113.10',
          team: 'payments',
        },
      },
      spec: { type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP' }] },
    };
    const { object, errors } = applyModifiers(rules, service, 'services');
    expect(errors).toEqual([]);
    expect((object.metadata as { annotations: Record<string, string> }).annotations).toEqual({ 'external-dns.alpha.kubernetes.io/controller': 'restorable-drill', team: 'payments' });
  });

  it('GIVEN a Service without annotations WHEN Velero applies the drill modifiers THEN it restores without error', () => {
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'plain', namespace: 'payments' }, spec: { type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP' }] } };
    const { object, errors } = applyModifiers(rules, service, 'services');
    expect(errors).toEqual([]);
    expect((object.metadata as { annotations: Record<string, string> }).annotations).toEqual({ 'external-dns.alpha.kubernetes.io/controller': 'restorable-drill' });
  });
});

describe('claims of a drill whose backups hold no volume data', () => {
  const rulesOf = (changes: PlanOrgChanges): Rule[] => {
    const objects = lower(modelOf(declarationsOf(planOrg(changes)))).map((p) => p.object as { kind: string; metadata: { name: string }; data?: Record<string, string> });
    const document = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'drill-ledger-dr-modifiers')?.data?.['modifiers.yaml'] ?? '';
    return (yaml.load(document) as { resourceModifierRules: Rule[] }).resourceModifierRules;
  };
  // As Velero hands a claim of a volume without snapshot to the modifiers: still naming the live volume.
  const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-ledger-db-0', namespace: 'payments' }, spec: { storageClassName: 'gp3', volumeName: 'pvc-0a1b2c', accessModes: ['ReadWriteOnce'] } };

  it('GIVEN a policy with volumes none WHEN drilled THEN the drill restores no PersistentVolume (it would point at the source disk) and its claims lose the live volume name', () => {
    const changes: PlanOrgChanges = { ledger: { volumes: 'none' }, plan: { dataSize: undefined } };
    for (const step of templates(drillData(changes))) expect(step.spec.excludedResources).toContain('persistentvolumes');
    const { object, errors } = applyModifiers(rulesOf(changes), claim, 'persistentvolumeclaims');
    expect(errors).toEqual([]);
    expect(object.spec).toEqual({ storageClassName: 'gp3', accessModes: ['ReadWriteOnce'] });
  });

  it('GIVEN a policy whose volumes are backed up WHEN drilled THEN PersistentVolumes and claims come back as Velero restores them', () => {
    const [first, ...later] = templates(drillData());
    expect(first?.spec.includedResources).toContain('persistentvolumes');
    expect(first?.spec.excludedResources ?? []).not.toContain('persistentvolumes');
    // Later steps leave them out only because the first one restored them, with the rest of the configuration and storage.
    for (const step of later) expect(step.spec.excludedResources).toEqual(expect.arrayContaining(CONFIG_AND_STORAGE_RESOURCES));
    expect(applyModifiers(rulesOf({}), claim, 'persistentvolumeclaims').object.spec).toEqual(claim.spec);
  });
});
