/**
 * restorable's Velero installation against the real Velero v1.18.1: the objects it generates for a
 * cluster equal what the real `velero install --dry-run -o yaml` renders for the same settings
 * (normalised: restorable's own label and Argo CD annotations removed, its two ConfigMaps aside),
 * and the real server starts from the generated Deployment's command, args and env (on the host:
 * no kubelet, so no pod runs; the node-agent DaemonSet is applied but its pods never run).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { backupPolicy, cluster, csi, s3Storage, sealed } from '../../src/index.ts';
import { lower } from '../../src/lower/index.ts';
import { MAINTENANCE_CONFIGMAP, NODE_AGENT_CONFIGMAP } from '../../src/lower/velero-install/index.ts';
import { resolve } from '../../src/model/resolve.ts';
import { type JsonValue, normalize } from '../../src/output/normalize.ts';
import type { ControlPlane } from './harness/control-plane.ts';
import { type ObjectStore, startObjectStore } from './harness/object-store.ts';
import { waitFor } from './harness/processes.ts';
import { useTestRun } from './harness/test-run.ts';
import { installVelero, type RenderedObject, type Velero } from './harness/velero.ts';

const run = useTestRun('velero-install');
const exec = promisify(execFile);
const BUCKET = 'install-backups';
const IMAGES = { velero: 'docker.io/velero/velero:v1.18.1', aws: 'docker.io/velero/velero-plugin-for-aws:v1.14.3' };

let generatedLocation: RenderedObject | undefined;

/** A cluster whose policy moves CSI snapshot data (node-agent, EnableCSI) with every installation setting declared. */
function generated(endpoint: string, region: string): RenderedObject[] {
  const backups = s3Storage('e2e-backups', { bucket: BUCKET, region, prefix: 'velero', endpoint, forcePathStyle: true, credentials: sealed('e2e-backups-credentials') });
  const prod = cluster('prod', {
    environment: 'e2e',
    storage: [backups],
    snapshotClasses: [csi({ driver: 'ebs.csi.aws.com' })],
    images: { kubectl: 'docker.io/alpine/k8s:1.33.4', velero: IMAGES.velero, veleroPlugins: { aws: IMAGES.aws } },
    velero: {
      version: 'v1.18.1',
      nodeAgent: { loadConcurrency: 2, resources: { cpuRequest: '500m', memoryRequest: '512Mi', memoryLimit: '2Gi' }, backupPVC: { gp3: { storageClass: 'gp3', readOnly: true } } },
      repositoryMaintenance: { frequency: '24h', keepLatestJobs: 3, resources: { cpuRequest: '100m', memoryRequest: '256Mi' } },
    },
  });
  const shop = backupPolicy('shop', { cluster: prod, namespaces: ['shop'], rpo: '1h', retention: { hourly: 24, daily: 7 }, volumes: 'snapshot-data-mover' });
  const { model, diagnostics } = resolve([backups, prod, shop]);
  const errors = diagnostics.filter((d) => d.severity === 'error' && !/^(SEC|SEAL|GRD)/.test(d.code));
  if (errors.length > 0) throw new Error(errors.map((d) => `${d.code} ${d.message}`).join('\n'));
  const installationKinds = new Set(['CustomResourceDefinition', 'Namespace', 'ClusterRoleBinding', 'ServiceAccount', 'Deployment', 'DaemonSet']);
  const objects = lower(model).map((p) => p.object as unknown as RenderedObject);
  generatedLocation = objects.find((o) => o.kind === 'BackupStorageLocation');
  return objects
    .filter((o) => installationKinds.has(o.kind) ? o.kind !== 'ServiceAccount' || o.metadata.name === 'velero' : o.kind === 'ConfigMap' && [NODE_AGENT_CONFIGMAP, MAINTENANCE_CONFIGMAP].includes(o.metadata.name))
    .filter((o) => o.kind !== 'ClusterRoleBinding' || o.metadata.name === 'velero');
}

/** The same settings as velero install flags. */
const INSTALL_FLAGS = [
  'install',
  '--dry-run',
  '-o',
  'yaml',
  '--no-secret',
  '--no-default-backup-location',
  '--use-volume-snapshots=false',
  `--image=${IMAGES.velero}`,
  `--plugins=${IMAGES.aws}`,
  '--features=EnableCSI',
  '--uploader-type=kopia',
  '--use-node-agent',
  '--node-agent-pod-cpu-request=500m',
  '--node-agent-pod-mem-request=512Mi',
  '--node-agent-pod-mem-limit=2Gi',
  '--default-repo-maintain-frequency=24h',
  `--repo-maintenance-job-configmap=${MAINTENANCE_CONFIGMAP}`,
  `--node-agent-configmap=${NODE_AGENT_CONFIGMAP}`,
];

/** What is compared: restorable's own label and Argo CD's annotations removed, then the canonical form. */
function comparable(object: RenderedObject): JsonValue | undefined {
  const copy = structuredClone(object) as Record<string, unknown> & { metadata: Record<string, unknown> };
  delete copy.status;
  const labels = { ...((copy.metadata.labels as Record<string, string> | undefined) ?? {}) };
  delete labels['app.kubernetes.io/managed-by'];
  const annotations = Object.fromEntries(Object.entries((copy.metadata.annotations as Record<string, string> | undefined) ?? {}).filter(([k]) => !k.startsWith('argocd.argoproj.io/')));
  copy.metadata = { ...copy.metadata, labels, annotations };
  return normalize(copy);
}

const key = (o: RenderedObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

let store: ObjectStore;
let k8s: ControlPlane;
let ours: RenderedObject[];
let velero: Velero | undefined;
const veleroBin = () => path.join(inject('veleroBin'), 'velero');

beforeAll(async () => {
  store = await startObjectStore({ name: 'objectstore', binDir: inject('objectstoreBin'), runDir: run.runDir, buckets: [BUCKET] });
  ours = generated(store.endpoint, store.region);
  k8s = await run.cluster('prod');
  // velero install reads the ConfigMaps its flags name from the cluster and checks them: the
  // namespace and restorable's ConfigMaps go in first, so Velero's own validation reads them.
  const first = ours.filter((o) => o.kind === 'Namespace' || o.kind === 'ConfigMap');
  await k8s.kubectlOk(['apply', '--server-side', '--field-manager=velero-install', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: first }) });
});
afterAll(async () => {
  await velero?.stop();
  await store?.stop();
});

describe("restorable's Velero installation against the real velero install and server v1.18.1", () => {
  it('GIVEN the same settings WHEN velero install --dry-run -o yaml renders them THEN restorable generated the same objects (kinds, names, labels, args, env, volumes, init containers, resources), plus the node-agent and maintenance ConfigMaps', async () => {
    const { stdout } = await exec(veleroBin(), [...INSTALL_FLAGS, `--kubeconfig=${k8s.adminKubeconfig}`], { env: { PATH: process.env.PATH ?? '', HOME: run.runDir }, maxBuffer: 64 * 1024 * 1024 });
    const theirs = (yaml.load(stdout) as { items: RenderedObject[] }).items;
    const configMaps = [NODE_AGENT_CONFIGMAP, MAINTENANCE_CONFIGMAP].map((name) => `ConfigMap/velero/${name}`);
    expect(ours.map(key).filter((k) => !configMaps.includes(k)).sort()).toEqual(theirs.map(key).sort());
    const byKey = new Map(ours.map((o) => [key(o), o]));
    for (const object of theirs) expect.soft(comparable(byKey.get(key(object))!), key(object)).toEqual(comparable(object));
  });

  it('GIVEN velero install with --keep-latest-maintenance-jobs WHEN the server gets the arg it renders THEN the server refuses it (why restorable puts kept Jobs in the maintenance ConfigMap)', async () => {
    const { stdout } = await exec(veleroBin(), [...INSTALL_FLAGS, '--keep-latest-maintenance-jobs=3', `--kubeconfig=${k8s.adminKubeconfig}`], { env: { PATH: process.env.PATH ?? '', HOME: run.runDir }, maxBuffer: 64 * 1024 * 1024 });
    const deployment = (yaml.load(stdout) as { items: RenderedObject[] }).items.find((o) => o.kind === 'Deployment') as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
    const args = deployment.spec.template.spec.containers[0]!.args;
    expect(args).toContain('--keep-latest-maintenance-jobs=3');
    const result = await exec(veleroBin(), [...args, '--kubeconfig=/nonexistent'], { env: { PATH: process.env.PATH ?? '', HOME: run.runDir } }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('unknown flag: --keep-latest-maintenance-jobs');
  });

  it("GIVEN the generated installation applied CRDs first, the repository password and credentials created before the server starts WHEN Velero's server runs the generated Deployment's command and args THEN its location becomes Available, it keeps the existing password, and it serves the metrics the alerts read", async () => {
    const password = 'a-sealed-password-stand-in';
    const location = 'e2e-backups';
    velero = await installVelero({
      cluster: k8s,
      store,
      bucket: BUCKET,
      prefix: 'velero',
      runDir: run.runDir,
      veleroBinDir: inject('veleroBin'),
      awsPluginBinDir: inject('veleroPluginForAwsBin'),
      installation: {
        objects: ours,
        location,
        // In a cluster, the SealedSecrets' wave unseals these before the server's wave (stand-ins here).
        beforeStart: async () => {
          await k8s.kubectlOk(['create', 'secret', 'generic', 'velero-repo-credentials', '-n', 'velero', `--from-literal=repository-password=${password}`]);
          await k8s.kubectlOk(['create', 'secret', 'generic', 'e2e-backups-credentials', '-n', 'velero', `--from-literal=cloud=[default]\naws_access_key_id=${store.admin.accessKeyId}\naws_secret_access_key=${store.admin.secretAccessKey}\n`]);
          // The storage location restorable generated for the cluster (the Deployment has no credentials of its own).
          await k8s.kubectlOk(['apply', '--server-side', '-f', '-'], { input: JSON.stringify(generatedLocation) });
        },
      },
    });
    const deployment = ours.find((o) => o.kind === 'Deployment') as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
    expect(velero.serverArgs.slice(0, deployment.spec.template.spec.containers[0]!.args.length)).toEqual(deployment.spec.template.spec.containers[0]!.args);
    expect(await velero.backupStorageLocationPhase(location)).toBe('Available');
    const secret = JSON.parse(await k8s.kubectlOk(['get', 'secret', 'velero-repo-credentials', '-n', 'velero', '-o', 'json'])) as { data: Record<string, string> };
    expect(Buffer.from(secret.data['repository-password'] ?? '', 'base64').toString()).toBe(password);
    // The storage-location controller sets the gauge after it writes the phase: scrape until it does.
    const gauge = `velero_backup_location_status_gauge{backup_location_name="${location}"} 1`;
    const metricsUrl = velero.metricsUrl;
    let metrics = '';
    await waitFor(
      async () => {
        metrics = await (await fetch(metricsUrl)).text();
        return metrics.includes(gauge);
      },
      { timeoutMs: 60_000, intervalMs: 1_000, describe: () => `Velero's metrics never reported ${location} available:\n${metrics.split('\n').filter((l) => l.includes('location')).join('\n')}` },
    );
    // The node-agent and maintenance ConfigMaps the args name exist, in the JSON shape Velero reads.
    const nodeAgent = JSON.parse(await k8s.kubectlOk(['get', 'configmap', NODE_AGENT_CONFIGMAP, '-n', 'velero', '-o', 'json'])) as { data: Record<string, string> };
    expect(Object.values(nodeAgent.data).map((v) => JSON.parse(v))).toEqual([{ loadConcurrency: { globalConfig: 2 }, backupPVC: { gp3: { storageClass: 'gp3', readOnly: true } } }]);
  });
});
