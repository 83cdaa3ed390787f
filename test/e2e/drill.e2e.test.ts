/**
 * restorable's restore drill against real Velero v1.18.1: a Job made from the plan's `drill-<plan>`
 * CronJob runs its pod on the host (no kubelet here) as the drill's ServiceAccount with the plan's
 * ConfigMap mounted. It restores the shop into `drill-shop` through the drill's resource modifiers,
 * as Velero really applies them (workloads scaled to zero, LoadBalancer and NodePort Services made
 * ClusterIP Services the API server accepts, no object that acts outside the drill), behind its
 * NetworkPolicy, sees every claim Bound and every workload's references present, records its verdict and
 * removes its namespaces, while the live namespace stays as it was. The drill starts where a killed
 * drill left its namespace and Restore behind. Every object the drill creates is recorded from a
 * watch as the API server admitted it, since the drill deletes them when it ends.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFolder } from './harness/argocd-sync.ts';
import { type JobLike, runJobPodOnHost } from './harness/pod-on-host.ts';
import { waitFor } from './harness/processes.ts';
import { useTestRun } from './harness/test-run.ts';
import { createShop, namespaceState, ORG, STORAGE_CLASS, startVeleroCluster, type VeleroCluster } from './harness/velero-organisation.ts';

const run = useTestRun('drill');
const auditPolicy = path.join(run.runDir, 'audit-policy.yaml');
writeFileSync(auditPolicy, yaml.dump({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', omitStages: ['RequestReceived'], rules: [{ level: 'Metadata' }] }));
const DRILL = `drill-${ORG.plan}`;
const DRILL_NAMESPACE = `drill-${ORG.namespace}`;
let env: VeleroCluster;
const watches: ChildProcess[] = [];

beforeAll(async () => {
  env = await startVeleroCluster(run, 'drill', { auditPolicy, beforeSync: createShop });
});
afterAll(async () => {
  for (const watch of watches) watch.kill();
  await env?.stop();
});

/**
 * A worker whose pod template refers to everything the drill checks without any check of its own:
 * its ServiceAccount, a ConfigMap it reads its environment from, a Secret volume, a claim, and an
 * optional ConfigMap that does not exist (which must not fail the drill).
 */
function worker(): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'worker', namespace: ORG.namespace, labels: { 'app.kubernetes.io/name': 'worker' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'worker' } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'worker' } },
        spec: {
          serviceAccountName: 'web',
          containers: [
            {
              name: 'worker',
              image: 'registry.example/shop/worker:1.0',
              envFrom: [{ configMapRef: { name: 'settings' } }, { configMapRef: { name: 'feature-flags', optional: true } }],
              volumeMounts: [{ name: 'credentials', mountPath: '/etc/credentials' }, { name: 'data', mountPath: '/data' }],
            },
          ],
          volumes: [
            { name: 'credentials', secret: { secretName: 'db-credentials' } },
            { name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } },
          ],
        },
      },
    },
  };
}

/**
 * Volumes the drill's claims bind to: the shop backs up no volume data, so the drill restores its
 * claims without the live volumes' names and they bind to any matching volume, as a provisioner's
 * new volume would be; these are made beforehand for them (no provisioner runs here).
 */
function drillVolumes(): { apiVersion: 'v1'; kind: 'List'; items: object[] } {
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [0, 1].map((i) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `drill-shop-db-${i}` },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        storageClassName: STORAGE_CLASS,
        persistentVolumeReclaimPolicy: 'Retain',
        hostPath: { path: `/var/lib/restorable-e2e/drill-shop-db-${i}`, type: 'DirectoryOrCreate' },
        claimRef: { namespace: DRILL_NAMESPACE, name: `data-db-${i}` },
      },
    })),
  };
}

/** Objects in the shop that act on the outside world or on the cluster as soon as they exist. */
function sideEffects(): { apiVersion: 'v1'; kind: 'List'; items: object[] } {
  const ns = ORG.namespace;
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: 'shop-alerts', namespace: ns },
        spec: { groups: [{ name: 'shop', rules: [{ alert: 'ShopDown', expr: 'up{job="shop"} == 0', for: '5m' }] }] },
      },
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'web', namespace: ns },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 3, maxReplicas: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'allow-everything', namespace: ns },
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] },
      },
    ],
  };
}

/**
 * Stands in for the kubelet and the network plugin for the drill's probe pods (no kubelet runs
 * here): each probe pod the drill creates ends Failed with what kubectl prints when an enforced
 * NetworkPolicy drops its connection. What is real: the pod as the API server admitted it (RBAC of
 * the drill's inside role, the scope admission policy), and the drill reading its status.
 */
function probeStandIn(): { stop: () => Promise<string[]> } {
  const seen = new Set<string>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const list = JSON.parse(await env.cluster.kubectlOk(['get', 'pods', '-n', DRILL_NAMESPACE, '-l', 'restorable.dev/probe', '-o', 'json']).catch(() => '{"items":[]}')) as {
        items: { metadata: { name: string }; spec: { containers: { name: string; image: string }[] }; status?: { phase?: string } }[];
      };
      for (const pod of list.items) {
        if (seen.has(pod.metadata.name)) continue;
        const container = pod.spec.containers[0]!;
        const terminated = { exitCode: 1, reason: 'Error', message: 'Unable to connect to the server: dial tcp 10.96.0.1:443: i/o timeout', startedAt: new Date().toISOString(), finishedAt: new Date().toISOString() };
        const status = { phase: 'Failed', containerStatuses: [{ name: container.name, image: container.image, imageID: '', ready: false, restartCount: 0, state: { terminated } }] };
        await env.cluster.kubectlOk(['patch', 'pod', pod.metadata.name, '-n', DRILL_NAMESPACE, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
        seen.add(pod.metadata.name);
      }
      await new Promise((done) => setTimeout(done, 500));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return [...seen];
    },
  };
}

interface Watched {
  type: string;
  object: {
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    spec?: Record<string, unknown>;
    data?: Record<string, string>;
  };
}

/** The JSON documents of a stream of concatenated objects (`kubectl get -w -o json`). */
function splitJson(text: string): { documents: unknown[]; rest: string } {
  const documents: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  let consumed = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) {
        documents.push(JSON.parse(text.slice(start, i + 1)));
        consumed = i + 1;
      }
    }
  }
  return { documents, rest: text.slice(consumed) };
}

/** Records every watch event of `resource` in the drill namespace, from now on. */
function watch(resource: string): Watched[] {
  const events: Watched[] = [];
  const child = spawn(run.binaries.kubectl, [`--kubeconfig=${env.cluster.adminKubeconfig}`, 'get', resource, '-n', DRILL_NAMESPACE, '--watch', '--output-watch-events', '-o', 'json'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  watches.push(child);
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const { documents, rest } = splitJson(buffer + chunk.toString('utf8'));
    buffer = rest;
    events.push(...(documents as Watched[]));
  });
  return events;
}

/** Each object as the API server first admitted it. */
const added = (events: readonly Watched[]) => new Map(events.filter((e) => e.type === 'ADDED').map((e) => [e.object.metadata.name, e.object] as const));

describe('the restore drill (its pod runs on the host as its ServiceAccount, and a stand-in ends its probe pod as an enforcing network plugin would: no kubelet)', () => {
  it('restores into drill-shop with its transforms really applied behind its NetworkPolicy, records passed, then removes its namespaces and leaves the live namespace untouched', { timeout: 600_000 }, async () => {
    const backup = 'shop-for-drill';
    // What acts on the outside world or the cluster, which the drill must leave out: an alert, an
    // autoscaler, a NetworkPolicy that would reopen traffic, and a Service external-dns publishes.
    await env.cluster.kubectlOk(['apply', '--server-side', '--field-manager=e2e', '-f', '-'], { input: JSON.stringify(sideEffects()) });
    await env.cluster.kubectlOk(['apply', '--server-side', '--field-manager=e2e', '-f', '-'], { input: JSON.stringify(worker()) });
    await env.cluster.kubectlOk(['apply', '--server-side', '--field-manager=e2e', '-f', '-'], { input: JSON.stringify(drillVolumes()) });
    await env.cluster.kubectlOk(['annotate', 'service', 'web', '-n', ORG.namespace, 'external-dns.alpha.kubernetes.io/hostname=shop.example.com', 'external-dns.alpha.kubernetes.io/ttl=60']);
    expect(await env.velero.cliOk(['backup', 'create', backup, '--from-schedule=shop-hourly', '--wait'], { timeoutMs: 240_000 })).toMatch(/Completed/);
    const live = await namespaceState(env.cluster, ORG.namespace);

    // What a killed drill leaves behind: its labelled namespace (with something in it) and a Restore.
    await env.cluster.kubectlOk(['create', 'namespace', DRILL_NAMESPACE]);
    await env.cluster.kubectlOk(['label', 'namespace', DRILL_NAMESPACE, `restorable.dev/drill=${ORG.plan}`]);
    await env.cluster.kubectlOk(['create', 'configmap', 'left-over', '-n', DRILL_NAMESPACE, '--from-literal=a=b']);
    await env.cluster.kubectlOk(['create', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'velero.io/v1',
        kind: 'Restore',
        metadata: { name: `${ORG.plan}-d01-20260101000000`, namespace: 'velero', labels: { 'restorable.dev/drill': ORG.plan, 'restorable.dev/plan': ORG.plan } },
        spec: { backupName: 'shop-gone-long-ago', includedNamespaces: [ORG.namespace], namespaceMapping: { [ORG.namespace]: DRILL_NAMESPACE } },
      }),
    });

    const deployments = watch('deployments.apps');
    const statefulSets = watch('statefulsets.apps');
    const services = watch('services');
    const configMaps = watch('configmaps');
    const networkPolicies = watch('networkpolicies.networking.k8s.io');
    const claims = watch('persistentvolumeclaims');
    const autoscalers = watch('horizontalpodautoscalers.autoscaling');
    const alerts = watch('prometheusrules.monitoring.coreos.com');

    await env.cluster.kubectlOk(['create', 'job', 'drill-now', `--from=cronjob/${DRILL}`, '-n', 'velero']);
    const job = JSON.parse(await env.cluster.kubectlOk(['get', 'job', 'drill-now', '-n', 'velero', '-o', 'json'])) as JobLike;
    expect(job.spec.template.spec.serviceAccountName).toBe(DRILL);
    const probes = probeStandIn();
    const result = await runJobPodOnHost(job, { cluster: env.cluster, kubectlDir: env.kubectlDir, workDir: path.join(run.runDir, 'pods'), timeoutMs: 480_000 });
    expect(await probes.stop()).toEqual(['restorable-isolation-probe']);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`isolation enforced: a pod in ${DRILL_NAMESPACE} could not reach the API server (Unable to connect to the server: dial tcp 10.96.0.1:443: i/o timeout)`);
    expect(result.output).toMatch(new RegExp(`drill ${ORG.plan} finished in \\d+s: passed`));
    for (const [i, step] of ORG.steps.entries()) expect(result.output).toMatch(new RegExp(`step 0${i + 1} ${step.name}: completed`));

    const verdict = (JSON.parse(await env.cluster.kubectlOk(['get', 'configmap', `${DRILL}-result`, '-n', 'velero', '-o', 'json'])) as { data: Record<string, string> }).data;
    expect(verdict.verdict).toBe('passed');
    expect(verdict.backups).toBe(`${ORG.policy}=${backup}`);
    expect(Number(verdict.durationSeconds)).toBeLessThanOrEqual(Number(verdict.rtoSeconds));

    // The drill's namespaces and Restores are gone (the leftovers with them); the namespace controller finalised them.
    await waitFor(async () => (await env.cluster.kubectlOk(['get', 'namespaces', '-l', `restorable.dev/drill=${ORG.plan}`, '-o', 'name'])) === '', {
      timeoutMs: 180_000,
      intervalMs: 1_000,
      describe: () => `the drill namespace ${DRILL_NAMESPACE} was not removed`,
    });
    await waitFor(async () => (await env.cluster.kubectlOk(['get', 'restores.velero.io', '-n', 'velero', '-l', `restorable.dev/drill=${ORG.plan}`, '-o', 'name'])) === '', {
      timeoutMs: 120_000,
      intervalMs: 1_000,
      describe: () => 'the drill Restores were not removed',
    });

    // Workloads came back at zero replicas; every other object as backed up.
    const restoredDeployments = added(deployments);
    const restoredStatefulSets = added(statefulSets);
    expect([...restoredDeployments.keys()].sort()).toEqual(['web', 'worker']);
    expect([...restoredStatefulSets.keys()]).toEqual(['db']);
    expect(restoredDeployments.get('web')?.spec?.replicas).toBe(0);
    expect(restoredDeployments.get('worker')?.spec?.replicas).toBe(0);
    expect(restoredStatefulSets.get('db')?.spec?.replicas).toBe(0);
    const workloadsStep = String(ORG.steps.findIndex((s) => s.name === 'workloads') + 1).padStart(2, '0');
    expect(restoredDeployments.get('web')?.metadata.labels?.['velero.io/restore-name']).toMatch(new RegExp(`^${ORG.plan}-d${workloadsStep}-\\d{14}$`));

    // Every Service is a valid ClusterIP Service: the API server admitted each one.
    const restoredServices = added(services);
    expect([...restoredServices.keys()].sort()).toEqual(Object.keys(live).filter((k) => k.startsWith('Service/')).map((k) => k.slice('Service/'.length)).sort());
    for (const [name, service] of restoredServices) {
      const spec = service.spec as { type: string; clusterIP: string; ports: { nodePort?: number }[] } & Record<string, unknown>;
      expect(spec.type, name).toBe('ClusterIP');
      expect(spec.ports.filter((p) => p.nodePort !== undefined), name).toEqual([]);
      for (const field of ['allocateLoadBalancerNodePorts', 'loadBalancerClass', 'externalTrafficPolicy', 'healthCheckNodePort', 'loadBalancerSourceRanges']) expect(spec[field], `${name}.${field}`).toBeUndefined();
    }
    expect((restoredServices.get('db')!.spec as { clusterIP: string }).clusterIP).toBe('None');
    expect((restoredServices.get('storefront')!.spec as { ports: { name: string; port: number }[] }).ports.map((p) => `${p.name}:${p.port}`)).toEqual(['http:80', 'https:443']);

    // Nothing that acts outside the drill came back, though the last step restores every other kind.
    expect(result.output).toMatch(new RegExp(`step 0${ORG.steps.length} ${ORG.steps[ORG.steps.length - 1]!.name}: completed`));
    expect([...added(networkPolicies).keys()]).toEqual(['restorable-drill-isolation']);
    expect([...added(autoscalers).keys()]).toEqual([]);
    expect([...added(alerts).keys()]).toEqual([]);
    const web = restoredServices.get('web')!.metadata as { annotations?: Record<string, string> };
    expect(Object.keys(web.annotations ?? {}).filter((key) => key.startsWith('external-dns.'))).toEqual(['external-dns.alpha.kubernetes.io/controller']);
    expect(web.annotations?.['external-dns.alpha.kubernetes.io/controller']).toBe('restorable-drill');
    const restoredConfig = added(configMaps);
    expect(restoredConfig.get('settings')?.data).toEqual({ ...(live['ConfigMap/settings'] as Record<string, string>), 'read-only': 'true' });
    expect([...added(claims).keys()].sort()).toEqual(['data-db-0', 'data-db-1']);
    // Without volume data, the claims come back without the live volumes' names and bind to the
    // drill's volumes (the PV binder of kube-controller-manager); the drill saw every one Bound and
    // every reference of every restored workload present, with no check of its own.
    for (const claim of added(claims).values()) expect(claim.spec?.volumeName, claim.metadata.name).toBeUndefined();
    const bound = new Map(claims.filter((e) => e.type === 'MODIFIED' && (e.object as { status?: { phase?: string } }).status?.phase === 'Bound').map((e) => [e.object.metadata.name, e.object.spec?.volumeName]));
    expect(Object.fromEntries(bound)).toEqual({ 'data-db-0': 'drill-shop-db-0', 'data-db-1': 'drill-shop-db-1' });
    expect(result.output).toContain(`claims in ${DRILL_NAMESPACE}: 2 Bound`);
    expect(result.output).toContain(`workloads in ${DRILL_NAMESPACE}: every reference present`);

    // The live namespace is exactly as it was: same objects, replicas, Service types and node ports.
    expect(await namespaceState(env.cluster, ORG.namespace)).toEqual(live);
    expect((live['Service/storefront'] as { type: string }).type).toBe('LoadBalancer');
  });

  it("every request of the drill's ServiceAccount in the audit log was allowed; the grants it did not use are the ones listed here, with the reason", () => {
    interface AuditEvent {
      stage: string;
      verb: string;
      requestURI: string;
      user: { username: string };
      objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string; apiGroup?: string };
      responseStatus?: { code?: number };
    }
    const user = `system:serviceaccount:velero:${DRILL}`;
    const events = readFileSync(env.cluster.auditLog!, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AuditEvent)
      .filter((e) => e.user.username === user && e.stage === 'ResponseComplete');
    expect(events.length).toBeGreaterThan(0);
    expect(events.filter((e) => e.responseStatus?.code === 401 || e.responseStatus?.code === 403).map((e) => `${e.verb} ${e.requestURI} -> ${e.responseStatus?.code}`)).toEqual([]);

    type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
    const roles = readFolder(env.folder).filter(
      (m) => (m.kind === 'Role' && m.metadata.name === DRILL) || (m.kind === 'ClusterRole' && [`restorable-${DRILL}`, `restorable-${DRILL}-inside`].includes(m.metadata.name)),
    ) as unknown as {
      kind: string;
      rules: Rule[];
    }[];
    expect(roles.map((r) => r.kind).sort()).toEqual(['ClusterRole', 'ClusterRole', 'Role']);
    const used = (rule: Rule, kind: string, verb: string, resource: string, name?: string) =>
      events.some(
        (e) =>
          e.objectRef?.resource !== undefined &&
          (kind === 'ClusterRole' || e.objectRef.namespace === 'velero') &&
          rule.apiGroups.includes(e.objectRef.apiGroup ?? '') &&
          (e.objectRef.subresource ? `${e.objectRef.resource}/${e.objectRef.subresource}` : e.objectRef.resource) === resource &&
          e.verb === verb &&
          (name === undefined || e.objectRef.name === name),
      );
    const unused = roles.flatMap((role) =>
      role.rules.flatMap((rule) =>
        rule.verbs.flatMap((verb) =>
          (rule.resourceNames ?? [undefined]).flatMap((name) => rule.resources.filter((resource) => !used(rule, role.kind, verb, resource, name)).map((resource) => `${verb} ${resource}${name ? `/${name}` : ''}`)),
        ),
      ),
    );
    expect(unused.sort()).toEqual(
      [
        // The result is created, and patched from the second drill on (this is the first); never read.
        `get configmaps/${DRILL}-result`,
        `patch configmaps/${DRILL}-result`,
        // `kubectl apply` patches a NetworkPolicy that exists; each drill namespace is new, so it creates one.
        'patch networkpolicies',
        // Checked when the drill creates its RoleBinding (the API server's escalation check), never requested.
        `bind clusterroles/restorable-${DRILL}-inside`,
      ].sort(),
    );
  });
});
