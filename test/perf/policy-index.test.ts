/**
 * The look-ups by policy name that restore-plan lowering uses (model/policy-index.ts) against the
 * plain walks over every policy they replace, on random policy lists with repeated names and
 * random `from` lists with repeated and unknown names; and the replica reads and lags, answered
 * once per model and cluster, against the plain walks over the model.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { restorePlan } from '../../src/dsl/index.ts';
import { defaultLocation, writtenBy } from '../../src/model/default-location.ts';
import { policiesNamedIn, policyNamed, sourcesOf } from '../../src/model/policy-index.ts';
import { replicaLags, replicaReads } from '../../src/model/replica-location.ts';
import { resolve } from '../../src/model/resolve.ts';
import type { ClusterModel, Model, PolicyModel } from '../../src/model/types.ts';
import { clusterWith, policy, storage } from '../velero/support.ts';

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'];
/** Distinct policy objects whose names repeat (the index must keep declaration order and the first of a name). */
const policyList = fc.array(fc.constantFrom(...NAMES), { maxLength: 12 }).map((names) => names.map((name, i) => ({ name, id: i }) as unknown as PolicyModel));
const nameList = fc.array(fc.constantFrom(...NAMES, 'unknown'), { maxLength: 8 });

describe('look-ups by policy name', () => {
  it('policyNamed, sourcesOf and policiesNamedIn equal find, map-find and filter-includes over every policy', () => {
    fc.assert(
      fc.property(policyList, nameList, (policies, from) => {
        for (const name of [...NAMES, 'unknown']) expect(policyNamed(policies, name)).toBe(policies.find((p) => p.name === name));
        expect(sourcesOf(policies, from)).toEqual(from.map((name) => policies.find((p) => p.name === name)).filter((p): p is PolicyModel => p !== undefined));
        const named = policiesNamedIn(policies, from);
        const reference = policies.filter((p) => from.includes(p.name));
        expect(named.length).toBe(reference.length);
        named.forEach((p, i) => {
          expect(p).toBe(reference[i]);
        });
      }),
    );
  });

  it('answers from the list it is given, not from the index of another list with the same names', () => {
    const first = [{ name: 'a', id: 1 }] as unknown as PolicyModel[];
    const second = [{ name: 'a', id: 2 }] as unknown as PolicyModel[];
    expect(policyNamed(first, 'a')).toBe(first[0]);
    expect(policyNamed(second, 'a')).toBe(second[0]);
  });
});

/** The reference: every region-loss plan into the cluster, every policy of the model. */
function referenceReads(model: Model, cluster: ClusterModel): Set<string> {
  const storages = new Map(model.storages.map((s) => [s.name, s]));
  const written = writtenBy(model, cluster.name);
  const own = defaultLocation(model, cluster);
  const reads = new Set<string>();
  for (const plan of model.restorePlans.filter((p) => p.to === cluster.name && p.scenario === 'region-loss')) {
    for (const policy of model.policies.filter((p) => plan.from.includes(p.name))) {
      const storage = storages.get(policy.storage);
      if (storage?.replica && cluster.storage.includes(storage.name) && !written.has(storage.name) && own !== storage.name) reads.add(storage.name);
    }
  }
  return reads;
}

function referenceLags(model: Model, cluster: ClusterModel, from: readonly string[]): Record<string, number> {
  const reads = referenceReads(model, cluster);
  const storages = new Map(model.storages.map((s) => [s.name, s]));
  const lags: Record<string, number> = {};
  for (const policy of model.policies.filter((p) => from.includes(p.name) && reads.has(p.storage))) {
    const lag = storages.get(policy.storage)?.replica?.lag.seconds;
    if (lag !== undefined) lags[policy.name] = lag;
  }
  return lags;
}

/** Two replicated storages and one not; region-loss and cluster-loss plans into two clusters. */
function org(lag: '15m' | '30m'): Model {
  const eu = storage('eu', { prefix: 'velero', encryption: { kmsKeyId: 'alias/velero-eu' }, replication: { bucket: 'eu-replica', region: 'us-east-1', kmsKeyId: 'alias/eu-replica', lag } });
  const ap = storage('ap', { region: 'ap-south-1', encryption: { kmsKeyId: 'alias/velero-ap' }, replication: { bucket: 'ap-replica', region: 'us-east-1', kmsKeyId: 'alias/ap-replica', lag: '1h' } });
  const us = storage('us', { region: 'us-east-1' });
  const images = { kubectl: 'registry.example/kubectl:1.33' };
  const prod = clusterWith('prod', [eu], { region: 'eu-west-1', images });
  const asia = clusterWith('asia', [ap], { region: 'ap-south-1', images });
  const dr = clusterWith('dr', [us, eu, ap], { region: 'us-east-1', images });
  const dr2 = clusterWith('dr2', [us, eu], { region: 'us-east-1', images });
  const ledger = policy('ledger', prod, { storage: eu });
  const orders = policy('orders', prod, { storage: eu });
  const stock = policy('stock', asia, { storage: ap });
  const plans = [
    restorePlan('prod-dr', { from: [ledger, orders], to: dr, scenario: 'region-loss', rto: '1h', secretsRecovery: 'secrets-from-backup' }),
    restorePlan('asia-dr', { from: stock, to: dr, scenario: 'region-loss', rto: '1h', secretsRecovery: 'secrets-from-backup' }),
    restorePlan('ledger-dr2', { from: ledger, to: dr2, scenario: 'cluster-loss', rto: '1h', secretsRecovery: 'secrets-from-backup' }),
  ];
  return resolve([eu, ap, us, prod, asia, dr, dr2, ledger, orders, stock, ...plans]).model;
}

describe('replica reads and lags, answered once per model and cluster', () => {
  it('equal the walks over the whole model for every cluster and plan, asked again and for a second model', () => {
    const models = [org('15m'), org('30m')];
    for (let round = 0; round < 2; round++) {
      for (const model of models) {
        for (const cluster of model.clusters) {
          expect([...replicaReads(model, cluster)]).toEqual([...referenceReads(model, cluster)]);
          for (const plan of model.restorePlans) expect(replicaLags(model, cluster, plan)).toEqual(referenceLags(model, cluster, plan.from));
        }
      }
    }
    // The walks found something to compare: dr reads both replicas, with each model's own lag.
    const dr = (model: Model) => model.clusters.find((c) => c.name === 'dr')!;
    expect([...replicaReads(models[0]!, dr(models[0]!))].sort()).toEqual(['ap', 'eu']);
    expect(replicaLags(models[1]!, dr(models[1]!), models[1]!.restorePlans.find((p) => p.name === 'prod-dr')!)).toEqual({ ledger: 1800, orders: 1800 });
  });
});
