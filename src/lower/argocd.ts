/**
 * The Argo CD objects that make each cluster sync its own folder: one Application and one AppProject
 * per cluster that declares `argocd`, written to `argocd/<cluster>/` beside (not inside) the synced
 * `clusters/<cluster>/` folder.
 *
 * Topology: each cluster's own Argo CD syncs that cluster's folder, so a region loss takes down
 * only that region's Argo CD, never the disaster-recovery cluster's. An ApplicationSet would need one
 * controller that sees every cluster (a hub), which is exactly the single point of failure this
 * avoids; so there is one plain Application per cluster, applied once on that cluster.
 *
 * Plain Application rather than app-of-apps: the AppProject is what limits the policy repository
 * to the kinds and namespaces restorable emits. If the repository also synced the AppProject (as a
 * self-managing app-of-apps root would), anything able to push to it could widen its own project.
 * So the Application and its project are applied by a cluster administrator
 * (`kubectl apply -f generated/argocd/<cluster>/`) and re-applied when that folder changes; until
 * then a new kind is refused by Argo CD ("not permitted in project"), which fails closed.
 */
import {
  AppProject,
  Application,
  ARGOCD_RESOURCES_FINALIZER,
  type IAppProject,
  type IApplication,
  type IClusterResourceRestriction,
  type IGroupKind,
} from '../k8s/argocd/index.ts';
import type { ClusterModel, Model } from '../model/types.ts';
import type { PlacedObject } from '../output/layout.ts';
import { type JsonValue, normalize } from '../output/normalize.ts';
import { MANAGED_BY } from './labels.ts';
import { apiGroupOf, inSyncedFolder } from './sync-waves.ts';

/** The API server of the cluster Argo CD runs in. */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

/** Options of {@link argocdObjects}. */
export interface ArgocdOptions {
  /**
   * Repository-relative folder synth writes to, as seen by Argo CD in the repository
   * (`generated` unless `synth --out` says otherwise). Posix separators, no leading `./`.
   */
  readonly generatedPath?: string;
}

/** One Argo CD file: its path relative to the output folder and the object, normalized. */
export interface ArgocdFile {
  /** `argocd/<cluster>/<kind>-<name>.yaml`. */
  readonly path: string;
  readonly object: { [key: string]: JsonValue };
}

/** Name of the Application and of the AppProject of a cluster. */
export function argocdAppName(cluster: string): string {
  return `restorable-${cluster}`;
}

/**
 * The Application and AppProject of every cluster with `argocd`, computed from the model and from
 * the objects lowered for that cluster (the project whitelists exactly their kinds and namespaces).
 * Sorted by path, normalized like every other emitted object.
 */
export function argocdObjects(model: Model, objects: readonly PlacedObject[], options: ArgocdOptions = {}): ArgocdFile[] {
  const generatedPath = (options.generatedPath ?? 'generated').replace(/^\.\/+|\/+$/g, '');
  const files: ArgocdFile[] = [];
  for (const cluster of model.clusters) {
    if (!cluster.argocd) continue;
    // Only what this Application syncs: objects placed in other folders (hooks) belong to other Applications.
    const own = objects.filter((placed) => placed.cluster === cluster.name && inSyncedFolder(placed));
    const name = argocdAppName(cluster.name);
    const dir = `argocd/${cluster.name}`;
    files.push({ path: `${dir}/application-${name}.yaml`, object: asJson(rootApplication(cluster, generatedPath)) });
    files.push({ path: `${dir}/appproject-${name}.yaml`, object: asJson(appProject(cluster, own)) });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The Application syncing `<generated>/clusters/<cluster>` into its own cluster.
 *
 * - No `resources-finalizer`: deleting the Application (by mistake, or to re-bootstrap) must leave
 *   storage locations, credentials and schedules in place; with the finalizer, Argo CD would
 *   cascade-delete everything it synced that is not protected by `Delete=false`.
 * - No `CreateNamespace=true`: a namespace Argo CD created is one it may delete, taking backups'
 *   metadata and credentials with it. restorable owns the Velero namespace only where it installs
 *   Velero (`velero` on the cluster), as an object that is never pruned or deleted; elsewhere the
 *   namespaces exist before Argo CD syncs (Velero's installation makes its own).
 * - `allowEmpty: false`: with pruning on, a folder that renders empty (a bad commit, a wrong path)
 *   would otherwise remove everything unprotected.
 * - `ignoreDifferences` with `RespectIgnoreDifferences=true`: Velero writes `spec.skipImmediately`
 *   back on Schedules and flips `spec.default` on storage locations; Argo CD neither reports those as
 *   drift nor fights Velero over them.
 * - `ServerSideApply=true`: field ownership is shared with Velero's controllers, and large CRs do not
 *   hit the client-side last-applied annotation limit.
 * - `PruneLast=true`: removals happen after every wave is healthy, so a renamed storage location
 *   exists before anything pointing at the old one goes.
 * - The destination namespace is the Velero namespace only because Argo CD checks the
 *   Application's destination against the project; every emitted namespaced object names its own.
 */
function rootApplication(cluster: ClusterModel, generatedPath: string): IApplication {
  const argocd = cluster.argocd!;
  const name = argocdAppName(cluster.name);
  const application = new Application({
    metadata: { name, namespace: argocd.namespace, labels: { ...MANAGED_BY } },
    spec: {
      project: name,
      source: {
        repoURL: argocd.repoURL,
        targetRevision: argocd.targetRevision,
        // Only the cluster's folder: runbooks (generated/runbooks/) are applied by an operator
        // during a restore, never synced.
        path: `${generatedPath}/clusters/${cluster.name}`,
        directory: { recurse: true },
      },
      destination: { server: IN_CLUSTER_SERVER, namespace: cluster.veleroNamespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: true, allowEmpty: false },
        syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true', 'PruneLast=true'],
        // An automated sync that fails is not retried for the same commit; retry with backoff so a
        // prerequisite that arrives a little later (a CRD, the unsealed Secret) does not leave the
        // cluster without schedules until the next commit.
        retry: { limit: 5, backoff: { duration: '30s', factor: 2, maxDuration: '10m' }, refresh: true },
      },
      ignoreDifferences: [
        { group: 'velero.io', kind: 'BackupStorageLocation', jsonPointers: ['/spec/default'] },
        { group: 'velero.io', kind: 'Schedule', jsonPointers: ['/spec/skipImmediately'] },
      ],
      info: [
        { name: 'Generated by', value: 'restorable synth: change policies/, not the generated folders' },
        { name: 'Runbooks', value: `${generatedPath}/runbooks/${cluster.name}/ (applied by hand during a restore, never synced)` },
      ],
    },
  });
  application.validate();
  return application.toJSON() as IApplication;
}

/**
 * The project of a cluster's Application: its one repository, the in-cluster server and exactly the
 * namespaces and kinds of the objects lowered for the cluster. The `resources-finalizer` on a
 * project (unlike on an Application) only keeps it from being deleted while an Application uses it.
 */
function appProject(cluster: ClusterModel, objects: readonly PlacedObject[]): IAppProject {
  const argocd = cluster.argocd!;
  // The Velero namespace is emitted only with Velero's installation (with Prune=false,Delete=false:
  // deleting a namespace deletes everything in it, whatever their own options say). Elsewhere
  // ARGO003 forbids it, and should one slip through, it is not permitted.
  const permitted = cluster.velero ? objects : objects.filter((placed) => !isVeleroNamespaceObject(placed, cluster));
  const namespaces = new Set<string>([cluster.veleroNamespace]);
  const clusterNames = new Map<string, { group: string; kind: string; names: Set<string> }>();
  const namespacedKinds = new Map<string, IGroupKind>();
  for (const placed of permitted) {
    const group = apiGroupOf(String(placed.object.apiVersion ?? ''));
    const kind = String(placed.object.kind ?? '');
    const namespace = namespaceOf(placed);
    if (namespace === undefined) {
      const entry = clusterNames.get(`${group}/${kind}`) ?? { group, kind, names: new Set<string>() };
      entry.names.add(String((placed.object.metadata as { name?: unknown } | undefined)?.name));
      clusterNames.set(`${group}/${kind}`, entry);
    } else {
      namespaces.add(namespace);
      namespacedKinds.set(`${group}/${kind}`, { group, kind });
    }
  }
  const name = argocdAppName(cluster.name);
  const project = new AppProject({
    metadata: { name, namespace: argocd.namespace, labels: { ...MANAGED_BY }, finalizers: [ARGOCD_RESOURCES_FINALIZER] },
    spec: {
      description: `restorable: backup configuration of cluster ${cluster.name}, synced by its own Argo CD`,
      sourceRepos: [argocd.repoURL],
      destinations: [...namespaces].sort().map((namespace) => ({ server: IN_CLUSTER_SERVER, namespace })),
      clusterResourceWhitelist: clusterWhitelist(clusterNames),
      // An absent namespaced whitelist permits every namespaced kind, and normalize() drops empty
      // lists; so "no namespaced kinds" is said with a blacklist of everything instead.
      ...(namespacedKinds.size > 0
        ? { namespaceResourceWhitelist: sortedKinds(namespacedKinds) }
        : { namespaceResourceBlacklist: [{ group: '*', kind: '*' }] }),
    },
  });
  project.validate();
  return project.toJSON() as IAppProject;
}

function namespaceOf(placed: PlacedObject): string | undefined {
  const metadata = placed.object.metadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return undefined;
  return typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
}

/** Whether an object is a `Namespace` object for the cluster's Velero namespace. */
export function isVeleroNamespaceObject(placed: PlacedObject, cluster: Pick<ClusterModel, 'veleroNamespace'>): boolean {
  const metadata = placed.object.metadata as { name?: unknown } | undefined;
  return placed.object.apiVersion === 'v1' && placed.object.kind === 'Namespace' && metadata?.name === cluster.veleroNamespace;
}

/**
 * Cluster-scoped kinds are permitted by name as well (Argo CD matches `name` with Go's
 * filepath.Match): a ClusterRole, ClusterRoleBinding or admission policy is as powerful as its name
 * is unrestricted, so the repository may only sync restorable's own (`restorable-*`) and, for names
 * restorable does not prefix (Velero's own ClusterRoleBinding, CRDs and namespace where restorable
 * installs Velero, snapshot classes), exactly the names it emits.
 */
function clusterWhitelist(kinds: ReadonlyMap<string, { group: string; kind: string; names: ReadonlySet<string> }>): IClusterResourceRestriction[] {
  const entries: IClusterResourceRestriction[] = [];
  for (const { group, kind, names } of kinds.values()) {
    const sorted = [...names].sort();
    if (sorted.some((n) => n.startsWith(RESTORABLE_PREFIX))) entries.push({ group, kind, name: `${RESTORABLE_PREFIX}*` });
    for (const name of sorted.filter((n) => !n.startsWith(RESTORABLE_PREFIX))) entries.push({ group, kind, name });
  }
  return entries.sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.name! < b.name! ? -1 : 1));
}

/** The prefix of every cluster-scoped RBAC and admission object restorable emits. */
const RESTORABLE_PREFIX = 'restorable-';

function sortedKinds<T extends IGroupKind>(kinds: ReadonlyMap<string, T>): T[] {
  return [...kinds.values()].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
}

function asJson(object: IApplication | IAppProject): { [key: string]: JsonValue } {
  const normalized = normalize(object);
  if (typeof normalized !== 'object' || normalized === null || Array.isArray(normalized)) {
    throw new Error(`internal error: ${object.kind} ${object.metadata.name} normalized to nothing`);
  }
  return normalized;
}
