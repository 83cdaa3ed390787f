/**
 * What a region-loss restore plan compiles to on its target cluster: the runner and drill ConfigMaps
 * with one Restore template per step, the CronJobs, the drill's isolation and modifiers, Velero's
 * plugin config, least-privilege RBAC, schema validity of every object, and drill schedules.
 */
import { CronExpressionParser } from 'cron-parser';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { Frequency } from '../../src/dsl/duration.ts';
import { commandCheck } from '../../src/index.ts';
import { checkModel } from '../../src/rules/index.ts';
import { lower } from '../../src/lower/index.ts';
import { BACKUP_PLACEHOLDER, RUN_PLACEHOLDER } from '../../src/lower/restore/restore-spec.ts';
import { CONFIG_AND_STORAGE_RESOURCES } from '../../src/model/restore-plan.ts';
import type { PlacedObject } from '../../src/output/layout.ts';
import { validateManifest } from '../../src/output/validate-manifests.ts';
import { referenceCrdIndex, validateAgainstReferenceCrds } from '../support/crd.ts';
import { DRILL_SERVICE_PORTS } from '../../src/lower/restore/modifiers.ts';
import { declarationsOf, modelOf, type PlanOrgChanges, planOrg } from './support.ts';
import { applyModifiers, type Rule } from './velero-modifiers.ts';

type K8sObject = PlacedObject['object'] & { readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> } };

interface RestoreTemplate {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels: Record<string, string> };
  readonly spec: {
    readonly backupName?: string;
    readonly scheduleName?: string;
    readonly includedNamespaces?: string[];
    readonly namespaceMapping?: Record<string, string>;
    readonly includedResources?: string[];
    readonly excludedResources?: string[];
    readonly labelSelector?: { readonly matchLabels: Record<string, string> };
    readonly resourceModifier?: { readonly kind: string; readonly name: string };
    readonly hooks?: { readonly resources: { readonly postHooks: { readonly exec: { readonly waitTimeout?: string; readonly execTimeout?: string; readonly onError?: string } }[] }[] };
  };
}

interface ModifierRule extends Rule {
  readonly conditions: Rule['conditions'] & {
    readonly namespaces?: string[];
    readonly labelSelector?: { readonly matchExpressions: { readonly key: string; readonly operator: string; readonly values: string[] }[] };
  };
}

interface PodSpec {
  readonly serviceAccountName: string;
  readonly restartPolicy: string;
  readonly securityContext: { readonly runAsNonRoot?: boolean; readonly seccompProfile?: { readonly type: string } };
  readonly volumes: { readonly name: string; readonly configMap?: { readonly name: string } }[];
  readonly containers: {
    readonly image: string;
    readonly command: string[];
    readonly securityContext: { readonly runAsNonRoot?: boolean; readonly readOnlyRootFilesystem?: boolean; readonly allowPrivilegeEscalation?: boolean; readonly capabilities?: { readonly drop?: string[] } };
    readonly resources: { readonly requests?: Record<string, string>; readonly limits?: Record<string, string> };
    readonly volumeMounts: { readonly name: string; readonly readOnly?: boolean }[];
  }[];
}

interface CronJobSpec {
  readonly schedule: string;
  readonly suspend?: boolean;
  readonly concurrencyPolicy: string;
  readonly jobTemplate: { readonly spec: { readonly backoffLimit: number; readonly activeDeadlineSeconds: number; readonly template: { readonly spec: PodSpec } } };
}

const KUBECTL = 'registry.example/kubectl:1.33';

/** The region-loss fixture with a storage-class mapping, a registry rewrite and an extra exec check. */
const REGION_LOSS: PlanOrgChanges = {
  dr: { monitoring: 'prometheus-operator' },
  plan: {
    storageClassMapping: { gp3: 'gp3-us' },
    transforms: [{ type: 'rewrite-image-registry', from: 'registry.eu.example', to: 'registry.us.example' }],
    drill: {
      every: 'week',
      verify: [commandCheck('ledger-worker-alive', ['test', '-f', '/run/ready'], { selector: { 'app.kubernetes.io/name': 'ledger-worker' }, container: 'worker' })],
    },
  },
};

function lowered(changes: PlanOrgChanges = REGION_LOSS): K8sObject[] {
  return lower(modelOf(declarationsOf(planOrg(changes)))).map((p) => p.object as K8sObject);
}

function find(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

const dataOf = (configMap: K8sObject): Record<string, string> => configMap.data as Record<string, string>;
const cronSpec = (cronJob: K8sObject): CronJobSpec => cronJob.spec as unknown as CronJobSpec;

/** The step templates of a plan ConfigMap, in file order. */
function templates(configMap: K8sObject): RestoreTemplate[] {
  const data = dataOf(configMap);
  return Object.keys(data)
    .filter((key) => /^step-\d\d\.yaml$/.test(key))
    .sort()
    .map((key) => yaml.load(data[key] ?? '') as RestoreTemplate);
}

describe('the runner ConfigMap of a region-loss plan', () => {
  const objects = lowered();
  const runner = find(objects, 'ConfigMap', 'restore-ledger-dr');

  it('GIVEN steps declared out of order WHEN lowered THEN there is one Restore template per step, numbered in execution order, configuration and storage first', () => {
    const steps = templates(runner);
    expect(steps.map((s) => s.metadata.labels['restorable.dev/step'])).toEqual(['ledger-config-storage', 'ledger-db', 'ledger-api', 'ledger-rest']);
    // A region-loss run first restores the cluster-scoped kinds Velero leaves out (step c1, see cluster-scoped.test.ts).
    expect(dataOf(runner).steps).toBe('c1 cluster-scoped ledger\n01 ledger-config-storage ledger\n02 ledger-db ledger\n03 ledger-api ledger\n04 ledger-rest ledger\n');
    expect(steps.map((s) => s.metadata.name)).toEqual([1, 2, 3, 4].map((i) => `ledger-dr-0${i}-${RUN_PLACEHOLDER}`));
    expect(steps.every((s) => s.apiVersion === 'velero.io/v1' && s.kind === 'Restore' && s.metadata.namespace === 'velero')).toBe(true);
  });

  it('GIVEN the templates WHEN read THEN every one is pinned to the backup and run placeholders, never to a schedule', () => {
    for (const step of templates(runner)) {
      expect(step.spec.backupName).toBe(BACKUP_PLACEHOLDER);
      expect(step.spec.scheduleName).toBeUndefined();
      expect(step.metadata.labels['restorable.dev/run']).toBe(`run-${RUN_PLACEHOLDER}`);
      expect(step.metadata.labels['restorable.dev/plan']).toBe('ledger-dr');
      expect(step.spec.includedNamespaces).toEqual(['payments']);
      expect(step.spec.namespaceMapping).toBeUndefined();
    }
  });

  it('GIVEN a step with a selector WHEN lowered THEN the first step has already restored, without selector, the configuration and storage its pods need, and no later step restores them again', () => {
    const [first, ...later] = templates(runner);
    expect(first?.spec.labelSelector).toBeUndefined();
    expect(first?.spec.includedResources).toEqual(CONFIG_AND_STORAGE_RESOURCES);
    // An unlabelled Secret, ConfigMap, ServiceAccount, Role, and the claim of a StatefulSet scaled to zero.
    expect(first?.spec.includedResources).toEqual(expect.arrayContaining(['secrets', 'configmaps', 'serviceaccounts', 'roles.rbac.authorization.k8s.io', 'rolebindings.rbac.authorization.k8s.io', 'persistentvolumeclaims']));
    for (const step of later) {
      expect(step.spec.includedResources).toBeUndefined();
      expect(step.spec.excludedResources).toEqual(expect.arrayContaining(CONFIG_AND_STORAGE_RESOURCES));
    }
  });

  it('GIVEN the app profile step and a step with a selector WHEN lowered THEN the profile step carries bounded restore hooks and the other its selector', () => {
    const [, db, api, rest] = templates(runner);
    expect(db?.spec.labelSelector?.matchLabels).toEqual({ 'app.kubernetes.io/name': 'ledger-db' });
    const hooks = db?.spec.hooks?.resources.flatMap((r) => r.postHooks) ?? [];
    expect(hooks.length).toBeGreaterThan(0);
    for (const hook of hooks) expect(hook.exec).toMatchObject({ onError: 'Fail', waitTimeout: expect.stringMatching(/\d/), execTimeout: expect.stringMatching(/\d/) });
    expect(api?.spec.labelSelector?.matchLabels).toEqual({ 'app.kubernetes.io/name': 'ledger-api' });
    expect(api?.spec.hooks).toBeUndefined();
    expect(rest?.spec.labelSelector).toBeUndefined();
  });

  it('GIVEN 200Gi restored by the data mover (an estimated 40m) WHEN the hooks are lowered THEN they wait and run 1.5 times the estimate (59m), not the profile\'s 10m, so a pod whose claim is still downloading does not fail the Restore', () => {
    const hooks = templates(runner)[1]?.spec.hooks?.resources.flatMap((r) => r.postHooks) ?? [];
    expect(hooks.map((h) => [h.exec.waitTimeout, h.exec.execTimeout])).toEqual(hooks.map(() => ['59m0s', '59m0s']));
  });

  it('GIVEN the plan WHEN lowered THEN the settings, policies and namespaces files say what the runner reads', () => {
    const data = dataOf(runner);
    expect(data.plan).toBe('plan=ledger-dr\nveleroNamespace=velero\nrtoSeconds=2700\npointInTime=latest\nmode=full\nwaitLimitSeconds=10800\npin=restore-ledger-dr-pin\n');
    // dr reads the ledger's storage from its replica: the freshness limit (RPO 1h and one hourly
    // interval) grows by the 15m lag, which the third column hands to the runner.
    expect(data.policies).toBe('ledger 8100 900\n');
    expect(data.namespaces).toBe('payments payments\n');
    expect(Object.keys(data)).toEqual(expect.arrayContaining(['lib.sh', 'runner.sh', 'drill.sh', 'checks']));
    expect(data['networkpolicy.yaml']).toBeUndefined();
  });
});

describe('the runner and drill CronJobs', () => {
  const objects = lowered();

  it('GIVEN the runner WHEN lowered THEN it is suspended, forbids concurrent runs and never retries', () => {
    const spec = cronSpec(find(objects, 'CronJob', 'restore-ledger-dr'));
    expect(spec.suspend).toBe(true);
    expect(spec.concurrencyPolicy).toBe('Forbid');
    expect(spec.jobTemplate.spec.backoffLimit).toBe(0);
    expect(spec.jobTemplate.spec.activeDeadlineSeconds).toBeGreaterThanOrEqual(4 * 2700);
  });

  it('GIVEN the drill WHEN lowered THEN it runs on its schedule, one at a time, never retried', () => {
    const spec = cronSpec(find(objects, 'CronJob', 'drill-ledger-dr'));
    expect(spec.suspend).toBeUndefined();
    expect(spec.concurrencyPolicy).toBe('Forbid');
    expect(spec.jobTemplate.spec.backoffLimit).toBe(0);
  });

  for (const [name, script, serviceAccount] of [
    ['restore-ledger-dr', 'runner.sh', 'restore-ledger-dr'],
    ['drill-ledger-dr', 'drill.sh', 'drill-ledger-dr'],
  ] as const) {
    it(`GIVEN the ${name} CronJob WHEN lowered THEN its pod is hardened, runs the declared kubectl image and reads its own ConfigMap read-only`, () => {
      const pod = cronSpec(find(objects, 'CronJob', name)).jobTemplate.spec.template.spec;
      expect(pod.serviceAccountName).toBe(serviceAccount);
      expect(pod.restartPolicy).toBe('Never');
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      expect(pod.containers).toHaveLength(1);
      const [container] = pod.containers;
      expect(container?.image).toBe(KUBECTL);
      expect(container?.command).toEqual(['/bin/sh', `/etc/restorable/plan/${script}`]);
      expect(container?.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(Object.keys(container?.resources.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
      expect(Object.keys(container?.resources.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
      const planVolume = pod.volumes.find((v) => v.configMap !== undefined);
      expect(planVolume?.configMap?.name).toBe(name);
      expect(container?.volumeMounts.find((m) => m.name === planVolume?.name)?.readOnly).toBe(true);
    });
  }
});

/** Whether a workload with `labels` matches a modifier rule's label selector (NotIn, Kubernetes semantics). */
function selects(rule: ModifierRule, labels: Record<string, string>): boolean {
  return (rule.conditions.labelSelector?.matchExpressions ?? []).every((e) => {
    const value = labels[e.key];
    if (e.operator === 'NotIn') return value === undefined || !e.values.includes(value);
    throw new Error(`unexpected operator ${e.operator}`);
  });
}

describe('the drill of a region-loss plan', () => {
  const objects = lowered();
  const drill = find(objects, 'ConfigMap', 'drill-ledger-dr');
  const modifiers = (yaml.load(dataOf(find(objects, 'ConfigMap', 'drill-ledger-dr-modifiers'))['modifiers.yaml'] ?? '') as { version: string; resourceModifierRules: ModifierRule[] });

  it('GIVEN the drill templates WHEN read THEN every step restores into drill-<ns>, without CronJobs or Ingresses, through the drill modifiers', () => {
    const steps = templates(drill);
    expect(steps).toHaveLength(4);
    for (const [i, step] of steps.entries()) {
      expect(step.metadata.name).toBe(`ledger-dr-d0${i + 1}-${RUN_PLACEHOLDER}`);
      expect(step.metadata.labels['restorable.dev/drill']).toBe('ledger-dr');
      expect(step.spec.backupName).toBe(BACKUP_PLACEHOLDER);
      expect(step.spec.namespaceMapping).toEqual({ payments: 'drill-payments' });
      expect(step.spec.excludedResources).toEqual(expect.arrayContaining(['cronjobs.batch', 'ingresses.networking.k8s.io', 'sealedsecrets.bitnami.com']));
      expect(step.spec.resourceModifier).toEqual({ kind: 'configmap', name: 'drill-ledger-dr-modifiers' });
    }
    expect(dataOf(drill).namespaces).toBe('payments drill-payments\n');
  });

  it('GIVEN the drill namespaces WHEN lowered THEN a NetworkPolicy admits only traffic from the namespace and lets out only DNS, to the cluster DNS only', () => {
    const policy = yaml.load(dataOf(drill)['networkpolicy.yaml'] ?? '') as { spec: { podSelector: object; policyTypes: string[]; egress: { to?: unknown[]; ports?: { port: number }[] }[] } };
    expect(policy.spec.podSelector).toEqual({});
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.egress.filter((rule) => rule.to === undefined)).toEqual([]);
    expect(policy.spec.egress).toEqual([
      { to: [{ podSelector: {} }] },
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ]);
  });

  it('GIVEN the drill modifiers WHEN applied to workloads THEN those the checks and steps need keep their replicas and every other one is scaled to zero', () => {
    expect(modifiers.version).toBe('v1');
    const scaling = modifiers.resourceModifierRules.filter((r) => r.patches?.some((p) => p.path === '/spec/replicas'));
    expect(scaling.map((r) => r.conditions.groupResource).sort()).toEqual(['deployments.apps', 'statefulsets.apps']);
    for (const rule of scaling) {
      expect(rule.patches).toEqual([{ operation: 'replace', path: '/spec/replicas', value: '0' }]);
      for (const needed of ['ledger-db', 'ledger-api', 'ledger-worker']) expect(selects(rule, { 'app.kubernetes.io/name': needed }), needed).toBe(false);
      expect(selects(rule, { 'app.kubernetes.io/name': 'ledger-reports' })).toBe(true);
      expect(selects(rule, { team: 'payments' })).toBe(true);
    }
  });

  it('GIVEN the drill modifiers WHEN Velero matches them THEN they name the namespaces as backed up, since Velero applies modifiers before it maps the namespace', () => {
    for (const rule of modifiers.resourceModifierRules) expect(rule.conditions.namespaces, rule.conditions.groupResource).toEqual(['payments']);
    const reports = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ledger-reports', namespace: 'payments' }, spec: { replicas: 3 } };
    expect(applyModifiers(modifiers.resourceModifierRules, reports, 'deployments.apps').object.spec).toEqual({ replicas: 0 });
  });

  describe('GIVEN the drill modifiers WHEN Velero applies them to Services as backed up', () => {
    const service = (name: string, spec: Record<string, unknown>, annotations?: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'payments', ...(annotations ? { annotations } : {}) },
      spec,
    });
    // As the API server defaults and keeps them, and as Velero's service action leaves them when
    // they were set explicitly (it clears only node ports the API server allocated).
    const loadBalancer = service('ledger-public', {
      type: 'LoadBalancer',
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 },
        { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443, nodePort: 30443 },
        { name: 'quic', port: 443, protocol: 'UDP', targetPort: 8443, nodePort: 30444 },
      ],
      allocateLoadBalancerNodePorts: true,
      loadBalancerClass: 'example.com/balancer',
      externalTrafficPolicy: 'Local',
      healthCheckNodePort: 30999,
      loadBalancerSourceRanges: ['10.0.0.0/8'],
      externalIPs: ['192.0.2.10'],
      sessionAffinity: 'None',
    });
    const nodePort = service('ledger-admin', { type: 'NodePort', ports: [{ port: 9090, protocol: 'TCP', targetPort: 9090, nodePort: 30090 }], externalTrafficPolicy: 'Cluster' });
    const legacyRanges = service(
      'ledger-legacy',
      { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], allocateLoadBalancerNodePorts: true, externalTrafficPolicy: 'Cluster' },
      { 'service.beta.kubernetes.io/load-balancer-source-ranges': '10.0.0.0/8' },
    );
    const clusterIp = service('ledger-api', { type: 'ClusterIP', ports: [{ port: 8080, protocol: 'TCP', targetPort: 8080 }] });
    const headless = service('ledger-db', { type: 'ClusterIP', clusterIP: 'None', ports: [{ port: 5432, protocol: 'TCP', targetPort: 5432 }] });
    const external = service('ledger-mail', { type: 'ExternalName', externalName: 'mail.example.com' });

    /** What the API server refuses on a ClusterIP Service (Kubernetes v1.33 pkg/apis/core/validation, ValidateService). */
    function clusterIpViolations(object: { metadata: { annotations?: Record<string, string> }; spec: Record<string, unknown> }): string[] {
      const spec = object.spec as { ports?: { nodePort?: number }[]; externalIPs?: string[] } & Record<string, unknown>;
      const externallyAccessible = (spec.externalIPs ?? []).length > 0;
      return [
        ...(spec.ports ?? []).flatMap((p, i) => (p.nodePort ? [`ports[${i}].nodePort`] : [])),
        ...(['allocateLoadBalancerNodePorts', 'loadBalancerClass'] as const).filter((f) => spec[f] !== undefined),
        ...((spec.loadBalancerSourceRanges as string[] | undefined)?.length ? ['loadBalancerSourceRanges'] : []),
        ...(object.metadata.annotations?.['service.beta.kubernetes.io/load-balancer-source-ranges'] !== undefined ? ['the load-balancer-source-ranges annotation'] : []),
        ...(!externallyAccessible && spec.externalTrafficPolicy !== undefined ? ['externalTrafficPolicy'] : []),
        ...(externallyAccessible && spec.externalTrafficPolicy === undefined ? ['externalTrafficPolicy (required with externalIPs)'] : []),
        ...(spec.healthCheckNodePort ? ['healthCheckNodePort'] : []),
      ];
    }

    it('THEN LoadBalancer and NodePort Services become ClusterIP Services the API server accepts, their ports kept, and no Restore error', () => {
      for (const exposed of [loadBalancer, nodePort, legacyRanges]) {
        const { object, errors } = applyModifiers(modifiers.resourceModifierRules, exposed, 'services');
        expect(errors, exposed.metadata.name).toEqual([]);
        const spec = object.spec as { type: string; ports: { port: number; protocol: string; nodePort?: number }[] };
        expect(spec.type, exposed.metadata.name).toBe('ClusterIP');
        expect(clusterIpViolations(object as never), exposed.metadata.name).toEqual([]);
        expect(spec.ports.map((p) => `${p.port}/${p.protocol}`)).toEqual((exposed.spec.ports as { port: number; protocol: string }[]).map((p) => `${p.port}/${p.protocol}`));
      }
      expect(applyModifiers(modifiers.resourceModifierRules, loadBalancer, 'services').object.spec).toEqual({
        type: 'ClusterIP',
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
          { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 },
          { name: 'quic', port: 443, protocol: 'UDP', targetPort: 8443 },
        ],
        sessionAffinity: 'None',
      });
    });

    it('THEN ClusterIP, headless and ExternalName Services come back as they were, only marked for external-dns to skip', () => {
      for (const kept of [clusterIp, headless, external]) {
        const { object, errors } = applyModifiers(modifiers.resourceModifierRules, kept, 'services');
        expect(errors).toEqual([]);
        const { metadata, ...rest } = object as typeof kept;
        const { metadata: keptMetadata, ...keptRest } = kept as typeof kept & { metadata: { annotations?: Record<string, string> } };
        expect(rest).toEqual(keptRest);
        expect(metadata).toEqual({ ...keptMetadata, annotations: { ...(keptMetadata.annotations ?? {}), 'external-dns.alpha.kubernetes.io/controller': 'restorable-drill' } });
      }
    });

    it(`THEN node ports are cleared on the first ${DRILL_SERVICE_PORTS} ports of a Service, and a Service with more keeps the rest (the API server then refuses it and the drill fails with its reason)`, () => {
      const ports = Array.from({ length: DRILL_SERVICE_PORTS + 1 }, (_, i) => ({ port: 8000 + i, protocol: 'TCP', targetPort: 8000 + i, nodePort: 31000 + i }));
      const { object, errors } = applyModifiers(modifiers.resourceModifierRules, service('many-ports', { type: 'NodePort', ports, externalTrafficPolicy: 'Cluster' }), 'services');
      expect(errors).toEqual([]);
      expect(clusterIpViolations(object as never)).toEqual([`ports[${DRILL_SERVICE_PORTS}].nodePort`]);
    });

    it('THEN a Service of a namespace the plan does not restore is left alone', () => {
      const elsewhere = { ...loadBalancer, metadata: { ...loadBalancer.metadata, namespace: 'drill-payments' } };
      expect(applyModifiers(modifiers.resourceModifierRules, elsewhere, 'services').object).toEqual(elsewhere);
    });
  });

  it('GIVEN the drill scope policy WHEN read THEN it names only the drill namespace and the drill ServiceAccount', () => {
    const policy = find(objects, 'ValidatingAdmissionPolicy', 'restorable-scope-drill-ledger-dr');
    const text = JSON.stringify(policy.spec);
    expect(text).toContain("['drill-payments']");
    expect(text).not.toMatch(/'payments'/);
    expect(text).toContain("request.userInfo.username == 'system:serviceaccount:velero:drill-ledger-dr'");
  });
});

describe('the transforms of a plan, as Velero applies them', () => {
  const objects = lowered({
    ...REGION_LOSS,
    plan: {
      ...REGION_LOSS.plan,
      transforms: [
        {
          type: 'json-patch',
          groupResource: 'configmaps',
          namePattern: '^ledger-settings$',
          patches: [
            { op: 'add', path: '/data/read-only', value: 'true' },
            { op: 'add', path: '/data/port', value: '8080' },
            { op: 'add', path: '/data/quote', value: 'say "hi"' },
          ],
        },
        { type: 'json-patch', groupResource: 'deployments.apps', patches: [{ op: 'replace', path: '/spec/paused', value: true }, { op: 'replace', path: '/spec/replicas', value: 2 }] },
        { type: 'rewrite-ingress-host', from: 'ledger.eu.example', to: 'ledger.us.example' },
      ],
    },
  });
  const rules = (yaml.load(dataOf(find(objects, 'ConfigMap', 'restore-ledger-dr-modifiers'))['modifiers.yaml'] ?? '') as { resourceModifierRules: ModifierRule[] }).resourceModifierRules;

  it('GIVEN JSON-patch values WHEN Velero writes them into the patch THEN strings stay strings (even "true" and "8080") and numbers and booleans keep their type', () => {
    const settings = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ledger-settings', namespace: 'payments' }, data: { currency: 'EUR' } };
    const patched = applyModifiers(rules, settings, 'configmaps');
    expect(patched.errors).toEqual([]);
    expect(patched.object.data).toEqual({ currency: 'EUR', 'read-only': 'true', port: '8080', quote: 'say "hi"' });
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ledger-api', namespace: 'payments' }, spec: { paused: false, replicas: 3 } };
    expect(applyModifiers(rules, deployment, 'deployments.apps').object.spec).toEqual({ paused: true, replicas: 2 });
  });

  it('GIVEN a host rewrite WHEN an Ingress has that host, another host or no such rule THEN only the first changes and none fails the Restore', () => {
    const ingress = (rules_: unknown[]) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'ledger', namespace: 'payments' }, spec: { rules: rules_ } });
    const rewritten = applyModifiers(rules, ingress([{ host: 'ledger.eu.example' }]), 'ingresses.networking.k8s.io');
    expect(rewritten).toEqual({ object: ingress([{ host: 'ledger.us.example' }]), errors: [] });
    for (const untouched of [ingress([{ host: 'admin.eu.example' }]), ingress([]), { ...ingress([]), spec: { defaultBackend: { service: { name: 'ledger' } } } }]) {
      expect(applyModifiers(rules, untouched, 'ingresses.networking.k8s.io')).toEqual({ object: untouched, errors: [] });
    }
  });
});

describe('the drill of a policy that selects by labels', () => {
  // Regression guard (was a bug in src/model/restore-plan.ts namespaceMapping + src/lower/restore/restore-spec.ts): a policy
  // with a selector and no namespaces backs up labelled objects of every namespace, but the plan's
  // namespaceMapping is built from declared namespaces only, so it is empty: the drill's Restore has
  // no includedNamespaces (Velero: all) and no namespaceMapping, the drill creates no drill-*
  // namespace, and the rehearsal restores into the live namespaces (on a namespace-loss plan, the
  // production ones). No rule refuses such a drill.
  it('GIVEN a namespace-loss plan of a selector-only policy with a drill WHEN lowered THEN no drill is emitted (it could not be isolated) and PLAN016 says why', () => {
    const o = planOrg();
    const byLabel = planOrg({
      ledger: { namespaces: undefined, selector: { matchLabels: { team: 'payments' } }, apps: [] },
      plan: { to: o.prod, scenario: 'namespace-loss', secretsRecovery: undefined, order: undefined, dataSize: undefined, drill: { every: 'week' } },
    });
    const model = modelOf(declarationsOf(byLabel));
    const objects = lower(model).map((p) => p.object as K8sObject);
    expect(objects.filter((o) => String(o.metadata.name).startsWith('drill-'))).toEqual([]);
    expect(checkModel(model).filter((d) => d.code === 'PLAN016').map((d) => `${d.declaration}.${d.path}`)).toEqual(['ledger-dr.drill']);
  });
});

describe("Velero's plugin config", () => {
  const objects = lowered();

  it('GIVEN a storage-class mapping WHEN lowered THEN change-storage-class-config in Velero\'s namespace carries the plugin labels and the mapping', () => {
    const config = find(objects, 'ConfigMap', 'change-storage-class-config');
    expect(config.metadata.namespace).toBe('velero');
    expect(config.metadata.labels).toMatchObject({ 'velero.io/plugin-config': '', 'velero.io/change-storage-class': 'RestoreItemAction' });
    expect(config.data).toEqual({ gp3: 'gp3-us' });
  });

  it("GIVEN a registry rewrite WHEN lowered THEN change-image-name-config carries the plugin labels and one 'from,to' case", () => {
    const config = find(objects, 'ConfigMap', 'change-image-name-config');
    expect(config.metadata.namespace).toBe('velero');
    expect(config.metadata.labels).toMatchObject({ 'velero.io/plugin-config': '', 'velero.io/change-image-name': 'RestoreItemAction' });
    expect(config.data).toEqual({ case1: 'registry.eu.example,registry.us.example' });
  });

  it('GIVEN a plan without mappings WHEN lowered THEN no plugin config is emitted', () => {
    const names = lowered({}).map((o) => o.metadata.name);
    expect(names).not.toContain('change-storage-class-config');
    expect(names).not.toContain('change-image-name-config');
  });
});

describe('least privilege', () => {
  const objects = lowered();

  it('GIVEN every Role and ClusterRole WHEN read THEN none grants a wildcard, escalate or impersonate; bind only on the drill inside role, and Secrets only in it, which no ClusterRoleBinding grants', () => {
    const roles = objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole');
    expect(roles.length).toBeGreaterThanOrEqual(4);
    const inside = 'restorable-drill-ledger-dr-inside';
    for (const role of roles) {
      for (const rule of role.rules as { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[]) {
        const where = `${role.kind}/${role.metadata.name}`;
        expect([...rule.apiGroups, ...rule.resources, ...rule.verbs], where).not.toContain('*');
        for (const verb of ['escalate', 'impersonate']) expect(rule.verbs, where).not.toContain(verb);
        if (rule.verbs.includes('bind')) expect({ resources: rule.resources, resourceNames: rule.resourceNames }, where).toEqual({ resources: ['clusterroles'], resourceNames: [inside] });
        if (role.metadata.name !== inside) expect(rule.resources, where).not.toContain('secrets');
      }
    }
    expect(find(objects, 'ClusterRole', inside).rules).toContainEqual({ apiGroups: [''], resources: ['configmaps', 'persistentvolumeclaims', 'secrets', 'serviceaccounts'], verbs: ['get'] });
    // Bound only by the drill's own RoleBinding in each drill namespace, never cluster-wide.
    expect(objects.filter((o) => o.kind === 'ClusterRoleBinding' && (o as unknown as { roleRef: { name: string } }).roleRef.name === inside)).toEqual([]);
  });

  it('GIVEN the runner and drill WHEN their cluster-wide rights are granted THEN an admission policy in Deny mode narrows each to its own namespaces', () => {
    for (const job of ['restore-ledger-dr', 'drill-ledger-dr']) {
      find(objects, 'ClusterRole', `restorable-${job}`);
      const binding = find(objects, 'ValidatingAdmissionPolicyBinding', `restorable-scope-${job}`);
      expect(binding.spec).toEqual({ policyName: `restorable-scope-${job}`, validationActions: ['Deny'] });
      expect((find(objects, 'ValidatingAdmissionPolicy', `restorable-scope-${job}`).spec as { failurePolicy: string }).failurePolicy).toBe('Fail');
    }
  });
});

describe('schema validity', () => {
  const objects = lowered();
  const crds = referenceCrdIndex();
  const validate = (object: Record<string, unknown>): string[] =>
    crds.has(`${String(object.apiVersion)} ${String(object.kind)}`) ? validateAgainstReferenceCrds(object) : validateManifest(object);

  it('GIVEN every compiled object WHEN validated against the real CRDs or kubernetes-models THEN there is no error', () => {
    expect(objects.length).toBeGreaterThan(20);
    const errors = objects.flatMap((o) => validate(o).map((e) => `${o.kind}/${o.metadata.name}: ${e}`));
    expect(errors).toEqual([]);
  });

  /** The Restore templates of the runner and drill ConfigMaps (as the runner substitutes them) and the drill NetworkPolicy. */
  const inner = (substitute: (text: string) => string): { source: string; object: Record<string, unknown> }[] => {
    const found: { source: string; object: Record<string, unknown> }[] = [];
    for (const name of ['restore-ledger-dr', 'drill-ledger-dr']) {
      const data = dataOf(find(objects, 'ConfigMap', name));
      for (const [key, text] of Object.entries(data).filter(([k]) => /^step-\d\d\.yaml$/.test(k))) {
        found.push({ source: `${name}/${key}`, object: yaml.load(substitute(text)) as Record<string, unknown> });
      }
      if (data['networkpolicy.yaml']) found.push({ source: `${name}/networkpolicy.yaml`, object: yaml.load(data['networkpolicy.yaml']) as Record<string, unknown> });
    }
    return found;
  };

  it('GIVEN the Restore templates and the drill NetworkPolicy inside the ConfigMaps WHEN validated as shipped THEN there is no error', () => {
    const found = inner((text) => text);
    expect(found).toHaveLength(9);
    expect(found.flatMap(({ source, object }) => validate(object).map((e) => `${source}: ${e}`))).toEqual([]);
  });

  // Regression guard (was a bug in src/lower/restore/restore-spec.ts with lib.sh run_steps): the template's label
  // `restorable.dev/run: RESTORABLE_RUN_ID` is a plain YAML scalar; the runner replaces it with
  // RUN_ID=$(date -u +%Y%m%d%H%M%S), all digits, so the label becomes an integer and the API server
  // refuses the Restore (label values must be strings): every runner and drill run, and the runbook's
  // by-hand loop, fail at the first `kubectl create -f -`. The fake kubectl reads the YAML with
  // regular expressions and cannot notice. A fix: emit the label value quoted, or make the run id non-numeric.
  it('GIVEN the Restore templates WHEN the runner substitutes a backup and its numeric run id THEN they still validate', () => {
    const runId = '20261201120000';
    const found = inner((text) => text.replaceAll(BACKUP_PLACEHOLDER, 'ledger-hourly-20261201110000').replaceAll(RUN_PLACEHOLDER, runId));
    expect(found.flatMap(({ source, object }) => validate(object).map((e) => `${source}: ${e}`))).toEqual([]);
  });
});

const DAY = 86_400;
const FREQUENCY_DAYS: Readonly<Record<Frequency, number>> = { day: 1, week: 7, month: 31, quarter: 92 };

/** UTC runs of a five-field cron in [from, to). */
function runs(cron: string, from: Date, to: Date): Date[] {
  const parsed = CronExpressionParser.parse(cron, { currentDate: new Date(from.getTime() - 1), tz: 'UTC' });
  const result: Date[] = [];
  for (let next = parsed.next().toDate(); next < to; next = parsed.next().toDate()) result.push(next);
  return result;
}

const longestGapSeconds = (times: readonly Date[]): number => Math.max(...times.slice(1).map((t, i) => (t.getTime() - (times[i]?.getTime() ?? 0)) / 1000));

describe('drill schedules per frequency', () => {
  const from = new Date('2027-01-01T00:00:00Z');
  const to = new Date('2029-01-01T00:00:00Z');
  const drillOf = (every: Frequency) => {
    const objects = lowered({ dr: { monitoring: 'prometheus-operator' }, plan: { drill: { every } } });
    const schedule = cronSpec(find(objects, 'CronJob', 'drill-ledger-dr')).schedule;
    const rule = find(objects, 'PrometheusRule', 'restorable-drill-ledger-dr').spec as { groups: { rules: { alert: string; expr: string }[] }[] };
    const expr = rule.groups[0]?.rules.find((r) => r.alert === 'RestorableDrillNotPassing')?.expr ?? '';
    return { schedule, runs: runs(schedule, from, to), alertAfterSeconds: Number(/> (\d+)$/.exec(expr)?.[1]) };
  };

  const expected: Readonly<Record<Frequency, { readonly runsPerTwoYears: [number, number]; readonly days?: readonly number[]; readonly dayOfMonth?: number; readonly months?: readonly number[] }>> = {
    day: { runsPerTwoYears: [520, 524], days: [1, 2, 3, 4, 5] },
    week: { runsPerTwoYears: [104, 105], days: [2] },
    month: { runsPerTwoYears: [24, 24], dayOfMonth: 8 },
    quarter: { runsPerTwoYears: [8, 8], dayOfMonth: 8, months: [0, 3, 6, 9] },
  };

  for (const every of ['day', 'week', 'month', 'quarter'] as const) {
    it(`GIVEN a drill every ${every} WHEN scheduled THEN it runs in UTC working hours at a staggered minute, as often as promised`, () => {
      const drill = drillOf(every);
      const want = expected[every];
      expect(drill.runs.length).toBeGreaterThanOrEqual(want.runsPerTwoYears[0]);
      expect(drill.runs.length).toBeLessThanOrEqual(want.runsPerTwoYears[1]);
      for (const run of drill.runs) {
        expect(run.getUTCHours()).toBeGreaterThanOrEqual(8);
        expect(run.getUTCHours()).toBeLessThanOrEqual(10);
        if (want.days) expect(want.days).toContain(run.getUTCDay());
        if (want.dayOfMonth) expect(run.getUTCDate()).toBe(want.dayOfMonth);
        if (want.months) expect(want.months).toContain(run.getUTCMonth());
      }
      expect(new Set(drill.runs.map((r) => `${r.getUTCHours()}:${r.getUTCMinutes()}`)).size).toBe(1);
      if (every !== 'day') expect(longestGapSeconds(drill.runs)).toBeLessThanOrEqual(FREQUENCY_DAYS[every] * DAY);
    });
  }

  for (const every of ['week', 'month', 'quarter'] as const) {
    it(`GIVEN passing drills every ${every} WHEN the drill alert watches them THEN it waits longer than the longest gap between two runs`, () => {
      const drill = drillOf(every);
      expect(drill.alertAfterSeconds).toBeGreaterThan(longestGapSeconds(drill.runs));
    });
  }

  // Regression guard (was a bug in src/lower/restore/jobs.ts drillSchedule + src/lower/restore/index.ts drillAlert): a daily
  // drill runs Monday to Friday only ('M H * * 1-5'), so the gap from Friday's run to Monday's is 72 h,
  // but RestorableDrillNotPassing fires once the last success is older than 1.5 days (129600 s): every
  // weekend, while every drill passes.
  it('GIVEN passing drills every day WHEN the drill alert watches them THEN it waits longer than the longest gap between two runs', () => {
    const drill = drillOf('day');
    expect(drill.alertAfterSeconds).toBeGreaterThan(longestGapSeconds(drill.runs));
  });
});
