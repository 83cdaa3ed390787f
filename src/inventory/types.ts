/**
 * A cluster inventory: what `restorable inventory import` keeps of a `kubectl get
 * namespaces,persistentvolumeclaims,statefulsets -A -o json` snapshot, so the coverage rule can find
 * namespaces holding data that no policy backs up. Only names, labels, storage classes, requested
 * sizes and counts are kept: never annotations, specs, statuses or anything a Secret could leak into.
 */

/** Version of the inventory file format; bumped on any incompatible change. */
export const INVENTORY_VERSION = 1;

/** Storage class recorded for a claim without `storageClassName`: the cluster's default class binds it. */
export const DEFAULT_STORAGE_CLASS = '(default)';

/** Storage class recorded for a claim with `storageClassName: ""`: statically bound, no class. */
export const NO_STORAGE_CLASS = '(none)';

/** What one namespace holds. */
export interface NamespaceInventory {
  /**
   * The namespace's own labels; absent when the snapshot held the namespace's claims or stateful
   * sets but not the Namespace object (labels unknown, which is not the same as no labels).
   */
  readonly labels?: Readonly<Record<string, string>>;
  /** Number of PersistentVolumeClaims. */
  readonly persistentVolumeClaims: number;
  /** Sum of the claims' `spec.resources.requests.storage`, in bytes. */
  readonly requestedBytes: number;
  /** Storage classes of the claims, sorted, each once. */
  readonly storageClasses: readonly string[];
  /** Names of the StatefulSets, sorted. */
  readonly statefulSets: readonly string[];
}

/** The inventory of one cluster, stored in `policies/inventory/<cluster>.json`. */
export interface Inventory {
  readonly version: typeof INVENTORY_VERSION;
  readonly cluster: string;
  /** Namespaces by name. */
  readonly namespaces: Readonly<Record<string, NamespaceInventory>>;
}

/** An inventory read from the policies folder, with where it came from. */
export interface LoadedInventory {
  readonly inventory: Inventory;
  /** Path of the file, relative to the working directory, with `/` separators. */
  readonly file: string;
  /** 1-based line of each namespace's entry in the file, for diagnostics that point at it. */
  readonly lines: Readonly<Record<string, number>>;
}
