/**
 * The Velero test organisation: one cluster `prod` whose storage is the harness's object store, so
 * it is written at test time (the store's port is dynamic) into a folder under the repository's
 * `.tmp/` (policy files import `'restorable'`, which resolves only inside the repository). Its
 * credentials and repository password are sealed by the real CLI (`restorable seal --write`) for the
 * committed test key of prod-eu, which the real Sealed Secrets controller then holds.
 *
 * {@link startVeleroCluster} prepares a cluster the way a platform team does before Argo CD syncs
 * restorable's output: Velero installed (harness/velero.ts, its own `default` location under another
 * prefix), the CRDs of SealedSecret and PrometheusRule, the Sealed Secrets controller with the key,
 * then the cluster folder synced wave by wave with hook pods run on the host.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { ArgoHealth, downloadArgoCd } from './argocd-health.ts';
import { type SyncedObject, syncFolder } from './argocd-sync.ts';
import type { ControlPlane } from './control-plane.ts';
import { type ObjectStore, startObjectStore } from './object-store.ts';
import { installCrds, synthOrganisation, UPSTREAM_CRDS } from './organisation.ts';
import { hooksOnHost } from './pod-on-host.ts';
import { waitFor } from './processes.ts';
import { startSealedSecretsController } from './sealed-secrets.ts';
import { repoRoot, type TestRun } from './test-run.ts';
import { installVelero, type Velero } from './velero.ts';

/** Names the scenarios rely on. */
export const ORG = {
  cluster: 'prod',
  storage: 'e2e-backups',
  credentials: 'velero-e2e-backups-credentials',
  bucket: 'restorable-e2e',
  /** Prefix of restorable's location; Velero's own `default` location uses {@link ORG.installPrefix}. */
  prefix: 'prod',
  installPrefix: 'velero-install',
  policy: 'shop',
  namespace: 'shop',
  plan: 'shop-namespace-loss',
  schedules: ['shop-hourly', 'shop-daily'],
  /** The plan's declared steps: one, for the workloads. */
  declaredSteps: [{ name: 'workloads', resources: ['deployments.apps', 'statefulsets.apps', 'services'] }],
  /**
   * The steps it compiles to, in order, with the resources each includes (none: every resource but
   * those it excludes): configuration and storage first, the declared step, and the rest.
   */
  steps: [
    {
      name: 'shop-config-storage',
      resources: [
        'namespaces',
        'serviceaccounts',
        'secrets',
        'configmaps',
        'limitranges',
        'resourcequotas',
        'roles.rbac.authorization.k8s.io',
        'rolebindings.rbac.authorization.k8s.io',
        'persistentvolumeclaims',
        'persistentvolumes',
      ],
    },
    { name: 'workloads', resources: ['deployments.apps', 'statefulsets.apps', 'services'] },
    // Whatever else the namespace holds: the plan's automatic last step.
    { name: 'shop-rest', resources: undefined },
  ],
} as const;

/** The sealing certificate and private key of the committed test key pair (prod-eu's). */
export const TEST_CERTIFICATE = path.join(repoRoot, 'test', 'fixtures', 'orgs', 'example', 'policies', 'clusters', 'prod-eu', 'sealing-2026-11.pem');
export const TEST_KEY = path.join(repoRoot, 'test', 'fixtures', 'certs', 'prod-eu.key.pem');

/**
 * Policy source of an `s3Storage` in a harness object store (its port is dynamic, so test
 * organisations are written at test time), shared by the test organisations; `extra` holds further
 * props, each line ending in a comma.
 */
export function s3StorageSource(variable: string, storage: { name: string; bucket: string; prefix: string; credentials: string }, store: ObjectStore, extra = ''): string {
  return `export const ${variable} = s3Storage(${JSON.stringify(storage.name)}, {
  bucket: ${JSON.stringify(storage.bucket)},
  region: ${JSON.stringify(store.region)},
  prefix: ${JSON.stringify(storage.prefix)},
  endpoint: ${JSON.stringify(store.endpoint)},
  forcePathStyle: true,
  credentials: sealed(${JSON.stringify(storage.credentials)}),
${extra}});`;
}

/** prod's storage: the harness's object store, under {@link ORG}'s names. */
export const prodStorageSource = (store: ObjectStore, extra = '') => s3StorageSource('e2eBackups', { name: ORG.storage, bucket: ORG.bucket, prefix: ORG.prefix, credentials: ORG.credentials }, store, extra);

const clustersSource = (store: ObjectStore) => `/** The test cluster and its storage: the harness's object store (written at test time: its port is dynamic). */
import { cluster, guardrails, s3Storage, sealed } from 'restorable';

${prodStorageSource(store)}

export const prod = cluster(${JSON.stringify(ORG.cluster)}, {
  environment: 'e2e',
  storage: [e2eBackups],
  sealingCertificates: ['clusters/prod/sealing.pem'],
  sealingKeyRecovery: 'the committed test key pair of the real-systems tests',
  repositoryPassword: sealed('velero-repo-credentials', 'repository-password'),
  images: { kubectl: 'docker.io/alpine/k8s:1.33.4' },
  monitoring: 'prometheus-operator',
});

export const e2e = guardrails('e2e', { maxRpo: '1h', minRetention: '1d' });
`;

/** The shop's backup policy as policy source, shared by the test organisations. */
export const SHOP_POLICY_SOURCE = `export const shop = backupPolicy(${JSON.stringify(ORG.policy)}, {
  cluster: prod,
  storage: e2eBackups,
  namespaces: [${JSON.stringify(ORG.namespace)}],
  rpo: '1h',
  retention: { hourly: 24, daily: 7 },
  volumes: 'none',
  access: { view: ['group:shop'], restore: ['group:shop-oncall'], backup: ['group:shop-oncall'] },
});`;

const shopSource = `/** The shop: objects only (pods never run in these tests, so no volume holds data). */
import { backupPolicy, restorePlan } from 'restorable';
import { e2eBackups, prod } from '../clusters.ts';

${SHOP_POLICY_SOURCE}

/** Someone deleted the shop namespace: configuration and storage come back first, then the workloads, then the rest. */
export const shopNamespaceLoss = restorePlan(${JSON.stringify(ORG.plan)}, {
  from: shop,
  to: prod,
  scenario: 'namespace-loss',
  rto: '15m',
  // The restored shop starts read-only until someone checks it (a string value that reads like a boolean).
  transforms: [{ type: 'json-patch', groupResource: 'configmaps', namePattern: '^settings$', patches: [{ op: 'add', path: '/data/read-only', value: 'true' }] }],
  order: [
${ORG.declaredSteps.map((step) => `    { name: ${JSON.stringify(step.name)}, resources: ${JSON.stringify(step.resources)} },`).join('\n')}
  ],
  drill: { every: 'week' },
});
`;

/** A policies folder for `store`, with the credentials and the repository password sealed by `restorable seal --write`. */
export function writeVeleroOrganisation(store: ObjectStore, label: string): { policiesDir: string; repositoryPassword: string; cleanup: () => void } {
  const dir = path.join(repoRoot, '.tmp', `e2e-org-${label}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  const policiesDir = path.join(dir, 'policies');
  mkdirSync(path.join(policiesDir, 'teams'), { recursive: true });
  mkdirSync(path.join(policiesDir, 'clusters', 'prod'), { recursive: true });
  copyFileSync(TEST_CERTIFICATE, path.join(policiesDir, 'clusters', 'prod', 'sealing.pem'));
  writeFileSync(path.join(policiesDir, 'clusters.ts'), clustersSource(store));
  writeFileSync(path.join(policiesDir, 'teams', 'shop.ts'), shopSource);

  // The plaintext lives only in the run's scratch folder and is removed after sealing.
  const secrets = path.join(dir, 'plaintext');
  mkdirSync(secrets, { mode: 0o700 });
  const repositoryPassword = randomBytes(24).toString('base64url');
  const seal = (name: string, key: string, value: string) => {
    const file = path.join(secrets, key);
    writeFileSync(file, value, { mode: 0o600 });
    execFileSync(
      process.execPath,
      [path.join(repoRoot, 'bin', 'restorable.mjs'), 'seal', '--cluster', ORG.cluster, '--policies', policiesDir, '--namespace', 'velero', '--name', name, '--write', `${key}=${file}`],
      { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] },
    );
  };
  seal(ORG.credentials, 'cloud', `[default]\naws_access_key_id=${store.admin.accessKeyId}\naws_secret_access_key=${store.admin.secretAccessKey}\n`);
  seal('velero-repo-credentials', 'repository-password', repositoryPassword);
  rmSync(secrets, { recursive: true, force: true });
  return { policiesDir, repositoryPassword, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A prepared cluster: Velero, the Sealed Secrets controller and restorable's folder synced. */
export interface VeleroCluster {
  readonly cluster: ControlPlane;
  readonly store: ObjectStore;
  readonly velero: Velero;
  /** The compiled output (`generated/`). */
  readonly generated: string;
  /** `generated/clusters/prod`. */
  readonly folder: string;
  readonly synced: readonly SyncedObject[];
  /** The folder of the real kubectl (the pod stand-in's). */
  readonly kubectlDir: string;
  /** Stops Velero and the store (the run stops the cluster), removes the policies. */
  stop(): Promise<void>;
}

/** Options of {@link startVeleroCluster}. */
export interface VeleroClusterOptions {
  readonly auditPolicy?: string;
  /** Called after the cluster starts and before anything is synced (e.g. to create workloads). */
  readonly beforeSync?: (cluster: ControlPlane) => Promise<void>;
}

/** Starts the store, the cluster, Velero and the Sealed Secrets controller, then syncs restorable's folder. */
export async function startVeleroCluster(run: TestRun, label: string, options: VeleroClusterOptions = {}): Promise<VeleroCluster> {
  const store = await startObjectStore({ name: 'objectstore', binDir: inject('objectstoreBin'), runDir: run.runDir, buckets: [ORG.bucket] });
  let velero: Velero | undefined;
  let organisation: ReturnType<typeof writeVeleroOrganisation> | undefined;
  try {
    organisation = writeVeleroOrganisation(store, label);
    const generated = synthOrganisation(organisation.policiesDir, label);
    const folder = path.join(generated, 'clusters', ORG.cluster);
    const cluster = await run.cluster(ORG.cluster, options.auditPolicy ? { auditPolicy: options.auditPolicy } : {});
    await installCrds(
      cluster,
      UPSTREAM_CRDS.filter((file) => file.includes(`${path.sep}sealed-secrets${path.sep}`) || file.includes(`${path.sep}prometheus-operator${path.sep}`)),
    );
    velero = await installVelero({
      cluster,
      store,
      bucket: ORG.bucket,
      prefix: ORG.installPrefix,
      runDir: run.runDir,
      veleroBinDir: inject('veleroBin'),
      awsPluginBinDir: inject('veleroPluginForAwsBin'),
    });
    await startSealedSecretsController({ cluster, binary: path.join(inject('sealedSecretsBin'), 'sealed-secrets-controller'), runDir: run.runDir, key: { cert: TEST_CERTIFICATE, key: TEST_KEY } });
    await options.beforeSync?.(cluster);
    const kubectlDir = path.dirname(run.binaries.kubectl);
    const health = new ArgoHealth(downloadArgoCd(), path.join(inject('luaHealthBin'), 'lua-health'));
    const synced = await syncFolder({ cluster, folder, health, runHook: hooksOnHost({ cluster, kubectlDir, workDir: path.join(run.runDir, 'pods') }) });
    const started = velero;
    const org = organisation;
    return {
      cluster,
      store,
      velero: started,
      generated,
      folder,
      synced,
      kubectlDir,
      async stop() {
        await started.stop();
        await store.stop();
        org.cleanup();
        rmSync(path.dirname(generated), { recursive: true, force: true });
      },
    };
  } catch (error) {
    await velero?.stop();
    await store.stop();
    organisation?.cleanup();
    throw error;
  }
}

/** The Immediate StorageClass the shop's PersistentVolumes use (no provisioner: every PV is made by the test). */
export const STORAGE_CLASS = 'e2e-immediate';

/**
 * The shop's objects: workloads, configuration, access, claims bound to PersistentVolumes made
 * beforehand (no data: no pod ever runs), and Services of every type, the LoadBalancer and NodePort
 * ones with explicit node ports (applied server-side, so Velero keeps them on restore).
 */
export function shopObjects(): { apiVersion: 'v1'; kind: 'List'; items: object[] } {
  const ns = ORG.namespace;
  const labels = (app: string) => ({ 'app.kubernetes.io/name': app });
  const volume = (i: number) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: `shop-db-${i}`, labels: labels('db') },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      storageClassName: STORAGE_CLASS,
      persistentVolumeReclaimPolicy: 'Retain',
      hostPath: { path: `/var/lib/restorable-e2e/shop-db-${i}`, type: 'DirectoryOrCreate' },
      claimRef: { namespace: ns, name: `data-db-${i}` },
    },
  });
  const claim = (i: number) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: `data-db-${i}`, namespace: ns, labels: labels('db') },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: STORAGE_CLASS, volumeName: `shop-db-${i}`, resources: { requests: { storage: '1Gi' } } },
  });
  const container = (name: string, port: number) => ({ name, image: `registry.example/shop/${name}:1.0`, ports: [{ containerPort: port }] });
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: STORAGE_CLASS }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'Immediate', reclaimPolicy: 'Retain' },
      volume(0),
      volume(1),
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: 'shop' } } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: ns }, data: { currency: 'EUR', 'items-per-page': '20' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-credentials', namespace: ns }, type: 'Opaque', stringData: { password: 'e2e-not-a-secret' } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: ns } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'db', namespace: ns } },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'settings-reader', namespace: ns },
        rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'], verbs: ['get'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'web-settings-reader', namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'settings-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'web', namespace: ns }],
      },
      claim(0),
      claim(1),
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: ns, labels: labels('web') },
        spec: {
          replicas: 3,
          selector: { matchLabels: labels('web') },
          template: { metadata: { labels: labels('web') }, spec: { serviceAccountName: 'web', containers: [container('web', 8080)] } },
        },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'db', namespace: ns, labels: labels('db') },
        spec: {
          replicas: 2,
          serviceName: 'db',
          selector: { matchLabels: labels('db') },
          template: {
            metadata: { labels: labels('db') },
            spec: { serviceAccountName: 'db', containers: [{ ...container('db', 5432), volumeMounts: [{ name: 'data', mountPath: '/var/lib/db' }] }] },
          },
          volumeClaimTemplates: [
            { metadata: { name: 'data', labels: labels('db') }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: STORAGE_CLASS, resources: { requests: { storage: '1Gi' } } } },
          ],
        },
      },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { selector: labels('web'), ports: [{ port: 80, targetPort: 8080 }] } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: ns }, spec: { clusterIP: 'None', selector: labels('db'), ports: [{ port: 5432 }] } },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'storefront', namespace: ns },
        spec: {
          type: 'LoadBalancer',
          selector: labels('web'),
          ports: [
            { name: 'http', port: 80, targetPort: 8080, nodePort: 30080 },
            { name: 'https', port: 443, targetPort: 8080, nodePort: 30443 },
          ],
          allocateLoadBalancerNodePorts: true,
          loadBalancerClass: 'example.com/e2e-balancer',
          externalTrafficPolicy: 'Local',
          healthCheckNodePort: 30999,
          loadBalancerSourceRanges: ['10.0.0.0/8'],
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'admin', namespace: ns },
        spec: { type: 'NodePort', selector: labels('web'), ports: [{ name: 'admin', port: 9090, targetPort: 8080, nodePort: 30090 }] },
      },
    ],
  };
}

/** Creates the shop's objects (server-side apply, as a GitOps tool or `kubectl apply --server-side` would) and waits until its claims are Bound. */
export async function createShop(cluster: ControlPlane): Promise<void> {
  await cluster.kubectlOk(['apply', '--server-side', '--field-manager=e2e', '-f', '-'], { input: JSON.stringify(shopObjects()) });
  await waitFor(async () => (await cluster.kubectlOk(['get', 'pvc', '-n', ORG.namespace, '-o', 'jsonpath={.items[*].status.phase}'])) === 'Bound Bound', {
    timeoutMs: 60_000,
    describe: () => 'the shop claims were not bound to their PersistentVolumes within 60 s',
  });
}

/** The kinds of the shop's objects, as `kubectl get` names them. */
export const SHOP_KINDS = [
  'configmaps',
  'secrets',
  'serviceaccounts',
  'roles.rbac.authorization.k8s.io',
  'rolebindings.rbac.authorization.k8s.io',
  'persistentvolumeclaims',
  'deployments.apps',
  'statefulsets.apps',
  'services',
] as const;

interface Item {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/**
 * What a restore must bring back of each object in `namespace` (`Kind/name` -> the fields that
 * matter), leaving out what the cluster makes itself (the `default` ServiceAccount, the root CA
 * ConfigMap) and what the API server assigns (cluster IPs, uids, resource versions).
 */
export async function namespaceState(cluster: ControlPlane, namespace: string): Promise<Record<string, unknown>> {
  const list = JSON.parse(await cluster.kubectlOk(['get', SHOP_KINDS.join(','), '-n', namespace, '-o', 'json'])) as { items: Item[] };
  const state: Record<string, unknown> = {};
  for (const item of list.items) {
    const name = item.metadata.name;
    const spec = (item.spec ?? {}) as Record<string, unknown>;
    switch (item.kind) {
      case 'ConfigMap':
        if (name !== 'kube-root-ca.crt') state[`ConfigMap/${name}`] = item.data;
        break;
      case 'Secret':
        state[`Secret/${name}`] = { type: item.type, data: item.data };
        break;
      case 'ServiceAccount':
        if (name !== 'default') state[`ServiceAccount/${name}`] = {};
        break;
      case 'Role':
        state[`Role/${name}`] = item.rules;
        break;
      case 'RoleBinding':
        state[`RoleBinding/${name}`] = { roleRef: item.roleRef, subjects: item.subjects };
        break;
      case 'PersistentVolumeClaim':
        state[`PersistentVolumeClaim/${name}`] = { storageClassName: spec.storageClassName, volumeName: spec.volumeName, phase: (item.status as { phase?: string } | undefined)?.phase };
        break;
      case 'Deployment':
      case 'StatefulSet': {
        const pod = (spec.template as { spec: { serviceAccountName?: string; containers: { image: string }[] } }).spec;
        state[`${item.kind}/${name}`] = { replicas: spec.replicas, serviceAccountName: pod.serviceAccountName, images: pod.containers.map((c) => c.image) };
        break;
      }
      case 'Service':
        state[`Service/${name}`] = {
          type: spec.type,
          headless: spec.clusterIP === 'None',
          ports: (spec.ports as { name?: string; port: number; nodePort?: number }[]).map((p) => ({ name: p.name, port: p.port, nodePort: p.nodePort })),
          allocateLoadBalancerNodePorts: spec.allocateLoadBalancerNodePorts,
          loadBalancerClass: spec.loadBalancerClass,
          externalTrafficPolicy: spec.externalTrafficPolicy,
          healthCheckNodePort: spec.healthCheckNodePort,
          loadBalancerSourceRanges: spec.loadBalancerSourceRanges,
        };
        break;
    }
  }
  return JSON.parse(JSON.stringify(state)) as Record<string, unknown>;
}
