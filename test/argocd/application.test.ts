import { describe, expect, it } from 'vitest';
import type { IAppProject, IApplication } from '../../src/k8s/argocd/index.ts';
import { validateObject } from '../../src/k8s/schema-registry.ts';
import { type ArgocdFile, argocdObjects, IN_CLUSTER_SERVER } from '../../src/lower/argocd.ts';
import { apiGroupOf } from '../../src/lower/sync-waves.ts';
import type { PlacedObject } from '../../src/output/layout.ts';
import { loadCrdValidator } from '../support/crd.ts';
import { exampleCluster, exampleCompilation, modelWith, placed } from './support.ts';

const applicationCrd = loadCrdValidator('argo-cd/application-crd.yaml');
const appProjectCrd = loadCrdValidator('argo-cd/appproject-crd.yaml');

async function exampleFiles(): Promise<ArgocdFile[]> {
  const { model, objects } = await exampleCompilation();
  return argocdObjects(model, objects);
}

function applicationOf(files: readonly ArgocdFile[], cluster: string): IApplication {
  const file = files.find((f) => f.path === `argocd/${cluster}/application-restorable-${cluster}.yaml`);
  if (!file) throw new Error(`no Application for ${cluster} in ${files.map((f) => f.path).join(', ')}`);
  return file.object as unknown as IApplication;
}

function projectOf(files: readonly ArgocdFile[], cluster: string): IAppProject {
  const file = files.find((f) => f.path === `argocd/${cluster}/appproject-restorable-${cluster}.yaml`);
  if (!file) throw new Error(`no AppProject for ${cluster} in ${files.map((f) => f.path).join(', ')}`);
  return file.object as unknown as IAppProject;
}

/** `group/kind` of every object of a cluster, split by scope, sorted. */
function emittedKinds(objects: readonly PlacedObject[], cluster: string): { cluster: string[]; namespaced: string[] } {
  const scoped = { cluster: new Set<string>(), namespaced: new Set<string>() };
  for (const item of objects.filter((o) => o.cluster === cluster && o.folder === undefined)) {
    const key = `${apiGroupOf(String(item.object.apiVersion))}/${String(item.object.kind)}`;
    const namespace = (item.object.metadata as { namespace?: string }).namespace;
    (namespace === undefined ? scoped.cluster : scoped.namespaced).add(key);
  }
  return { cluster: [...scoped.cluster].sort(), namespaced: [...scoped.namespaced].sort() };
}

describe('argocdObjects: the example organisation', () => {
  it('GIVEN two clusters with their own Argo CD WHEN lowered THEN each gets one Application and one AppProject in argocd/<cluster>/', async () => {
    const files = await exampleFiles();
    expect(files.map((f) => f.path)).toEqual([
      'argocd/dr-us/application-restorable-dr-us.yaml',
      'argocd/dr-us/appproject-restorable-dr-us.yaml',
      'argocd/prod-eu/application-restorable-prod-eu.yaml',
      'argocd/prod-eu/appproject-restorable-prod-eu.yaml',
    ]);
  });

  it('GIVEN the Argo CD objects WHEN validated THEN the real v3.5.1 CRDs (strict) and the project schemas accept them', async () => {
    for (const file of await exampleFiles()) {
      const crd = file.object.kind === 'Application' ? applicationCrd : appProjectCrd;
      expect(crd(file.object), file.path).toEqual([]);
      expect(validateObject(file.object), file.path).toEqual([]);
    }
  });

  it('GIVEN the prod-eu Application WHEN read THEN it syncs only the cluster folder, in-cluster, in the project of the same name', async () => {
    const app = applicationOf(await exampleFiles(), 'prod-eu');
    expect(app.metadata.name).toBe('restorable-prod-eu');
    expect(app.metadata.namespace).toBe('argocd');
    expect(app.spec.project).toBe('restorable-prod-eu');
    expect(app.spec.source).toEqual({
      repoURL: 'https://git.acme.example/platform/backup-policies.git',
      targetRevision: 'main',
      path: 'generated/clusters/prod-eu',
      directory: { recurse: true },
    });
    expect(app.spec.destination.server).toBe(IN_CLUSTER_SERVER);
    expect(app.spec.source?.path).not.toContain('runbooks');
  });

  it('GIVEN every Application WHEN its sync policy is read THEN it prunes and heals, never syncs an empty folder, never creates namespaces, and has no cascade finalizer', async () => {
    const files = await exampleFiles();
    for (const cluster of ['prod-eu', 'dr-us']) {
      const app = applicationOf(files, cluster);
      expect(app.spec.syncPolicy?.automated).toEqual({ prune: true, selfHeal: true, allowEmpty: false });
      expect(app.spec.syncPolicy?.syncOptions).toEqual(['ServerSideApply=true', 'RespectIgnoreDifferences=true', 'PruneLast=true']);
      expect(app.spec.syncPolicy?.syncOptions?.some((o) => o.startsWith('CreateNamespace'))).toBe(false);
      expect(app.spec.syncPolicy?.managedNamespaceMetadata).toBeUndefined();
      expect(app.metadata.finalizers ?? []).toEqual([]);
    }
  });

  it('GIVEN every Application WHEN its ignoreDifferences are read THEN the fields Velero writes back are ignored', async () => {
    const app = applicationOf(await exampleFiles(), 'dr-us');
    expect(app.spec.ignoreDifferences).toEqual(
      expect.arrayContaining([
        { group: 'velero.io', kind: 'Schedule', jsonPointers: ['/spec/skipImmediately'] },
        { group: 'velero.io', kind: 'BackupStorageLocation', jsonPointers: ['/spec/default'] },
      ]),
    );
  });

  it('GIVEN every AppProject WHEN read THEN it whitelists exactly the kinds emitted for its cluster, sorted, and the namespaces they use', async () => {
    const { objects } = await exampleCompilation();
    const files = await exampleFiles();
    for (const cluster of ['prod-eu', 'dr-us']) {
      const project = projectOf(files, cluster);
      const kinds = emittedKinds(objects, cluster);
      const listed = (list: { group: string; kind: string }[] | undefined) => (list ?? []).map((k) => `${k.group}/${k.kind}`);
      // Kinds whose names restorable does not prefix are listed once per name (Velero's CRDs).
      expect([...new Set(listed(project.spec.clusterResourceWhitelist))]).toEqual(kinds.cluster);
      expect(listed(project.spec.namespaceResourceWhitelist)).toEqual(kinds.namespaced);
      expect(project.spec.namespaceResourceBlacklist).toBeUndefined();
      expect(project.spec.sourceRepos).toEqual(['https://git.acme.example/platform/backup-policies.git']);
      const synced = objects.filter((o) => o.cluster === cluster && o.folder === undefined);
      const namespaces = new Set(['velero', ...synced.flatMap((o) => (o.object.metadata as { namespace?: string }).namespace ?? [])]);
      expect(project.spec.destinations).toEqual([...namespaces].sort().map((namespace) => ({ server: IN_CLUSTER_SERVER, namespace })));
      // The example installs Velero, so its project admits exactly its Velero namespace, Velero's
      // own ClusterRoleBinding and CRDs by name, next to restorable's own `restorable-*`.
      const named = (kind: string) => (project.spec.clusterResourceWhitelist ?? []).filter((k) => k.kind === kind).map((k) => k.name);
      expect(named('Namespace')).toEqual(['velero']);
      expect(named('ClusterRoleBinding')).toEqual(['restorable-*', 'velero']);
      expect(named('CustomResourceDefinition').every((n) => n?.endsWith('.velero.io'))).toBe(true);
    }
  });
});

describe('argocdObjects: edge cases', () => {
  it('GIVEN a cluster without argocd WHEN lowered THEN it gets no Argo CD objects', async () => {
    const model = await modelWith([await exampleCluster('prod-eu', { argocd: undefined }), await exampleCluster('dr-us')]);
    const { objects } = await exampleCompilation();
    expect(argocdObjects(model, objects).map((f) => f.path)).toEqual([
      'argocd/dr-us/application-restorable-dr-us.yaml',
      'argocd/dr-us/appproject-restorable-dr-us.yaml',
    ]);
  });

  it('GIVEN objects in several namespaces, a Velero Namespace object and a hook in another folder WHEN lowered THEN destinations list each synced namespace once, neither Namespace nor the hook kind is whitelisted, and cluster-scoped kinds are whitelisted by name', async () => {
    const cluster = await exampleCluster('prod-eu', {
      argocd: { repoURL: 'https://git.example.com/b.git', targetRevision: 'v1', namespace: 'gitops' },
      velero: undefined,
    });
    const objects = [
      placed('prod-eu', 'v1', 'Namespace', 'velero'),
      placed('prod-eu', 'velero.io/v1', 'Schedule', 's', 'velero'),
      placed('prod-eu', 'v1', 'ServiceAccount', 'restore', 'payments'),
      placed('prod-eu', 'rbac.authorization.k8s.io/v1', 'Role', 'restore', 'payments'),
      placed('prod-eu', 'rbac.authorization.k8s.io/v1', 'ClusterRole', 'restorable-view'),
      placed('prod-eu', 'snapshot.storage.k8s.io/v1', 'VolumeSnapshotClass', 'velero-ebs'),
      placed('prod-eu', 'snapshot.storage.k8s.io/v1', 'VolumeSnapshotClass', 'velero-efs'),
      placed('other', 'apps/v1', 'Deployment', 'x', 'elsewhere'),
      { ...placed('prod-eu', 'batch/v1', 'Job', 'hook', 'hooked'), folder: 'hooks/p' },
    ];
    const files = argocdObjects(await modelWith([cluster]), objects, { generatedPath: 'out/' });
    const project = projectOf(files, 'prod-eu');
    expect(project.metadata.namespace).toBe('gitops');
    expect(project.spec.destinations?.map((d) => d.namespace)).toEqual(['payments', 'velero']);
    // Cluster-scoped kinds by name: restorable's own prefix, or exactly the names emitted.
    expect(project.spec.clusterResourceWhitelist).toEqual([
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'restorable-*' },
      { group: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshotClass', name: 'velero-ebs' },
      { group: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshotClass', name: 'velero-efs' },
    ]);
    expect(project.spec.namespaceResourceWhitelist).toEqual([
      { group: '', kind: 'ServiceAccount' },
      { group: 'rbac.authorization.k8s.io', kind: 'Role' },
      { group: 'velero.io', kind: 'Schedule' },
    ]);
    const app = applicationOf(files, 'prod-eu');
    expect(app.spec.source?.path).toBe('out/clusters/prod-eu');
    expect(app.spec.source?.targetRevision).toBe('v1');
    for (const file of files) expect(validateObject(file.object), file.path).toEqual([]);
  });

  it('GIVEN a cluster with only cluster-scoped objects WHEN lowered THEN no namespaced kind is permitted (an absent whitelist would permit all)', async () => {
    const cluster = await exampleCluster('prod-eu');
    const files = argocdObjects(await modelWith([cluster]), [placed('prod-eu', 'snapshot.storage.k8s.io/v1', 'VolumeSnapshotClass', 'c')]);
    const project = projectOf(files, 'prod-eu');
    expect(project.spec.namespaceResourceWhitelist).toBeUndefined();
    expect(project.spec.namespaceResourceBlacklist).toEqual([{ group: '*', kind: '*' }]);
    expect(appProjectCrd(project)).toEqual([]);
  });
});
