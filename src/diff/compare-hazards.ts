/**
 * Changes that weaken protection without reducing any single field: they only show when
 * declarations are read together. Backups written into another cluster's storage, two storages on
 * one bucket and prefix, restore steps reading a policy outside their plan, restores that can now
 * overwrite another policy's namespace, and exemptions that replace a policy. Each is a `risk`.
 */
import type { Model, PolicyModel, RestorePlanModel } from '../model/types.ts';
import type { Side } from './side.ts';
import type { Change } from './types.ts';
import { change, type Target } from './values.ts';

/** Every cross-declaration hazard the head introduces relative to the base. */
export function compareHazards(base: Side, head: Side): Change[] {
  return [...otherClustersStorage(base, head), ...sharedLocations(base, head), ...stepSources(base, head), ...overwrites(base, head), ...exemptionsReplacingPolicies(base, head)];
}

/** Storages the policies of each cluster write to. */
function writers(model: Model): Map<string, Set<string>> {
  const byStorage = new Map<string, Set<string>>();
  for (const policy of model.policies) byStorage.set(policy.storage, new Set([...(byStorage.get(policy.storage) ?? []), policy.cluster]));
  return byStorage;
}

/**
 * A cluster whose backups start going to a storage another cluster writes to: its location turns
 * ReadWrite (and may become the default), so its Velero syncs, and its garbage collection deletes
 * in, the other cluster's backups. A cluster's own new storage is not a hazard.
 */
function otherClustersStorage(base: Side, head: Side): Change[] {
  const before = writers(base.model);
  const after = writers(head.model);
  const changes: Change[] = [];
  for (const [storage, clusters] of after) {
    for (const cluster of [...clusters].sort()) {
      if (before.get(storage)?.has(cluster)) continue;
      const owners = [...new Set([...(before.get(storage) ?? []), ...clusters])].filter((c) => c !== cluster).sort();
      if (owners.length === 0) continue;
      const policy = head.model.policies.find((p) => p.cluster === cluster && p.storage === storage) as PolicyModel;
      const target: Target = { cluster, subject: 'policy', name: policy.name, ...head.locate(policy.source) };
      changes.push(
        change(target, 'risk', 'policy.storage-of-another-cluster', 'storage', null, storage,
          `cluster ${cluster} now writes its backups to ${storage}, where cluster ${owners.join(', ')} keeps its backups: ${cluster}'s location turns ReadWrite (and can become its default), so its Velero syncs and its garbage collection deletes there; give ${cluster} its own storage or prefix`),
      );
    }
  }
  return changes;
}

const locationKey = (s: Model['storages'][number]): string => `${s.provider}://${s.bucket}/${(s.prefix ?? '').replace(/^\/+|\/+$/g, '')}`;

/** Two storages of the head on one bucket and prefix (Velero treats them as two locations holding the same backups). */
function sharedLocations(base: Side, head: Side): Change[] {
  const groups = (model: Model) => {
    const map = new Map<string, string[]>();
    for (const s of model.storages) map.set(locationKey(s), [...(map.get(locationKey(s)) ?? []), s.name].sort());
    return map;
  };
  const before = groups(base.model);
  const changes: Change[] = [];
  for (const [location, names] of groups(head.model)) {
    if (names.length < 2 || (before.get(location)?.length ?? 0) >= names.length) continue;
    const storage = head.model.storages.find((s) => s.name === names[names.length - 1]);
    const target: Target = { cluster: null, subject: 'storage', name: storage?.name ?? names[0] ?? '', ...head.locate(storage?.source) };
    changes.push(
      change(target, 'risk', 'storage.same-location', 'location', null, location,
        `storages ${names.join(' and ')} resolve to one bucket and prefix (${location}): each location's garbage collection deletes the other's expired backups and a restore cannot tell whose backups it reads; give each its own prefix`),
    );
  }
  return changes;
}

/** A restore step reading a policy that is not one of its plan's sources. */
function stepSources(base: Side, head: Side): Change[] {
  const changes: Change[] = [];
  for (const plan of head.model.restorePlans) {
    const old = base.model.restorePlans.find((p) => p.name === plan.name);
    for (const step of plan.steps) {
      if (plan.from.includes(step.policy)) continue;
      if (old?.steps.some((s) => s.name === step.name && s.policy === step.policy)) continue;
      const target: Target = { cluster: plan.to, subject: 'restorePlan', name: plan.name, ...head.locate(plan.source) };
      // The resolver leaves the policy empty when a step names one outside the plan's sources.
      const named = step.policy === '' ? 'a policy' : `policy ${step.policy}`;
      changes.push(
        change(target, 'risk', 'plan.step-source', `steps.${step.name}.policy`, null, step.policy === '' ? null : step.policy,
          `step ${step.name} restores from ${named} that is not one of the plan's sources (${plan.from.join(', ')}): the restore would read another policy's backups, or none; name the policy in from: or remove the step`),
      );
    }
  }
  return changes;
}

/** Namespaces of a cluster and the policies that back them up there. */
function owners(model: Model, cluster: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const policy of model.policies.filter((p) => p.cluster === cluster)) {
    for (const namespace of policy.namespaces) map.set(namespace, [...(map.get(namespace) ?? []), policy.name]);
  }
  return map;
}

/** Target namespaces of a plan that belong to policies outside the plan, on its target cluster. */
function foreignTargets(model: Model, plan: RestorePlanModel): Map<string, string[]> {
  const owned = owners(model, plan.to);
  const found = new Map<string, string[]>();
  for (const [source, target] of Object.entries(plan.namespaceMapping)) {
    const others = (owned.get(target) ?? []).filter((p) => !plan.from.includes(p));
    // Restoring a namespace back into itself on its own cluster is the plan's purpose.
    if (others.length > 0 && !(source === target && model.policies.some((p) => plan.from.includes(p.name) && p.cluster === plan.to))) found.set(target, others);
  }
  return found;
}

/**
 * A restore that can now overwrite objects another policy owns: `existingResources: 'update'`
 * turned on, or a namespace mapping onto a namespace another policy backs up on the target cluster.
 */
function overwrites(base: Side, head: Side): Change[] {
  const changes: Change[] = [];
  for (const plan of head.model.restorePlans) {
    const old = base.model.restorePlans.find((p) => p.name === plan.name);
    const target: Target = { cluster: plan.to, subject: 'restorePlan', name: plan.name, ...head.locate(plan.source) };
    if (plan.existingResources === 'update' && old?.existingResources !== 'update') {
      changes.push(
        change(target, 'risk', 'plan.existing-resources', 'existingResources', old?.existingResources ?? null, 'update',
          "existingResources: 'update' lets the restore overwrite live objects that differ from the backup, instead of leaving them as they are"),
      );
    }
    const before = old ? foreignTargets(base.model, old) : new Map<string, string[]>();
    for (const [namespace, others] of foreignTargets(head.model, plan)) {
      if (before.has(namespace)) continue;
      changes.push(
        change(target, 'risk', 'plan.overwrites', 'namespaceMapping', null, namespace,
          `the restore now writes into namespace ${namespace} on ${plan.to}, which policy ${others.join(', ')} backs up: live objects of another team's namespace can be replaced or mixed with restored ones`),
      );
    }
  }
  return changes;
}

/** An exemption added for a namespace that a policy backed up at the base and none does at the head. */
function exemptionsReplacingPolicies(base: Side, head: Side): Change[] {
  const changes: Change[] = [];
  const key = (namespace: string, cluster: string | undefined) => `${namespace}\u0000${cluster ?? ''}`;
  const existed = new Set(base.model.exemptions.map((e) => key(e.namespace, e.cluster)));
  for (const exemption of head.model.exemptions) {
    if (existed.has(key(exemption.namespace, exemption.cluster))) continue;
    const clusters = exemption.cluster ? [exemption.cluster] : [...new Set(base.model.policies.map((p) => p.cluster))].sort();
    const replaced = clusters.flatMap((cluster) => {
      const was = owners(base.model, cluster).get(exemption.namespace) ?? [];
      const is = owners(head.model, cluster).get(exemption.namespace) ?? [];
      return was.length > 0 && is.length === 0 ? [`${was.join(', ')} on ${cluster}`] : [];
    });
    if (replaced.length === 0) continue;
    const target: Target = { cluster: exemption.cluster ?? null, subject: 'exemption', name: exemption.namespace, ...head.locate(exemption.source) };
    changes.push(
      change(target, 'risk', 'exemption.replaces-policy', null, replaced, { until: exemption.until, reason: exemption.reason },
        `namespace ${exemption.namespace} is exempted instead of backed up (it was backed up by ${replaced.join('; ')}): the coverage check no longer reports its data, and its restore points expire`),
    );
  }
  return changes;
}
