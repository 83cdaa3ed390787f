/**
 * A cluster inventory: what `restorable inventory import` keeps of a `kubectl get
 * namespaces,persistentvolumeclaims,statefulsets,pods,storageclasses -A -o json` snapshot, so the
 * coverage rule can tell which claims' data Velero would really back up. Only names, labels,
 * storage classes with their provisioners, requested sizes and which claims each pod mounts are
 * kept: never annotations, specs, statuses or anything a Secret could leak into.
 */

/** Version of the inventory file format; bumped on any incompatible change. */
export const INVENTORY_VERSION = 2;

/** Storage class recorded for a claim without `storageClassName`: the cluster's default class binds it. */
export const DEFAULT_STORAGE_CLASS = '(default)';

/** Storage class recorded for a claim with `storageClassName: ""`: statically bound, no class. */
export const NO_STORAGE_CLASS = '(none)';

/** One PersistentVolumeClaim. */
export interface ClaimInventory {
  /** `spec.resources.requests.storage`, in bytes. */
  readonly requestedBytes: number;
  /** Class name as the claim gives it, {@link DEFAULT_STORAGE_CLASS} or {@link NO_STORAGE_CLASS}. */
  readonly storageClass: string;
  /** The claim's own labels: Velero's label selector is matched against them. */
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * Pods with the same labels mounting the same claims, kept once: Velero backs up the claims a
 * selected pod mounts even when the claims' own labels do not match the selector.
 */
export interface PodInventory {
  readonly labels: Readonly<Record<string, string>>;
  /** Names of the claims the pods mount (`spec.volumes[].persistentVolumeClaim.claimName`), sorted. */
  readonly claims: readonly string[];
}

/** A StorageClass: which provisioner (CSI driver) creates its volumes. */
export interface StorageClassInventory {
  readonly provisioner: string;
  /** Marked `storageclass.kubernetes.io/is-default-class: "true"`. */
  readonly default: boolean;
}

/** What one namespace holds. */
export interface NamespaceInventory {
  /**
   * The namespace's own labels; absent when the snapshot held the namespace's claims or stateful
   * sets but not the Namespace object (labels unknown, which is not the same as no labels).
   */
  readonly labels?: Readonly<Record<string, string>>;
  /** Number of PersistentVolumeClaims (the size of `claims`). */
  readonly persistentVolumeClaims: number;
  /** Sum of the claims' `spec.resources.requests.storage`, in bytes. */
  readonly requestedBytes: number;
  /** Storage classes of the claims, sorted, each once. */
  readonly storageClasses: readonly string[];
  /** Names of the StatefulSets, sorted. */
  readonly statefulSets: readonly string[];
  /** The claims by name. */
  readonly claims: Readonly<Record<string, ClaimInventory>>;
  /** The pods that mount claims, deduplicated, sorted by their JSON text. */
  readonly pods: readonly PodInventory[];
}

/** The inventory of one cluster, stored in `policies/inventory/<cluster>.json`. */
export interface Inventory {
  readonly version: typeof INVENTORY_VERSION;
  readonly cluster: string;
  /** Namespaces by name. */
  readonly namespaces: Readonly<Record<string, NamespaceInventory>>;
  /** The cluster's StorageClasses by name. */
  readonly storageClasses: Readonly<Record<string, StorageClassInventory>>;
}

/** An inventory read from the policies folder, with where it came from. */
export interface LoadedInventory {
  readonly inventory: Inventory;
  /** Path of the file, relative to the working directory, with `/` separators. */
  readonly file: string;
  /** 1-based line of each namespace's entry in the file, for diagnostics that point at it. */
  readonly lines: Readonly<Record<string, number>>;
}
