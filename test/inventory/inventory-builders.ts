/**
 * Inventories for coverage tests, built from a few numbers: `data(3, 150)` is a namespace with three
 * claims (`data-0`..`data-2`) requesting 150 GiB in all. Aggregates are computed from the claims, as
 * the importer computes them.
 */
import type { ClaimInventory, LoadedInventory, NamespaceInventory, PodInventory, StorageClassInventory } from '../../src/inventory/types.ts';

export const GIB = 2 ** 30;

/** What a test may set besides the claim count and size. */
export interface DataOptions {
  /** The namespace's labels (undefined: unknown). @default {} */
  readonly labels?: Readonly<Record<string, string>> | undefined;
  /** Storage classes, given to the claims in turn. @default ['gp3'] */
  readonly storageClasses?: readonly string[];
  readonly statefulSets?: readonly string[];
  /** Labels of every claim. @default {} */
  readonly claimLabels?: Readonly<Record<string, string>>;
  /** Claims given by hand, instead of `data-N`. */
  readonly claims?: Readonly<Record<string, ClaimInventory>>;
  readonly pods?: readonly PodInventory[];
}

/** A namespace with `claims` claims requesting `gib` GiB in all. */
export function data(claims: number, gib: number, options: DataOptions = {}): NamespaceInventory {
  const classes = options.storageClasses ?? ['gp3'];
  const total = Math.round(gib * GIB);
  const generated: Record<string, ClaimInventory> = {};
  for (let i = 0; i < claims; i++) {
    const share = Math.floor(total / claims) + (i === 0 ? total % claims : 0);
    generated[`data-${i}`] = { requestedBytes: share, storageClass: classes[i % classes.length] ?? 'gp3', labels: { ...(options.claimLabels ?? {}) } };
  }
  const all = options.claims ?? generated;
  const values = Object.values(all);
  return {
    ...('labels' in options ? (options.labels === undefined ? {} : { labels: options.labels }) : { labels: {} }),
    persistentVolumeClaims: values.length,
    requestedBytes: values.reduce((sum, c) => sum + c.requestedBytes, 0),
    storageClasses: [...new Set(values.map((c) => c.storageClass))].sort(),
    statefulSets: [...(options.statefulSets ?? [])],
    claims: all,
    pods: [...(options.pods ?? [])],
  };
}

/** The storage classes most tests need: gp3 (the default) and io2 on the EBS CSI driver. */
export const EBS_CLASSES: Readonly<Record<string, StorageClassInventory>> = {
  gp3: { provisioner: 'ebs.csi.aws.com', default: true },
  io2: { provisioner: 'ebs.csi.aws.com', default: false },
};

/** A loaded inventory, each namespace's line 4 + 10 * its position. */
export function inventory(
  clusterName: string,
  namespaces: Record<string, NamespaceInventory>,
  storageClasses: Readonly<Record<string, StorageClassInventory>> = EBS_CLASSES,
): LoadedInventory {
  const names = Object.keys(namespaces).sort();
  return {
    inventory: { version: 2, cluster: clusterName, namespaces, storageClasses },
    file: `policies/inventory/${clusterName}.json`,
    lines: Object.fromEntries(names.map((name, i) => [name, 4 + i * 10])),
  };
}
