/**
 * Whether a policy's backups capture one PersistentVolumeClaim's data, decided as Velero v1.18
 * decides it, from what an inventory holds:
 *
 * 1. the claim's namespace is in `includedNamespaces` (none listed: every namespace);
 * 2. the claim is selected: no label selector, or the selector matches the claim's own labels, or a
 *    selected pod mounts it (Velero's pod action adds a pod's claims as additional items, which
 *    skip the label selector but not the namespace and resource filters); a claim labelled
 *    `velero.io/exclude-from-backup=true` is never taken;
 * 3. the resource filters keep claims, and the policy captures volumes at all (`volumes: 'none'`
 *    keeps only objects);
 * 4. the first matching `volumePolicies` rule does not `skip` it;
 * 5. the chosen method can take the data: a CSI snapshot (also for the data mover) needs a
 *    VolumeSnapshotClass on the cluster for the claim's provisioner; a native snapshot needs a
 *    provisioner whose volumes the snapshot location's provider plugin can snapshot; a file-system
 *    backup reads the volume through a pod, so a selected pod must mount the claim.
 */
import type { LabelSelector } from '../dsl/policy.ts';
import type { StorageProvider } from '../dsl/storage.ts';
import type { VolumePolicy } from '../dsl/volume-policies.ts';
import { ownEntry } from '../inventory/names.ts';
import { quantityBytes } from '../inventory/quantity.ts';
import { type ClaimInventory, DEFAULT_STORAGE_CLASS, type Inventory, NO_STORAGE_CLASS, type PodInventory } from '../inventory/types.ts';
import type { ClusterModel, PolicyModel } from '../model/types.ts';

/** What a policy does with one claim's data. */
export type Capture =
  | { readonly kind: 'captured'; readonly method: Method }
  /** The policy's namespaces leave the claim's namespace out. */
  | { readonly kind: 'namespace' }
  /** The namespace is included but the selector takes neither the claim nor a pod mounting it (another app's data). */
  | { readonly kind: 'not-selected'; readonly excludedByLabel: boolean }
  /** `volumes: 'none'` or resource filters without claims: the objects, not the data. */
  | { readonly kind: 'objects-only'; readonly why: 'volumes-none' | 'resource-filters' }
  /** `volumePolicies[index]` skips the volume. */
  | { readonly kind: 'volume-policy-skip'; readonly index: number }
  /** CSI snapshot chosen, but no snapshot class of the cluster has the claim's provisioner as its driver. */
  | { readonly kind: 'no-snapshot-class'; readonly provisioner: string; readonly storageClass: string }
  /** Native snapshot chosen, but the provider plugin of the snapshot location cannot snapshot volumes of the claim's provisioner. */
  | { readonly kind: 'no-native-snapshot'; readonly provider: StorageProvider; readonly provisioner: string; readonly storageClass: string }
  /** File-system backup chosen, but no selected pod mounts the claim. */
  | { readonly kind: 'fs-not-mounted' };

/**
 * The provisioners whose volumes each provider plugin's VolumeSnapshotter can snapshot: its
 * `GetVolumeID` knows a CSI volume of its own disk driver and the in-tree volume source of the same
 * disks (which the in-tree provisioner creates); for any other volume it returns no ID, and Velero
 * skips the volume with a warning in the backup log. From velero-plugin-for-aws v1.14.3 (`ebsCSIDriver`,
 * `AWSElasticBlockStore`), velero-plugin-for-gcp (`pdCSIDriver`, `GCEPersistentDisk`) and
 * velero-plugin-for-microsoft-azure (`diskCSIDriver`, `AzureDisk`).
 */
export const NATIVE_SNAPSHOT_PROVISIONERS: Readonly<Record<StorageProvider, readonly string[]>> = {
  aws: ['ebs.csi.aws.com', 'kubernetes.io/aws-ebs'],
  gcp: ['pd.csi.storage.gke.io', 'gcp.csi.confidential.cloud', 'kubernetes.io/gce-pd'],
  azure: ['disk.csi.azure.com', 'kubernetes.io/azure-disk'],
};

/** How Velero takes a volume's data. */
export type Method = 'csi-snapshot' | 'snapshot-data-mover' | 'native-snapshot' | 'filesystem';

const EXCLUDE_LABEL = 'velero.io/exclude-from-backup';

const CLAIMS = new Set(['persistentvolumeclaims', 'persistentvolumeclaim', 'pvc']);
const PODS = new Set(['pods', 'pod', 'po']);

/** True when Velero's resource filters keep `names` (a resource and its short names). */
function keepsResource(policy: PolicyModel, names: ReadonlySet<string>): boolean {
  const is = (resource: string): boolean => resource === '*' || names.has(resource.toLowerCase().replace(/\.$/, ''));
  const included = policy.includedResources.length === 0 || policy.includedResources.some(is);
  return included && !policy.excludedResources.some(is);
}

/** True when the policy's resource filters keep PersistentVolumeClaims. */
export const keepsClaims = (policy: PolicyModel): boolean => keepsResource(policy, CLAIMS);

/** Kubernetes label selector semantics: every matchLabels pair and every expression must hold. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (ownEntry(labels, key) !== value) return false;
  for (const expression of selector.matchExpressions ?? []) {
    const value = ownEntry(labels, expression.key);
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
    }
  }
  return true;
}

/** The StorageClass name a claim binds through: its own, or the cluster's default; undefined when unknown or none. */
export function resolvedStorageClass(claim: ClaimInventory, inventory: Inventory): string | undefined {
  if (claim.storageClass === NO_STORAGE_CLASS) return undefined;
  if (claim.storageClass !== DEFAULT_STORAGE_CLASS) return claim.storageClass;
  const defaults = Object.entries(inventory.storageClasses).filter(([, c]) => c.default);
  return defaults.length === 1 ? defaults[0]?.[0] : undefined;
}

/** The pods of a namespace the policy's backups take (and whose claims they add). */
function selectedPods(policy: PolicyModel, pods: readonly PodInventory[]): PodInventory[] {
  if (!keepsResource(policy, PODS)) return [];
  return pods.filter((pod) => ownEntry(pod.labels, EXCLUDE_LABEL) !== 'true' && (!policy.selector || selectorMatches(policy.selector, pod.labels)));
}

/** The first volume policy whose conditions all hold for the claim, with its index. */
function matchingVolumePolicy(
  policies: readonly VolumePolicy[],
  claim: ClaimInventory,
  storageClass: string | undefined,
  provisioner: string | undefined,
): { index: number; policy: VolumePolicy } | undefined {
  for (const [index, policy] of policies.entries()) {
    const { capacity, storageClass: classes, csiDriver, pvcLabels } = policy.conditions;
    if (classes !== undefined && (storageClass === undefined || !classes.includes(storageClass))) continue;
    if (csiDriver !== undefined && csiDriver !== provisioner) continue;
    if (pvcLabels !== undefined && Object.entries(pvcLabels).some(([key, value]) => ownEntry(claim.labels, key) !== value)) continue;
    if (capacity !== undefined && !inCapacity(capacity, claim.requestedBytes)) continue;
    return { index, policy };
  }
  return undefined;
}

/** Velero's capacity range `min,max`: either bound may be empty or zero (open). */
function inCapacity(range: string, bytes: number): boolean {
  const [low = '', high = ''] = range.split(',').map((part) => part.trim());
  const lower = low === '' ? 0 : (quantityBytes(low) ?? 0);
  const upper = high === '' ? 0 : (quantityBytes(high) ?? 0);
  if (lower === 0) return upper === 0 || bytes <= upper;
  if (upper === 0) return bytes >= lower;
  return bytes >= lower && bytes <= upper;
}

/**
 * What `policy` does with claim `name` of `namespace` in `inventory`.
 * @param cluster - the policy's cluster, for its snapshot classes (undefined: not declared, nothing checked)
 * @param snapshotProvider - the provider of the policy's storage, whose plugin takes its native
 *   snapshots (undefined: not declared, nothing checked)
 */
export function captureOf(
  policy: PolicyModel,
  cluster: ClusterModel | undefined,
  inventory: Inventory,
  namespace: string,
  name: string,
  snapshotProvider?: StorageProvider,
): Capture {
  const held = ownEntry(inventory.namespaces, namespace);
  const claim = held ? ownEntry(held.claims, name) : undefined;
  if (!held || !claim) return { kind: 'namespace' };
  if (policy.namespaces.length > 0 && !policy.namespaces.includes(namespace)) return { kind: 'namespace' };
  const excludedByLabel = ownEntry(claim.labels, EXCLUDE_LABEL) === 'true';
  const pods = selectedPods(policy, held.pods);
  const mounted = pods.some((pod) => pod.claims.includes(name));
  const labelled = !policy.selector || selectorMatches(policy.selector, claim.labels);
  if (excludedByLabel || !(labelled || mounted)) return { kind: 'not-selected', excludedByLabel };
  if (policy.volumes === 'none') return { kind: 'objects-only', why: 'volumes-none' };
  if (!keepsClaims(policy)) return { kind: 'objects-only', why: 'resource-filters' };
  const storageClass = resolvedStorageClass(claim, inventory);
  const provisioner = storageClass === undefined ? undefined : ownEntry(inventory.storageClasses, storageClass)?.provisioner;
  const rule = matchingVolumePolicy(policy.volumePolicies, claim, storageClass, provisioner);
  if (rule?.policy.action === 'skip') return { kind: 'volume-policy-skip', index: rule.index };
  const method: Method =
    rule?.policy.action === 'fs-backup' ? 'filesystem' : rule?.policy.action === 'snapshot' && policy.volumes === 'filesystem' ? 'csi-snapshot' : policy.volumes;
  if (method === 'filesystem') return mounted ? { kind: 'captured', method } : { kind: 'fs-not-mounted' };
  if ((method === 'csi-snapshot' || method === 'snapshot-data-mover') && cluster && provisioner !== undefined && storageClass !== undefined) {
    if (!cluster.snapshotClasses.some((c) => c.driver === provisioner)) return { kind: 'no-snapshot-class', provisioner, storageClass };
  }
  if (method === 'native-snapshot' && snapshotProvider && provisioner !== undefined && storageClass !== undefined) {
    if (!NATIVE_SNAPSHOT_PROVISIONERS[snapshotProvider].includes(provisioner)) return { kind: 'no-native-snapshot', provider: snapshotProvider, provisioner, storageClass };
  }
  return { kind: 'captured', method };
}

/** How close a capture came to taking the data, to report the most telling reason first. */
export function captureRank(capture: Capture): number {
  switch (capture.kind) {
    case 'captured':
      return 0;
    case 'no-snapshot-class':
    case 'no-native-snapshot':
    case 'fs-not-mounted':
      return 1;
    case 'volume-policy-skip':
      return 2;
    case 'objects-only':
      return 3;
    case 'not-selected':
      return 4;
    case 'namespace':
      return 5;
  }
}
