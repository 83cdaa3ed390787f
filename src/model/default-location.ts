/**
 * Which storage is a cluster's own: the one its backups go to by default (Velero's default
 * BackupStorageLocation, ReadWrite), chosen the same way for lowering and rules.
 */
import type { ClusterModel, Model, StorageModel } from './types.ts';

/**
 * Where a storage's backups land: two declarations of one bucket and prefix are the same place
 * (Velero syncs every backup under a location's prefix).
 */
export function storagePlace(storage: StorageModel): string {
  return `${storage.provider}|${storage.bucket}|${(storage.prefix ?? '').replace(/^\/+|\/+$/g, '')}`;
}

/** The storages (by name) a cluster's policies write to. */
export function writtenBy(model: Model, cluster: string): Set<string> {
  return new Set(model.policies.filter((p) => p.cluster === cluster).map((p) => p.storage));
}

/**
 * Places written by the policies of clusters other than `cluster`, each with the first such cluster
 * (a policy whose storage its cluster does not list writes nowhere: REF003 reports it).
 */
export function othersPlaces(model: Model, cluster: string): Map<string, string> {
  const storages = new Map(model.storages.map((s) => [s.name, s]));
  const listed = new Map(model.clusters.map((c) => [c.name, c.storage]));
  const places = new Map<string, string>();
  for (const policy of model.policies) {
    const storage = storages.get(policy.storage);
    if (policy.cluster === cluster || !storage || !listed.get(policy.cluster)?.includes(policy.storage) || places.has(storagePlace(storage))) continue;
    places.set(storagePlace(storage), policy.cluster);
  }
  return places;
}

/**
 * The name of a cluster's default location: none when it never backs up; else the declared
 * `defaultStorage`; else the first listed storage its policies write to; else the first listed
 * storage no other cluster's policies write to (a DR cluster's own bucket, so it can back up after
 * a failover). Undefined when none qualifies (STO006).
 */
export function defaultLocation(model: Model, cluster: ClusterModel): string | undefined {
  if (cluster.neverBacksUp) return undefined;
  if (cluster.defaultStorage !== undefined) return cluster.storage.includes(cluster.defaultStorage) ? cluster.defaultStorage : undefined;
  const written = writtenBy(model, cluster.name);
  const own = cluster.storage.find((name) => written.has(name));
  if (own) return own;
  const storages = new Map(model.storages.map((s) => [s.name, s]));
  const foreign = othersPlaces(model, cluster.name);
  return cluster.storage.find((name) => {
    const storage = storages.get(name);
    return storage !== undefined && !foreign.has(storagePlace(storage));
  });
}
