/**
 * Turns a Kubernetes v1 List (`kubectl get namespaces,persistentvolumeclaims,statefulsets,pods,storageclasses -A -o
 * json`) into an inventory. Everything but names, labels, storage classes, requested sizes and
 * counts is dropped here, before anything reaches the disk.
 */
import { isNamespaceName, isObjectName } from './names.ts';
import { quantityBytes } from './quantity.ts';
import {
  type ClaimInventory,
  DEFAULT_STORAGE_CLASS,
  INVENTORY_VERSION,
  type Inventory,
  NO_STORAGE_CLASS,
  type NamespaceInventory,
  type PodInventory,
  type StorageClassInventory,
} from './types.ts';

/** The input is not a List restorable can read; the message says what was expected. */
export class InventoryInputError extends Error {}

/** An inventory and what the List held that an inventory does not keep. */
export interface ImportedInventory {
  readonly inventory: Inventory;
  /** Items of other kinds, counted by kind (they are ignored). */
  readonly skipped: Readonly<Record<string, number>>;
}

/** The command that produces what `inventory import` reads. */
export const SNAPSHOT_COMMAND = 'kubectl get namespaces,persistentvolumeclaims,statefulsets,pods,storageclasses -A -o json';

/**
 * Parses the text of a snapshot: a leading byte-order mark (Windows tools write one) is skipped, and
 * YAML (`-o yaml`) is named as such rather than reported as a JSON syntax error.
 * @param file - how the input is named in messages
 * @throws InventoryInputError when the text is not JSON
 */
export function parseSnapshotText(text: string, file: string): unknown {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (error) {
    if (/^(---\s*$|(apiVersion|kind|items|metadata):)/m.test(body.trimStart())) {
      throw new InventoryInputError(`${file} is YAML (kubectl -o yaml), not JSON; take the snapshot with -o json: ${SNAPSHOT_COMMAND}`);
    }
    throw new InventoryInputError(`${file} is not JSON (${(error as Error).message}); produce it with: ${SNAPSHOT_COMMAND}`);
  }
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
  claims: Map<string, ClaimInventory>;
  statefulSets: Set<string>;
  /** Pods by their JSON text: pods of one ReplicaSet mounting the same claims are kept once. */
  pods: Map<string, PodInventory>;
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
    throw new InventoryInputError(`expected a Kubernetes List (kind: List with items), found ${found}; produce it with: ${SNAPSHOT_COMMAND}`);
  }
  if (list.items.length === 0) {
    throw new InventoryInputError(`the List is empty: a cluster has at least its system namespaces, so the snapshot was taken from the wrong context or with a filter; produce it with: ${SNAPSHOT_COMMAND}`);
  }
  const namespaces = new Map<string, Accumulator>();
  const namespaceOf = (name: string): Accumulator => {
    let found = namespaces.get(name);
    if (!found) {
      found = { claims: new Map(), statefulSets: new Set(), pods: new Map() };
      namespaces.set(name, found);
    }
    return found;
  };
  const skipped = new Map<string, number>();
  const storageClasses = new Map<string, StorageClassInventory>();
  // Where each kept object was listed: kubectl never lists an object twice, so a repeat means a
  // concatenated or edited file, and which copy wins would depend on the order of the items.
  const seen = new Map<string, number[]>();
  const seenKinds = new Map<string, number>();
  const note = (key: string, index: number): void => {
    seen.set(key, [...(seen.get(key) ?? []), index]);
    const kind = key.slice(0, key.indexOf(' '));
    seenKinds.set(kind, (seenKinds.get(kind) ?? 0) + 1);
  };
  list.items.forEach((item: unknown, index: number) => {
    const where = `items[${index}]`;
    if (!isObject(item) || typeof item.kind !== 'string') throw new InventoryInputError(`${where}: not a Kubernetes object (no kind)`);
    const metadata = isObject(item.metadata) ? item.metadata : {};
    const name = metadata.name;
    if (typeof name !== 'string' || name === '') throw new InventoryInputError(`${where} (${item.kind}): metadata.name is missing`);
    switch (item.kind) {
      case 'Namespace':
        assertNamespaceName(name, `${where} (Namespace ${JSON.stringify(name)}): metadata.name`);
        note(`Namespace ${name}`, index);
        namespaceOf(name).labels = labelsOf(metadata.labels, `${where} (Namespace ${name})`);
        return;
      case 'PersistentVolumeClaim': {
        const namespace = namespaceName(metadata, where, item.kind, name);
        assertObjectName(name, `${where} (PersistentVolumeClaim ${namespace}/${JSON.stringify(name)}): metadata.name`);
        note(`PersistentVolumeClaim ${namespace}/${name}`, index);
        namespaceOf(namespace).claims.set(name, claimOf(item, metadata, `${where} (PersistentVolumeClaim ${namespace}/${name})`));
        return;
      }
      case 'StatefulSet': {
        const namespace = namespaceName(metadata, where, item.kind, name);
        assertObjectName(name, `${where} (StatefulSet ${namespace}/${JSON.stringify(name)}): metadata.name`);
        note(`StatefulSet ${namespace}/${name}`, index);
        namespaceOf(namespace).statefulSets.add(name);
        return;
      }
      case 'Pod': {
        const namespace = namespaceName(metadata, where, item.kind, name);
        assertObjectName(name, `${where} (Pod ${namespace}/${JSON.stringify(name)}): metadata.name`);
        note(`Pod ${namespace}/${name}`, index);
        const claims = mountedClaims(item);
        // A pod without claims adds nothing Velero would back up beyond its own object.
        if (claims.length === 0) return;
        const pod: PodInventory = { labels: labelsOf(metadata.labels, `${where} (Pod ${namespace}/${name})`), claims };
        namespaceOf(namespace).pods.set(JSON.stringify(pod), pod);
        return;
      }
      case 'StorageClass': {
        assertObjectName(name, `${where} (StorageClass ${JSON.stringify(name)}): metadata.name`);
        note(`StorageClass ${name}`, index);
        if (typeof item.provisioner !== 'string' || item.provisioner === '') throw new InventoryInputError(`${where} (StorageClass ${name}): provisioner is missing`);
        const annotations = isObject(metadata.annotations) ? metadata.annotations : {};
        storageClasses.set(name, { provisioner: item.provisioner, default: annotations['storageclass.kubernetes.io/is-default-class'] === 'true' });
        return;
      }
      default:
        skipped.set(item.kind, (skipped.get(item.kind) ?? 0) + 1);
    }
  });
  const repeated = [...seen.entries()].filter(([, at]) => at.length > 1).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (repeated.length > 0) {
    const shown = repeated.slice(0, 10).map(([key, at]) => `${key} (items[${at.join('], items[')}])`);
    throw new InventoryInputError(
      `the List holds ${repeated.length === 1 ? 'an object' : `${repeated.length} objects`} more than once: ${shown.join(', ')}${repeated.length > 10 ? ', …' : ''}; kubectl lists each object once, so the file was concatenated or edited: take a fresh snapshot with ${SNAPSHOT_COMMAND}`,
    );
  }
  // kubectl lists every namespace it was asked for, so a List without one was not made by the
  // snapshot command (a `get pods -o json`, say), and would silently drop the labels coverage needs.
  if (!seenKinds.has('Namespace')) {
    const held = new Map<string, number>(skipped);
    for (const kind of seenKinds.keys()) held.set(kind, seenKinds.get(kind) ?? 0);
    const kinds = [...held.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([kind, count]) => `${count} ${kind}`);
    throw new InventoryInputError(`the List holds no Namespace (it holds ${kinds.join(', ')}); an inventory is made from: ${SNAPSHOT_COMMAND}`);
  }
  const entries = [...namespaces.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const result: Record<string, NamespaceInventory> = {};
  for (const [name, found] of entries) {
    const claims = [...found.claims.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const requestedBytes = claims.reduce((sum, [, claim]) => sum + claim.requestedBytes, 0);
    if (!Number.isSafeInteger(requestedBytes)) throw new InventoryInputError(`namespace ${name}: the claims' requested sizes add up to more than 2^53 bytes`);
    result[name] = {
      ...(found.labels ? { labels: found.labels } : {}),
      persistentVolumeClaims: claims.length,
      requestedBytes,
      storageClasses: [...new Set(claims.map(([, c]) => c.storageClass))].sort(),
      statefulSets: [...found.statefulSets].sort(),
      claims: Object.fromEntries(claims),
      pods: [...found.pods.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, pod]) => pod),
    };
  }
  const classes = Object.fromEntries([...storageClasses.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    inventory: { version: INVENTORY_VERSION, cluster, namespaces: result, storageClasses: classes },
    skipped: Object.fromEntries([...skipped.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}

/** Claims a pod mounts, sorted, each once. */
function mountedClaims(item: Json): string[] {
  const spec = isObject(item.spec) ? item.spec : {};
  const volumes = Array.isArray(spec.volumes) ? spec.volumes : [];
  const names = volumes.flatMap((volume: unknown) => {
    const claim = isObject(volume) && isObject(volume.persistentVolumeClaim) ? volume.persistentVolumeClaim.claimName : undefined;
    return typeof claim === 'string' && claim !== '' ? [claim] : [];
  });
  return [...new Set(names)].sort();
}

function namespaceName(metadata: Json, where: string, kind: string, name: string): string {
  const namespace = metadata.namespace;
  if (typeof namespace !== 'string' || namespace === '') {
    throw new InventoryInputError(`${where} (${kind} ${name}): metadata.namespace is missing (list every namespace with -A)`);
  }
  assertNamespaceName(namespace, `${where} (${kind} ${name}): metadata.namespace`);
  return namespace;
}

function assertNamespaceName(name: string, where: string): void {
  if (!isNamespaceName(name)) {
    throw new InventoryInputError(`${where} ${JSON.stringify(name)} is not a namespace name (lower-case letters, digits and '-', at most 63 characters, starting and ending with a letter or digit); the API server never returns one, so the file was edited: take a fresh snapshot`);
  }
}

function assertObjectName(name: string, where: string): void {
  if (!isObjectName(name)) {
    throw new InventoryInputError(`${where} is not an object name (lower-case letters, digits, '-' and '.', at most 253 characters); the API server never returns one, so the file was edited: take a fresh snapshot`);
  }
}

function labelsOf(labels: unknown, where: string): Record<string, string> {
  if (labels === undefined || labels === null) return {};
  if (!isObject(labels) || Object.values(labels).some((value) => typeof value !== 'string')) {
    throw new InventoryInputError(`${where}: metadata.labels is not a map of strings`);
  }
  return Object.fromEntries(Object.entries(labels as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function claimOf(item: Json, metadata: Json, where: string): ClaimInventory {
  const spec = isObject(item.spec) ? item.spec : {};
  const resources = isObject(spec.resources) ? spec.resources : {};
  const requests = isObject(resources.requests) ? resources.requests : {};
  const storage = requests.storage;
  const bytes = typeof storage === 'string' || typeof storage === 'number' ? quantityBytes(String(storage)) : undefined;
  if (storage === undefined) throw new InventoryInputError(`${where}: spec.resources.requests.storage is missing`);
  if (bytes === undefined) {
    throw new InventoryInputError(`${where}: spec.resources.requests.storage ${JSON.stringify(storage)} is not a storage quantity such as 10Gi`);
  }
  return { requestedBytes: bytes, storageClass: storageClassOf(spec, metadata), labels: labelsOf(metadata.labels, where) };
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
