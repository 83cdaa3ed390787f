/**
 * Turns a Kubernetes v1 List (`kubectl get namespaces,persistentvolumeclaims,statefulsets -A -o
 * json`) into an inventory. Everything but names, labels, storage classes, requested sizes and
 * counts is dropped here, before anything reaches the disk.
 */
import { quantityBytes } from './quantity.ts';
import { DEFAULT_STORAGE_CLASS, INVENTORY_VERSION, type Inventory, NO_STORAGE_CLASS, type NamespaceInventory } from './types.ts';

/** The input is not a List restorable can read; the message says what was expected. */
export class InventoryInputError extends Error {}

/** An inventory and what the List held that an inventory does not keep. */
export interface ImportedInventory {
  readonly inventory: Inventory;
  /** Items of other kinds, counted by kind (they are ignored). */
  readonly skipped: Readonly<Record<string, number>>;
}

/** RFC 1123 label, as cluster names are: also keeps the name from escaping the inventory folder. */
const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Throws when `cluster` cannot name an inventory file. */
export function assertClusterName(cluster: string): void {
  if (!CLUSTER_NAME.test(cluster)) {
    throw new InventoryInputError(`--cluster: "${cluster}" is not a cluster name (lower-case letters, digits and '-', at most 63 characters)`);
  }
}

interface Accumulator {
  labels?: Record<string, string>;
  claims: Map<string, { bytes: number; storageClass: string }>;
  statefulSets: Set<string>;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Builds the inventory of `cluster` from a parsed List.
 * @throws InventoryInputError when `list` is not a List, or an item lacks what it must have
 */
export function inventoryFromList(list: unknown, cluster: string): ImportedInventory {
  assertClusterName(cluster);
  if (!isObject(list) || typeof list.kind !== 'string' || !list.kind.endsWith('List') || !Array.isArray(list.items)) {
    const found = isObject(list) && typeof list.kind === 'string' ? `kind: ${list.kind}` : Array.isArray(list) ? 'a JSON array' : `a JSON ${list === null ? 'null' : typeof list}`;
    throw new InventoryInputError(
      `expected a Kubernetes List (kind: List with items), found ${found}; produce it with: kubectl get namespaces,persistentvolumeclaims,statefulsets -A -o json`,
    );
  }
  const namespaces = new Map<string, Accumulator>();
  const namespaceOf = (name: string): Accumulator => {
    let found = namespaces.get(name);
    if (!found) {
      found = { claims: new Map(), statefulSets: new Set() };
      namespaces.set(name, found);
    }
    return found;
  };
  const skipped: Record<string, number> = {};
  list.items.forEach((item: unknown, index: number) => {
    const where = `items[${index}]`;
    if (!isObject(item) || typeof item.kind !== 'string') throw new InventoryInputError(`${where}: not a Kubernetes object (no kind)`);
    const metadata = isObject(item.metadata) ? item.metadata : {};
    const name = metadata.name;
    if (typeof name !== 'string' || name === '') throw new InventoryInputError(`${where} (${item.kind}): metadata.name is missing`);
    switch (item.kind) {
      case 'Namespace':
        namespaceOf(name).labels = labelsOf(metadata.labels, `${where} (Namespace ${name})`);
        return;
      case 'PersistentVolumeClaim':
        namespaceOf(namespaceName(metadata, where, item.kind, name)).claims.set(name, claimOf(item, metadata, `${where} (PersistentVolumeClaim ${String(metadata.namespace)}/${name})`));
        return;
      case 'StatefulSet':
        namespaceOf(namespaceName(metadata, where, item.kind, name)).statefulSets.add(name);
        return;
      default:
        skipped[item.kind] = (skipped[item.kind] ?? 0) + 1;
    }
  });
  const entries = [...namespaces.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const result: Record<string, NamespaceInventory> = {};
  for (const [name, found] of entries) {
    const claims = [...found.claims.values()];
    const requestedBytes = claims.reduce((sum, claim) => sum + claim.bytes, 0);
    if (!Number.isSafeInteger(requestedBytes)) throw new InventoryInputError(`namespace ${name}: the claims' requested sizes add up to more than 2^53 bytes`);
    result[name] = {
      ...(found.labels ? { labels: found.labels } : {}),
      persistentVolumeClaims: claims.length,
      requestedBytes,
      storageClasses: [...new Set(claims.map((c) => c.storageClass))].sort(),
      statefulSets: [...found.statefulSets].sort(),
    };
  }
  return { inventory: { version: INVENTORY_VERSION, cluster, namespaces: result }, skipped };
}

function namespaceName(metadata: Json, where: string, kind: string, name: string): string {
  const namespace = metadata.namespace;
  if (typeof namespace !== 'string' || namespace === '') {
    throw new InventoryInputError(`${where} (${kind} ${name}): metadata.namespace is missing (list every namespace with -A)`);
  }
  return namespace;
}

function labelsOf(labels: unknown, where: string): Record<string, string> {
  if (labels === undefined || labels === null) return {};
  if (!isObject(labels) || Object.values(labels).some((value) => typeof value !== 'string')) {
    throw new InventoryInputError(`${where}: metadata.labels is not a map of strings`);
  }
  return Object.fromEntries(Object.entries(labels as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function claimOf(item: Json, metadata: Json, where: string): { bytes: number; storageClass: string } {
  const spec = isObject(item.spec) ? item.spec : {};
  const resources = isObject(spec.resources) ? spec.resources : {};
  const requests = isObject(resources.requests) ? resources.requests : {};
  const storage = requests.storage;
  const bytes = typeof storage === 'string' || typeof storage === 'number' ? quantityBytes(String(storage)) : undefined;
  if (storage === undefined) throw new InventoryInputError(`${where}: spec.resources.requests.storage is missing`);
  if (bytes === undefined) {
    throw new InventoryInputError(`${where}: spec.resources.requests.storage ${JSON.stringify(storage)} is not a storage quantity such as 10Gi`);
  }
  return { bytes, storageClass: storageClassOf(spec, metadata) };
}

function storageClassOf(spec: Json, metadata: Json): string {
  if (typeof spec.storageClassName === 'string') return spec.storageClassName === '' ? NO_STORAGE_CLASS : spec.storageClassName;
  // Claims made before storageClassName existed name their class in this annotation; nothing else of
  // the annotations is read.
  const annotations = isObject(metadata.annotations) ? metadata.annotations : {};
  const legacy = annotations['volume.beta.kubernetes.io/storage-class'];
  if (typeof legacy === 'string') return legacy === '' ? NO_STORAGE_CLASS : legacy;
  return DEFAULT_STORAGE_CLASS;
}
