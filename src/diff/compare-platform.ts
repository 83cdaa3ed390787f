/**
 * Clusters, storage and guardrails: where backups go, who can read them, which minimums hold.
 * Changes here can make existing backups unreachable even when no policy changes.
 */
import type { ClusterModel, GuardrailsModel, Model, SealedRefModel, StorageModel } from '../model/types.ts';
import type { Side } from './side.ts';
import type { Change, ChangeClass } from './types.ts';
import { change, duration, frequencyDays, otherFields, same, type Target } from './values.ts';

const PASSWORD_CHANGE =
  'the backup repository password changes: Velero cannot open repositories created with the old one, so existing file-system and data-mover backups become unrestorable unless the old password is kept for them';

/**
 * What identifies the repository password's value on a cluster: the scrypt fingerprint `restorable
 * seal` records, or, for a file sealed without one, its ciphertext (sealing is randomised, so a
 * re-sealed equal value also counts as a change: it cannot be told apart).
 */
function passwordValue(model: Model, cluster: ClusterModel): string | undefined {
  const ref = cluster.repositoryPassword;
  if (!ref) return undefined;
  const sealed = model.sealedSecrets.find((s) => s.cluster === cluster.name && s.name === ref.name && s.namespace === cluster.veleroNamespace);
  if (!sealed) return undefined;
  const fingerprint = sealed.valueFingerprints[ref.key];
  if (fingerprint) return `scrypt:${fingerprint}`;
  const encrypted = (sealed.object.spec as { encryptedData?: Record<string, unknown> } | undefined)?.encryptedData?.[ref.key];
  return typeof encrypted === 'string' ? `ciphertext:${encrypted}` : undefined;
}

/** A repository password that changes by reference or by value (the same name resealed) is a risk. */
function compareRepositoryPassword(baseModel: Model, headModel: Model, old: ClusterModel, now: ClusterModel, target: Target): Change[] {
  if (!same(old.repositoryPassword, now.repositoryPassword)) {
    return [change(target, 'risk', 'cluster.repository-password', 'repositoryPassword', refText(old.repositoryPassword), refText(now.repositoryPassword), PASSWORD_CHANGE)];
  }
  const before = passwordValue(baseModel, old);
  const after = passwordValue(headModel, now);
  if (before === after) return [];
  const fingerprints = before?.startsWith('scrypt:') && after?.startsWith('scrypt:');
  return [
    change(target, 'risk', 'cluster.repository-password', 'repositoryPassword.value', fingerprints ? before!.slice(7, 19) : 'sealed value', fingerprints ? after!.slice(7, 19) : 'resealed value',
      `${refText(now.repositoryPassword)} was resealed ${fingerprints ? 'with a different value' : 'and its value cannot be compared (no recorded fingerprint)'}: ${PASSWORD_CHANGE}`),
  ];
}

/** Changes of clusters, storages and guardrails between two sides. */
export function comparePlatform(base: Side, head: Side): Change[] {
  return [...compareClusters(base, head), ...compareStorages(base, head), ...compareGuardrails(base, head)];
}

const refText = (ref: SealedRefModel | undefined): string | null => (ref ? `${ref.name}/${ref.key}` : null);

function compareClusters(base: Side, head: Side): Change[] {
  const changes: Change[] = [];
  const before = new Map(base.model.clusters.map((c) => [c.name, c]));
  for (const cluster of head.model.clusters) {
    const target: Target = { cluster: cluster.name, subject: 'cluster', name: cluster.name, ...head.locate(cluster.source) };
    const old = before.get(cluster.name);
    if (!old) {
      changes.push(change(target, 'safe', 'cluster.added', null, null, { environment: cluster.environment, storage: cluster.storage }, `new cluster in environment ${cluster.environment}`));
      continue;
    }
    changes.push(...compareCluster(old, cluster, target), ...compareRepositoryPassword(base.model, head.model, old, cluster, target));
  }
  const names = new Set(head.model.clusters.map((c) => c.name));
  for (const cluster of base.model.clusters) {
    if (names.has(cluster.name)) continue;
    const target: Target = { cluster: cluster.name, subject: 'cluster', name: cluster.name, ...base.locate(cluster.source) };
    changes.push(change(target, 'risk', 'cluster.removed', null, { environment: cluster.environment, storage: cluster.storage }, null, 'cluster removed: its schedules, storage locations and alerts are no longer managed'));
  }
  return changes;
}

function compareCluster(old: ClusterModel, now: ClusterModel, target: Target): Change[] {
  const changes: Change[] = [];
  const push = (cls: ChangeClass, kind: string, field: string, b: unknown, a: unknown, message: string) => changes.push(change(target, cls, kind, field, b, a, message));
  if (old.environment !== now.environment) push('review', 'cluster.environment', 'environment', old.environment, now.environment, `guardrails of ${now.environment} apply instead of ${old.environment}`);
  if (!same(old.storage, now.storage)) {
    const removed = old.storage.filter((s) => !now.storage.includes(s));
    push(removed.length > 0 ? 'risk' : 'safe', 'cluster.storage', 'storage', old.storage, now.storage,
      removed.length > 0 ? `no longer reaches ${removed.join(', ')}: Velero forgets the backups in a removed location` : `also reaches ${now.storage.filter((s) => !old.storage.includes(s)).join(', ')}`);
  }
  const classes = new Map(old.snapshotClasses.map((c) => [c.driver, c]));
  for (const cls of now.snapshotClasses) {
    const was = classes.get(cls.driver);
    const field = `snapshotClasses.${cls.driver}`;
    if (!was) push('safe', 'cluster.snapshot-class', field, null, cls.deletionPolicy, `snapshot class for ${cls.driver} added`);
    else if (was.deletionPolicy !== cls.deletionPolicy) {
      const deletes = cls.deletionPolicy === 'Delete';
      push(deletes ? 'risk' : 'safe', 'cluster.snapshot-class', `${field}.deletionPolicy`, was.deletionPolicy, cls.deletionPolicy,
        deletes ? 'deleting a VolumeSnapshot now deletes the snapshot data too' : 'snapshot data is kept when a VolumeSnapshot is deleted');
    } else if (!same(was, cls)) push('review', 'cluster.snapshot-class', field, was, cls, `snapshot class for ${cls.driver} changed`);
  }
  for (const cls of old.snapshotClasses) {
    if (!now.snapshotClasses.some((c) => c.driver === cls.driver)) push('review', 'cluster.snapshot-class', `snapshotClasses.${cls.driver}`, cls.deletionPolicy, null, `snapshot class for ${cls.driver} removed: Velero falls back to the driver's default class`);
  }
  if (old.monitoring !== now.monitoring) {
    const lost = now.monitoring === 'none';
    push(lost ? 'risk' : 'safe', 'cluster.monitoring', 'monitoring', old.monitoring, now.monitoring, lost ? 'no alert fires any more when backups stop or fail' : 'alerts fire when backups stop or fail');
  }
  changes.push(...otherFields(target, 'cluster.other', old, now, ['name', 'repositoryPassword', 'environment', 'storage', 'snapshotClasses', 'monitoring']));
  return changes;
}

function compareStorages(base: Side, head: Side): Change[] {
  const changes: Change[] = [];
  const before = new Map(base.model.storages.map((s) => [s.name, s]));
  const users = (storage: string, side: Side) => side.model.clusters.filter((c) => c.storage.includes(storage)).map((c) => c.name);
  for (const storage of head.model.storages) {
    const target: Target = { cluster: null, subject: 'storage', name: storage.name, ...head.locate(storage.source) };
    const old = before.get(storage.name);
    if (!old) changes.push(change(target, 'safe', 'storage.added', null, null, locationOf(storage), `new storage ${storage.provider}://${storage.bucket}`));
    else changes.push(...compareStorage(old, storage, target, users(storage.name, head)));
  }
  const names = new Set(head.model.storages.map((s) => s.name));
  for (const storage of base.model.storages) {
    if (names.has(storage.name)) continue;
    const target: Target = { cluster: null, subject: 'storage', name: storage.name, ...base.locate(storage.source) };
    changes.push(change(target, 'risk', 'storage.removed', null, locationOf(storage), null, `storage removed: Velero forgets the backups in ${storage.provider}://${storage.bucket} once the location is deleted (used by ${users(storage.name, base).join(', ') || 'no cluster'})`));
  }
  return changes;
}

function locationOf(storage: StorageModel) {
  return { provider: storage.provider, bucket: storage.bucket, prefix: storage.prefix ?? null };
}

function compareStorage(old: StorageModel, now: StorageModel, target: Target, clusters: readonly string[]): Change[] {
  const changes: Change[] = [];
  const used = clusters.length > 0 ? ` (clusters ${clusters.join(', ')})` : '';
  const push = (cls: ChangeClass, kind: string, field: string, b: unknown, a: unknown, message: string) => changes.push(change(target, cls, kind, field, b, a, `${message}${used}`));
  if (!same(locationOf(old), locationOf(now))) {
    push('risk', 'storage.location', 'location', locationOf(old), locationOf(now), 'the location moves: existing restore points stay where they are and Velero no longer lists them');
  }
  if (!same(old.encryption, now.encryption)) {
    if (!now.encryption) push('risk', 'storage.encryption', 'encryption', old.encryption, null, 'provider-side encryption with a customer-managed key removed: new backups are stored without it');
    else if (!old.encryption) push('safe', 'storage.encryption', 'encryption', null, now.encryption, 'new backups are encrypted with a customer-managed key');
    else push('review', 'storage.encryption', 'encryption', old.encryption, now.encryption, 'encryption key changed: backups written before stay encrypted with the old key, keep it usable');
  }
  if (old.immutableDays !== now.immutableDays) {
    const less = (now.immutableDays ?? 0) < (old.immutableDays ?? 0);
    push(less ? 'risk' : 'safe', 'storage.immutability', 'immutableDays', old.immutableDays ?? null, now.immutableDays ?? null,
      now.immutableDays === undefined ? 'object lock removed: backups can be deleted or overwritten by anyone holding the credentials' : less ? `object lock shortened to ${now.immutableDays} days` : `object lock of ${now.immutableDays} days`);
  }
  changes.push(...compareReplica(old, now, push));
  compareGeoRedundancy(old, now, push);
  if (!same(old.credentials, now.credentials)) push('review', 'storage.credentials', 'credentials', refText(old.credentials), refText(now.credentials), 'credentials changed: check they can read the existing backups');
  changes.push(...otherFields(target, 'storage.other', old, now, ['name', 'provider', 'bucket', 'prefix', 'encryption', 'immutableDays', 'credentials', 'replica', 'geoRedundancy', 'versioned']));
  return changes;
}

/**
 * A replica removed, or a longer lag (restores after a region loss fall further back), is a risk;
 * one added or a shorter lag is safe; another bucket, region, endpoint, key or credentials is review.
 */
function compareReplica(old: StorageModel, now: StorageModel, push: (cls: ChangeClass, kind: string, field: string, b: unknown, a: unknown, message: string) => void): Change[] {
  const b = old.replica;
  const a = now.replica;
  if (same(b, a)) return [];
  if (!a) push('risk', 'storage.replication', 'replication', b, null, 'replica removed: after a region loss the bucket and its key are gone with it');
  else if (!b) push('safe', 'storage.replication', 'replication', null, a, `replicated to ${a.bucket} in ${a.region}`);
  else {
    if (a.lag.seconds !== b.lag.seconds) push(a.lag.seconds > b.lag.seconds ? 'risk' : 'safe', 'storage.replication', 'replication.lag', b.lag.text, a.lag.text, `replication lag ${b.lag.text} -> ${a.lag.text}: restores from the replica choose backups at least that old`);
    const where = (r: NonNullable<StorageModel['replica']>) => ({ bucket: r.bucket, region: r.region, endpoint: r.endpoint ?? null, kmsKeyId: r.kmsKeyId ?? null, credentials: r.credentials });
    if (!same(where(b), where(a))) push('review', 'storage.replication', 'replication', where(b), where(a), 'the replica moves: check it holds the backups and the region-loss target can read it');
  }
  return [];
}

/**
 * Geo-redundancy removed, or a longer lag (restores after a region loss fall further back), is a
 * risk; added or a shorter lag is safe; another location or redundancy is review.
 */
function compareGeoRedundancy(old: StorageModel, now: StorageModel, push: (cls: ChangeClass, kind: string, field: string, b: unknown, a: unknown, message: string) => void): void {
  const b = old.geoRedundancy;
  const a = now.geoRedundancy;
  if (same(b, a)) return;
  const where = (g: NonNullable<StorageModel['geoRedundancy']>) => (g.provider === 'gcp' ? g.location : g.redundancy);
  if (!a) push('risk', 'storage.geoRedundancy', 'geoRedundancy', b, null, 'geo-redundancy removed: after a region loss the backups may be gone with it');
  else if (!b) push('safe', 'storage.geoRedundancy', 'geoRedundancy', null, a, `copied to another region (${where(a)})`);
  else {
    if (a.lag.seconds !== b.lag.seconds) push(a.lag.seconds > b.lag.seconds ? 'risk' : 'safe', 'storage.geoRedundancy', 'geoRedundancy.lag', b.lag.text, a.lag.text, `geo-redundancy lag ${b.lag.text} -> ${a.lag.text}: restores after a region loss choose backups at least that old`);
    if (where(a) !== where(b)) push('review', 'storage.geoRedundancy', 'geoRedundancy', where(b), where(a), 'the copy in another region changes: check the bucket or account really is replicated that way');
  }
}

function compareGuardrails(base: Side, head: Side): Change[] {
  const changes: Change[] = [];
  const before = new Map(base.model.guardrails.map((g) => [g.environment, g]));
  for (const rails of head.model.guardrails) {
    const target: Target = { cluster: null, subject: 'guardrails', name: rails.environment, ...head.locate(rails.source) };
    const old = before.get(rails.environment);
    if (!old) changes.push(change(target, 'safe', 'guardrails.added', null, null, rails.environment, `guardrails for ${rails.environment}`));
    else changes.push(...compareRails(old, rails, target));
  }
  const names = new Set(head.model.guardrails.map((g) => g.environment));
  for (const rails of base.model.guardrails) {
    if (names.has(rails.environment)) continue;
    const target: Target = { cluster: null, subject: 'guardrails', name: rails.environment, ...base.locate(rails.source) };
    changes.push(change(target, 'risk', 'guardrails.removed', null, rails.environment, null, `guardrails for ${rails.environment} removed: no minimum applies to its policies`));
  }
  return changes;
}

function compareRails(old: GuardrailsModel, now: GuardrailsModel, target: Target): Change[] {
  const changes: Change[] = [];
  const push = (cls: ChangeClass, field: string, b: unknown, a: unknown, message: string) => changes.push(change(target, cls, 'guardrails.changed', field, b, a, message));
  // A limit that disappears is a loosening; one that appears is a tightening. `size` orders the
  // values (seconds, days between drills), `shown` is what the report prints.
  const limit = (field: string, what: string, looser: (b: number, a: number) => boolean, b?: { size: number; shown: string }, a?: { size: number; shown: string }) => {
    if (b?.size === a?.size) return;
    const loosened = a === undefined || (b !== undefined && looser(b.size, a.size));
    push(loosened ? 'risk' : 'safe', field, b?.shown ?? null, a?.shown ?? null, `${what}: ${b?.shown ?? 'none'} -> ${a?.shown ?? 'none'}`);
  };
  const time = (d: { seconds: number } | undefined) => (d ? { size: d.seconds, shown: duration(d.seconds) ?? '' } : undefined);
  const days = (d: number | undefined) => (d === undefined ? undefined : { size: d, shown: `${d}d` });
  const every = (f: GuardrailsModel['drillEvery']) => (f ? { size: frequencyDays(f), shown: f } : undefined);
  limit('maxRpo', 'longest RPO allowed', (b, a) => a > b, time(old.maxRpo), time(now.maxRpo));
  limit('minRetention', 'shortest retention allowed', (b, a) => a < b, time(old.minRetention), time(now.minRetention));
  if (old.requireEncryption !== now.requireEncryption) push(now.requireEncryption ? 'safe' : 'risk', 'requireEncryption', old.requireEncryption, now.requireEncryption, now.requireEncryption ? 'storage must be encrypted' : 'storage no longer has to be encrypted');
  limit('minImmutableDays', 'shortest object lock allowed', (b, a) => a < b, days(old.minImmutableDays), days(now.minImmutableDays));
  if (old.requireImmutableStorage !== now.requireImmutableStorage) push(now.requireImmutableStorage ? 'safe' : 'risk', 'requireImmutableStorage', old.requireImmutableStorage, now.requireImmutableStorage, now.requireImmutableStorage ? 'storage must have object lock' : 'storage no longer needs object lock');
  if (old.snapshotDeletionPolicy !== now.snapshotDeletionPolicy) {
    const safer = now.snapshotDeletionPolicy === 'Retain';
    push(safer ? 'safe' : 'risk', 'snapshotDeletionPolicy', old.snapshotDeletionPolicy ?? null, now.snapshotDeletionPolicy ?? null, `required snapshot deletion policy: ${old.snapshotDeletionPolicy ?? 'none'} -> ${now.snapshotDeletionPolicy ?? 'none'}`);
  }
  limit('drillEvery', 'required drill frequency', (b, a) => a > b, every(old.drillEvery), every(now.drillEvery));
  changes.push(...otherFields(target, 'guardrails.other', old, now, ['environment', 'maxRpo', 'minRetention', 'requireEncryption', 'requireImmutableStorage', 'minImmutableDays', 'snapshotDeletionPolicy', 'drillEvery']));
  return changes;
}
