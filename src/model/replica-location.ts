/**
 * Which clusters read a storage through its replica, chosen the same way for lowering, plan
 * configuration, sealing rules and runbooks.
 */
import { defaultLocation, writtenBy } from './default-location.ts';
import { policiesNamedIn } from './policy-index.ts';
import type { RestoreScenario } from '../dsl/restore-plan.ts';
import type { ClusterModel, Model, StorageModel } from './types.ts';

/**
 * replicaReads per model and cluster: every plan into a cluster asks for it (replicaLags), and the
 * answer walks the model. The model is not changed after it is built.
 */
const cache = new WeakMap<Model, WeakMap<ClusterModel, ReadonlySet<string>>>();

/**
 * The storages (by name) a cluster reads through their replica: each storage it lists, does not
 * write to (nor has as its default location), that declares a replica, and that a region-loss plan
 * into the cluster restores from. Velero keeps one location per name, and two locations holding the
 * same backups would each sync them (the first wins, and a restore reads whichever bucket that
 * was), so such a cluster's location for the storage is the replica, for every plan it runs.
 */
export function replicaReads(model: Model, cluster: ClusterModel): ReadonlySet<string> {
  let perCluster = cache.get(model);
  if (!perCluster) {
    perCluster = new WeakMap();
    cache.set(model, perCluster);
  }
  let found = perCluster.get(cluster);
  if (!found) {
    found = replicaReadsOf(model, cluster);
    perCluster.set(cluster, found);
  }
  return found;
}

function replicaReadsOf(model: Model, cluster: ClusterModel): Set<string> {
  const storages = new Map(model.storages.map((s) => [s.name, s]));
  const written = writtenBy(model, cluster.name);
  const own = defaultLocation(model, cluster);
  const reads = new Set<string>();
  for (const plan of model.restorePlans.filter((p) => p.to === cluster.name && p.scenario === 'region-loss')) {
    for (const policy of policiesNamedIn(model.policies, plan.from)) {
      const storage = storages.get(policy.storage);
      if (storage?.replica && cluster.storage.includes(storage.name) && !written.has(storage.name) && own !== storage.name) reads.add(storage.name);
    }
  }
  return reads;
}

/** The storage as `cluster` reads it: its replica's bucket, region, endpoint, key and credentials where the cluster reads the replica. */
export function storageAsRead(storage: StorageModel, viaReplica: boolean): StorageModel {
  const replica = storage.replica;
  if (!viaReplica || !replica) return storage;
  const config: Record<string, string> = { ...storage.config, region: replica.region };
  if (replica.endpoint !== undefined) {
    config.s3Url = replica.endpoint;
    // The storage's public URL names its own endpoint, not the replica's.
    delete config.publicUrl;
  }
  return {
    ...storage,
    bucket: replica.bucket,
    config,
    credentials: replica.credentials,
    encryption: replica.kmsKeyId === undefined ? undefined : { provider: 'aws', kmsKeyId: replica.kmsKeyId },
  };
}

/**
 * Per policy of a plan (by name), the replication lag of the copy the plan's target cluster reads
 * the policy's backups from: the replica it reads instead of the bucket, or, for a region-loss
 * plan, the other region's copy of a geo-redundant GCS bucket or Azure account (the same URL,
 * served from the surviving region, holds only what the asynchronous copy had brought over).
 * Policies read from their bucket as written are not listed.
 */
export function replicaLags(model: Model, cluster: ClusterModel, plan: { readonly from: readonly string[]; readonly scenario?: RestoreScenario }): Record<string, number> {
  const viaReplica = replicaReads(model, cluster);
  const storages = new Map(model.storages.map((s) => [s.name, s]));
  const lags: Record<string, number> = {};
  for (const policy of policiesNamedIn(model.policies, plan.from)) {
    const storage = storages.get(policy.storage);
    const lag = viaReplica.has(policy.storage) ? storage?.replica?.lag.seconds : plan.scenario === 'region-loss' ? storage?.geoRedundancy?.lag.seconds : undefined;
    if (lag !== undefined) lags[policy.name] = lag;
  }
  return lags;
}
