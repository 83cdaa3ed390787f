/**
 * Velero's installation as code: what a cluster's `velero` declaration compiles into, how it follows
 * the cluster's policies (node-agent, EnableCSI, Pod Security level), its sync order, and the
 * errors for bad declarations. The real-systems scenario velero-install compares the same output
 * with the real `velero install --dry-run -o yaml` and starts the real server from it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterProps, VeleroInstallation } from '../../src/dsl/index.ts';
import { argocdObjects } from '../../src/lower/argocd.ts';
import { SYNC_OPTIONS_ANNOTATION, SYNC_WAVE_ANNOTATION } from '../../src/lower/sync-waves.ts';
import { crdFolder } from '../../src/lower/velero-install/crds.ts';
import { goDuration, pluginContainerName, pullPolicyOf } from '../../src/lower/velero-install/images.ts';
import { validateManifest } from '../../src/output/validate-manifests.ts';
import { checkObjects } from '../../src/rules/objects.ts';
import { vendoredDir } from '../support/crd.ts';
import { build, clusterWith, errorCodes, policy, storage } from '../velero/support.ts';

const eu = storage('eu');
const IMAGES = { kubectl: 'docker.io/alpine/k8s:1.33.4', velero: 'docker.io/velero/velero:v1.18.1', veleroPlugins: { aws: 'docker.io/velero/velero-plugin-for-aws:v1.14.3' } };
const INSTALL: VeleroInstallation = { version: 'v1.18.1' };

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: unknown };
type PodTemplate = { spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: { args: string[]; image: string; resources?: unknown }[]; initContainers?: { name: string; image: string }[] } } } };

function compile(volumes: 'csi-snapshot' | 'snapshot-data-mover' | 'filesystem' | 'none', props: Partial<ClusterProps> = {}) {
  const prod = clusterWith('prod', [eu], { images: IMAGES, velero: INSTALL, argocd: { repoURL: 'https://git.example/b.git' }, ...props });
  const built = build([eu, prod, policy('shop', prod, { volumes })]);
  const objects = built.objects.map((p) => p.object as unknown as Obj);
  const one = <T = Obj>(kind: string, name?: string) => objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name)) as unknown as T;
  return { ...built, list: objects, one };
}

describe("Velero's installation objects", () => {
  it('GIVEN a cluster without velero WHEN lowered THEN no CRD, Namespace, Deployment or DaemonSet is emitted', () => {
    const { list } = compile('snapshot-data-mover', { velero: undefined });
    expect(list.filter((o) => ['CustomResourceDefinition', 'Namespace', 'Deployment', 'DaemonSet'].includes(o.kind))).toEqual([]);
  });

  it('GIVEN the data mover WHEN lowered THEN the CRDs, a privileged namespace, the server with EnableCSI and kopia, the node-agent and its ConfigMap, and never a Secret', () => {
    const { list, one, diagnostics } = compile('snapshot-data-mover');
    expect(errorCodes(diagnostics)).toEqual([]);
    const crds = list.filter((o) => o.kind === 'CustomResourceDefinition');
    expect(crds.map((c) => c.metadata.name)).toHaveLength(13);
    for (const crd of crds) expect(crd.metadata.labels).toMatchObject({ component: 'velero' });
    expect(one('Namespace').metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/warn': 'privileged' });
    const server = one<PodTemplate>('Deployment', 'velero').spec.template.spec;
    expect(server.containers[0]!.args).toEqual(['server', '--features=EnableCSI', '--uploader-type=kopia']);
    expect(server.containers[0]!.image).toBe(IMAGES.velero);
    expect(server.initContainers).toEqual([{ name: 'velero-velero-plugin-for-aws', image: IMAGES.veleroPlugins.aws, imagePullPolicy: 'IfNotPresent', volumeMounts: [{ name: 'plugins', mountPath: '/target' }] }]);
    const agent = one<PodTemplate>('DaemonSet', 'node-agent').spec.template;
    expect(agent.spec.containers[0]!.args).toEqual(['node-agent', 'server', '--features=EnableCSI', '--node-agent-configmap=node-agent-config']);
    expect(agent.metadata.labels).toMatchObject({ name: 'node-agent' });
    expect(JSON.parse(Object.values((one('ConfigMap', 'node-agent-config') as unknown as { data: Record<string, string> }).data)[0]!)).toEqual({});
    expect(list.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('GIVEN CSI snapshots only WHEN lowered THEN no node-agent, and the namespace is only baseline', () => {
    const { list, one } = compile('csi-snapshot');
    expect(list.filter((o) => o.kind === 'DaemonSet' || o.metadata.name === 'node-agent-config')).toEqual([]);
    expect(one('Namespace').metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('baseline');
    expect(one<PodTemplate>('Deployment').spec.template.spec.containers[0]!.args).toContain('--features=EnableCSI');
  });

  it('GIVEN file-system backups WHEN lowered THEN the node-agent runs but EnableCSI is not set', () => {
    const { one } = compile('filesystem');
    expect(one<PodTemplate>('DaemonSet').spec.template.spec.containers[0]!.args).toEqual(['node-agent', 'server', '--node-agent-configmap=node-agent-config']);
    expect(one<PodTemplate>('Deployment').spec.template.spec.containers[0]!.args).toEqual(['server', '--uploader-type=kopia']);
  });

  it('GIVEN node-agent and maintenance settings WHEN lowered THEN they land in Velero\'s ConfigMaps (JSON as Velero reads it) and the server args', () => {
    const { one } = compile('snapshot-data-mover', {
      velero: {
        version: 'v1.18.1',
        serverResources: { cpuRequest: '1', memoryRequest: '256Mi', memoryLimit: '1Gi' },
        nodeAgent: { loadConcurrency: 3, dataMoverResources: { cpuRequest: '1', memoryLimit: '4Gi' }, backupPVC: { gp3: { storageClass: 'gp3-ro', readOnly: true, spcNoRelabeling: true } } },
        repositoryMaintenance: { frequency: '7d', keepLatestJobs: 1, resources: { memoryLimit: '1Gi' } },
      },
    });
    const data = (name: string) => JSON.parse(Object.values((one(`ConfigMap`, name) as unknown as { data: Record<string, string> }).data)[0]!);
    expect(data('node-agent-config')).toEqual({ loadConcurrency: { globalConfig: 3 }, backupPVC: { gp3: { storageClass: 'gp3-ro', readOnly: true, spcNoRelabeling: true } }, podResources: { cpuRequest: '1', memoryLimit: '4Gi' } });
    expect(Object.keys((one('ConfigMap', 'repo-maintenance-job-config') as unknown as { data: Record<string, string> }).data)).toEqual(['global']);
    expect(data('repo-maintenance-job-config')).toEqual({ podResources: { memoryLimit: '1Gi' }, keepLatestMaintenanceJobs: 1 });
    const server = one<PodTemplate>('Deployment').spec.template.spec.containers[0]!;
    expect(server.args).toEqual(['server', '--features=EnableCSI', '--uploader-type=kopia', '--default-repo-maintain-frequency=168h0m0s', '--repo-maintenance-job-configmap=repo-maintenance-job-config']);
    expect(server.resources).toEqual({ requests: { cpu: '1', memory: '256Mi' }, limits: { memory: '1Gi' } });
  });

  it('GIVEN every installation object WHEN validated THEN Kubernetes\' schemas accept it', () => {
    const { list } = compile('snapshot-data-mover');
    for (const o of list.filter((x) => ['CustomResourceDefinition', 'Namespace', 'Deployment', 'DaemonSet', 'ServiceAccount', 'ClusterRoleBinding', 'ConfigMap'].includes(x.kind))) {
      expect(validateManifest(o as unknown as Record<string, unknown>), `${o.kind}/${o.metadata.name}`).toEqual([]);
    }
  });

  it('GIVEN the shipped CRDs WHEN compared with the vendored upstream files THEN they are byte-identical (refresh.sh --check covers both)', () => {
    const shipped = crdFolder('v1.18.1');
    const files = fs.readdirSync(shipped).filter((f) => f.endsWith('.yaml'));
    expect(files).toHaveLength(13);
    for (const file of files) expect(fs.readFileSync(path.join(shipped, file), 'utf8'), file).toBe(fs.readFileSync(path.join(vendoredDir('velero'), file), 'utf8'));
  });
});

describe('sync order and Argo CD', () => {
  it('GIVEN the installation WHEN annotated THEN CRDs and the namespace come first, the server and node-agent after the sealed credentials, the namespace is never pruned or deleted, and no ARGO rule fires', () => {
    const { list, objects, model, one } = compile('snapshot-data-mover');
    const wave = (o: Obj) => Number(o.metadata.annotations?.[SYNC_WAVE_ANNOTATION]);
    const crdWave = Math.max(...list.filter((o) => o.kind === 'CustomResourceDefinition').map(wave));
    const firstOther = Math.min(...list.filter((o) => !['CustomResourceDefinition', 'Namespace', 'Schedule'].includes(o.kind)).map(wave));
    expect(crdWave).toBeLessThan(firstOther);
    expect(wave(one('Namespace'))).toBe(crdWave);
    const sealedWave = Math.max(...list.filter((o) => o.kind === 'SealedSecret' || o.kind === 'Job').map(wave));
    expect(wave(one('Deployment'))).toBeGreaterThan(sealedWave);
    expect(wave(one('DaemonSet'))).toBeGreaterThan(sealedWave);
    expect(one('Namespace').metadata.annotations?.[SYNC_OPTIONS_ANNOTATION]).toBe('Prune=false,Delete=false');
    expect(checkObjects(objects, model).filter((d) => d.code.startsWith('ARGO'))).toEqual([]);
  });

  it("GIVEN the installation WHEN the AppProject is computed THEN it admits Velero's ClusterRoleBinding, namespace and CRDs by their exact names (the example organisation shows them next to restorable-*)", () => {
    const { model, objects } = compile('snapshot-data-mover');
    const project = argocdObjects(model, objects).find((f) => f.path.includes('appproject'))!.object as { spec: { clusterResourceWhitelist: { group: string; kind: string; name: string }[] } };
    const names = (kind: string) => project.spec.clusterResourceWhitelist.filter((e) => e.kind === kind).map((e) => e.name);
    expect(names('ClusterRoleBinding')).toEqual(['velero']);
    expect(names('Namespace')).toEqual(['velero']);
    expect(names('CustomResourceDefinition')).toHaveLength(13);
  });

  it('GIVEN another Velero namespace WHEN lowered THEN the ClusterRoleBinding is velero-<namespace>, as velero install names it', () => {
    const { one } = compile('csi-snapshot', { veleroNamespace: 'backup' });
    expect(one('ClusterRoleBinding', 'velero-backup')).toMatchObject({ subjects: [{ kind: 'ServiceAccount', namespace: 'backup', name: 'velero' }], roleRef: { name: 'cluster-admin' } });
    expect(one('Namespace').metadata.name).toBe('backup');
  });
});

describe('bad installation declarations', () => {
  it.each([
    [{ velero: { version: 'v1.17.0' } }, 'INST001', 'velero.version'],
    [{ velero: { version: 'v1.18.1', nodeAgent: { loadConcurrency: 0 } } }, 'INST001', 'velero.nodeAgent.loadConcurrency'],
    [{ velero: { version: 'v1.18.1', serverResources: { cpuRequest: 'half' } } }, 'INST001', 'velero.serverResources.cpuRequest'],
    [{ velero: { version: 'v1.18.1', serverResources: { cpu: '1' } } }, 'INST001', 'velero.serverResources.cpu'],
    [{ velero: { version: 'v1.18.1', repositoryMaintenance: { frequency: 'daily' } } }, 'INST001', 'velero.repositoryMaintenance.frequency'],
    [{ velero: { version: 'v1.18.1', nodeAgent: { backupPVC: { gp3: { readOnly: 'yes' } } } } }, 'INST001', 'velero.nodeAgent.backupPVC.gp3.readOnly'],
    [{ images: { kubectl: IMAGES.kubectl, veleroPlugins: IMAGES.veleroPlugins } }, 'IMG002', 'images.velero'],
    [{ images: { kubectl: IMAGES.kubectl, velero: IMAGES.velero } }, 'IMG002', 'images.veleroPlugins.aws'],
  ])('GIVEN %j WHEN resolved THEN %s at %s, and no installation is emitted', (props, code, at) => {
    const { diagnostics, list } = compile('snapshot-data-mover', props as Partial<ClusterProps>);
    const found = diagnostics.filter((d) => d.code === code);
    expect(found.map((d) => [d.declaration, d.path, d.severity])).toEqual([['prod', at, 'error']]);
    expect(found[0]!.hint).toBeTruthy();
    expect(list.filter((o) => o.kind === 'Deployment')).toEqual([]);
  });
});

describe("velero install's naming rules", () => {
  it.each([
    ['velero/velero-plugin-for-aws:v1.14.3', 'velero-velero-plugin-for-aws', 'IfNotPresent'],
    ['docker.io/velero/velero-plugin-for-aws:v1.14.3', 'velero-velero-plugin-for-aws', 'IfNotPresent'],
    ['registry.example:5000/velero/velero-plugin-for-gcp:v1.13.0', 'velero-velero-plugin-for-gcp', 'Always'],
    ['velero/velero-plugin-for-aws@sha256:0123456789abcdef', 'velero-velero-plugin-for-aws', 'IfNotPresent'],
    ['velero/velero-plugin-for-aws:latest', 'velero-velero-plugin-for-aws', 'Always'],
    ['velero/velero-plugin-for-aws', 'velero-velero-plugin-for-aws', 'Always'],
  ])('GIVEN image %s WHEN named THEN init container %s, pull policy %s', (image, name, policy) => {
    expect(pluginContainerName(image)).toBe(name);
    expect(pullPolicyOf(image)).toBe(policy);
  });

  it('GIVEN a plugin image whose name is over 63 characters WHEN named THEN 57 characters and 6 hex digits, as Velero\'s GetValidName', () => {
    const name = pluginContainerName(`example.com/${'a'.repeat(40)}/${'b'.repeat(40)}:v1`);
    expect(name).toHaveLength(63);
    expect(name).toMatch(/^a{40}-b{16}[0-9a-f]{6}$/);
  });

  it.each([
    [86_400, '24h0m0s'],
    [604_800, '168h0m0s'],
    [1_800, '30m0s'],
    [45, '45s'],
    [3_661, '1h1m1s'],
  ])('GIVEN %i seconds WHEN printed as Go prints a time.Duration THEN %s', (seconds, text) => {
    expect(goDuration(seconds)).toBe(text);
  });
});
