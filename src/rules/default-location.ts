import type { Diagnostic } from '../model/diagnostic.ts';
import { defaultLocation, othersPlaces, storagePlace, writtenBy } from '../model/default-location.ts';
import type { ClusterModel, Model } from '../model/types.ts';
import type { Rule } from './rule.ts';

/**
 * STO006: every cluster has a writable default location of its own (a DR cluster too: after a
 * failover it must back up what it restored), or declares `neverBacksUp`, consistently.
 * STO007: a cluster's default location is not another cluster's storage (written by that cluster's
 * policies, or its default too): its backups would land among the other's, and each Velero would
 * sync and expire the other's backups.
 */
export const defaultLocationRule: Rule = {
  family: 'storage',
  check(model: Model): Diagnostic[] {
    const found: Diagnostic[] = [];
    const storages = new Map(model.storages.map((s) => [s.name, s]));
    const defaults = new Map(model.clusters.map((c) => [c.name, defaultLocation(model, c)]));
    for (const cluster of model.clusters) {
      const at = (path: string, code: string, message: string, hint: string): Diagnostic => ({ code, severity: 'error', message, hint, declaration: cluster.name, path, source: cluster.source });
      const policies = model.policies.filter((p) => p.cluster === cluster.name);
      if (cluster.neverBacksUp) {
        if (cluster.defaultStorage !== undefined) found.push(at('neverBacksUp', 'STO006', `declares neverBacksUp and defaultStorage "${cluster.defaultStorage}"`, 'keep one: neverBacksUp for a cluster that only restores, defaultStorage for one that backs up'));
        if (policies.length > 0) found.push(at('neverBacksUp', 'STO006', `declares neverBacksUp, but policies back it up: ${policies.map((p) => p.name).join(', ')}`, 'remove neverBacksUp, or move those policies to another cluster'));
        continue;
      }
      const location = defaults.get(cluster.name);
      if (location === undefined) {
        found.push(missing(model, cluster, at));
        continue;
      }
      const storage = storages.get(location);
      if (!storage) continue;
      const place = storagePlace(storage);
      const writer = othersPlaces(model, cluster.name).get(place);
      // A cluster whose policies write there is its owner; another cluster defaulting there is the one to blame.
      const writesThere = policies.some((p) => p.storage === location);
      const sharer = model.clusters.find((other) => {
        if (other.name === cluster.name || writesThere) return false;
        const theirs = storages.get(defaults.get(other.name) ?? '');
        return theirs !== undefined && storagePlace(theirs) === place;
      });
      const owner = writer ?? sharer?.name;
      if (owner === undefined) continue;
      const path = cluster.defaultStorage !== undefined ? 'defaultStorage' : `storage[${cluster.storage.indexOf(location)}]`;
      found.push(
        at(
          path,
          'STO007',
          `its default location "${location}" is the storage of cluster "${owner}" (${writer ? "that cluster's policies write there" : 'its default location too'}): this cluster's backups would land among "${owner}"'s, and each Velero would sync the other's`,
          `give cluster "${cluster.name}" a storage of its own (another bucket, or another prefix), listed first or named in defaultStorage${writtenBy(model, cluster.name).size === 0 ? ', or declare neverBacksUp: true' : ''}`,
        ),
      );
    }
    return found;
  },
};

function missing(model: Model, cluster: ClusterModel, at: (path: string, code: string, message: string, hint: string) => Diagnostic): Diagnostic {
  if (cluster.defaultStorage !== undefined) {
    return at('defaultStorage', 'STO006', `defaultStorage "${cluster.defaultStorage}" is not listed in storage`, `add it to the storage of cluster "${cluster.name}"`);
  }
  const others = othersPlaces(model, cluster.name);
  const storages = new Map(model.storages.map((s) => [s.name, s]));
  const taken = cluster.storage.map((name) => {
    const storage = storages.get(name);
    return storage ? `"${name}" (cluster "${others.get(storagePlace(storage))}")` : `"${name}"`;
  });
  return at(
    'storage',
    'STO006',
    taken.length > 0
      ? `has no storage of its own to back up to: every storage it lists is another cluster's (${taken.join(', ')}); after a failover it could not back up what it restored`
      : 'lists no storage: it has no location to back up to or restore from',
    'list a storage of its own (a bucket, or a prefix, no other cluster writes to), or declare neverBacksUp: true for a cluster that only restores',
  );
}
