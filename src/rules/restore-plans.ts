import type { Frequency } from '../dsl/duration.ts';
import { TIERS } from '../dsl/retention.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import { formatQuantity } from '../model/quantity.ts';
import { humanDuration } from '../model/duration.ts';
import type { LoadedInventory } from '../inventory/types.ts';
import { estimateRestoreSeconds, RESTORE_OVERHEAD_SECONDS, restoreModes } from '../model/restore-estimate.ts';
import type { Model, PolicyModel, RestorePlanModel, StorageModel } from '../model/types.ts';
import { dnsLabelError } from './k8s-names.ts';
import type { Rule } from './rule.ts';

export { RESTORE_OVERHEAD_SECONDS, RESTORE_THROUGHPUT } from '../model/restore-estimate.ts';

/** Seconds a plan's restore is estimated to take from its declared data size. */
export function estimatedRestoreSeconds(plan: RestorePlanModel, policies: readonly PolicyModel[]): number | undefined {
  return plan.dataSizeBytes === undefined ? undefined : estimateRestoreSeconds(plan.dataSizeBytes, policies);
}

/** PLAN011's message and hint, for declared data or data found in an inventory. */
function rtoBelowEstimate(plan: RestorePlanModel, policies: readonly PolicyModel[], estimate: number, data: string): Pick<Diagnostic, 'code' | 'message' | 'hint'> {
  const modes = [...new Set(policies.flatMap(restoreModes))].join(', ');
  return {
    code: 'PLAN011',
    message: `RTO ${plan.rto.text} is below the estimated restore time of ${humanDuration(Math.ceil(estimate / 60) * 60)} for ${data} (volumes restored by ${modes})`,
    hint: `raise the RTO, or use a faster volume mode (estimate: ${RESTORE_OVERHEAD_SECONDS / 60}m + size / throughput of the slowest mode, see README)`,
  };
}

/**
 * PLAN011 for plans that declare no `dataSize`, from the claims the imported inventories list in the
 * plan's namespaces on each policy's cluster (their requested sizes). Run by `validate` only: the
 * inventory never changes what `synth` writes.
 */
export function checkRestoreEstimates(model: Model, inventories: readonly LoadedInventory[]): Diagnostic[] {
  const found: Diagnostic[] = [];
  const byCluster = new Map(inventories.map((loaded) => [loaded.inventory.cluster, loaded]));
  for (const plan of model.restorePlans) {
    if (plan.dataSizeBytes !== undefined || !Number.isFinite(plan.rto.seconds)) continue;
    const sources = model.policies.filter((p) => plan.from.includes(p.name));
    const counted = sources.flatMap((policy) => {
      const loaded = byCluster.get(policy.cluster);
      return loaded ? policy.namespaces.map((ns) => ({ loaded, bytes: loaded.inventory.namespaces[ns]?.requestedBytes ?? 0 })) : [];
    });
    if (counted.length === 0) continue;
    const bytes = counted.reduce((sum, c) => sum + c.bytes, 0);
    const estimate = estimateRestoreSeconds(bytes, sources);
    if (estimate <= plan.rto.seconds) continue;
    const files = [...new Set(counted.map((c) => c.loaded.file))].sort().join(', ');
    found.push({
      severity: 'error',
      declaration: plan.name,
      path: 'rto',
      source: plan.source,
      ...rtoBelowEstimate(plan, sources, estimate, `${formatQuantity(bytes)} of claims in its namespaces (inventory ${files}; no dataSize declared)`),
    });
  }
  return found;
}

const FREQUENCY_DAYS: Readonly<Record<Frequency, number>> = { day: 1, week: 7, month: 31, quarter: 92 };

/** Velero keeps one storage-class and one image mapping per cluster; plans into a cluster must agree. */
function mappingConflicts(model: Model, pick: (plan: RestorePlanModel) => Readonly<Record<string, string>>, code: string, what: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  const seen = new Map<string, { plan: string; to: string }>();
  for (const plan of model.restorePlans) {
    for (const [from, to] of Object.entries(pick(plan))) {
      const key = `${plan.to}\u0000${from}`;
      const first = seen.get(key);
      if (first && first.to !== to) {
        found.push({
          code,
          severity: 'error',
          message: `maps ${what} "${from}" to "${to}", but plan "${first.plan}" maps it to "${first.to}" on the same cluster "${plan.to}"; Velero keeps one mapping per cluster`,
          hint: `agree on one target for "${from}" in every plan restoring into "${plan.to}"`,
          declaration: plan.name,
          path: what === 'storage class' ? `storageClassMapping.${from}` : 'transforms',
          source: plan.source,
        });
      } else if (!first) seen.set(key, { plan: plan.name, to });
    }
  }
  return found;
}

/**
 * PLAN018: a region-loss plan reads each S3 storage of its policies from a replica outside the
 * region it protects against losing (the source cluster's and the bucket's): the bucket and its KMS
 * key are gone with that region, so a plan reading them works only while it is up. A GCS or Azure
 * storage must declare its geo-redundancy (a multi-region or dual-region bucket, an account with a
 * secondary region): one in a single region is gone with it too.
 */
function replicaOutsideRegion(model: Model, sources: readonly PolicyModel[], at: (path: string, d: Pick<Diagnostic, 'code' | 'message' | 'hint'>) => Diagnostic): Diagnostic[] {
  const found: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const source of sources) {
    const storage = model.storages.find((s) => s.name === source.storage);
    if (!storage || seen.has(storage.name)) continue;
    seen.add(storage.name);
    if (storage.provider !== 'aws') {
      if (!storage.geoRedundancy) found.push(at('from', noGeoRedundancy(source, storage)));
      continue;
    }
    const lost = [...new Set([model.clusters.find((c) => c.name === source.cluster)?.region, storage.config.region].filter((r): r is string => typeof r === 'string' && r !== ''))];
    const where = lost.map((r) => JSON.stringify(r)).join(' and ');
    if (!storage.replica) {
      found.push(
        at('from', {
          code: 'PLAN018',
          message: `restores policy "${source.name}" from storage "${storage.name}" (bucket ${JSON.stringify(storage.bucket)} in ${where}), which declares no replica: when that region is lost, so are the bucket and its KMS key`,
          hint: `replicate the bucket to another region and declare it on storage "${storage.name}": replication: { bucket, region, kmsKeyId, lag: '15m' }; the plan's target then reads the replica`,
        }),
      );
    } else if (lost.includes(storage.replica.region)) {
      found.push(
        at('from', {
          code: 'PLAN018',
          message: `restores policy "${source.name}" from the replica of storage "${storage.name}", but the replica is in ${JSON.stringify(storage.replica.region)}, the region this plan recovers from losing`,
          hint: `replicate to a region other than ${where} and set replication.region of storage "${storage.name}" to it`,
        }),
      );
    }
  }
  return found;
}

/** PLAN018 for a GCS or Azure storage that declares no copy in another region, with the declaration to add. */
function noGeoRedundancy(source: PolicyModel, storage: StorageModel): Pick<Diagnostic, 'code' | 'message' | 'hint'> {
  if (storage.provider === 'azure') {
    return {
      code: 'PLAN018',
      message: `restores policy "${source.name}" from Azure storage "${storage.name}" (account ${JSON.stringify(storage.config.storageAccount ?? '')}), which declares no geo-redundancy: an account replicated only inside one region is lost with it`,
      hint: `make the account geo-redundant and declare it on storage "${storage.name}": geoRedundancy: { redundancy: 'RA-GZRS', lag: '1h' }; after a region loss, fail the account over to its secondary region (the runbook says how)`,
    };
  }
  return {
    code: 'PLAN018',
    message: `restores policy "${source.name}" from GCS storage "${storage.name}" (bucket ${JSON.stringify(storage.bucket)}), which declares no geo-redundancy: a bucket in one region is lost with it`,
    hint: `keep the backups in a multi-region or dual-region bucket and declare its location on storage "${storage.name}": geoRedundancy: { location: 'EU', lag: '1h' }`,
  };
}

/**
 * PLAN002-PLAN013, PLAN018 and GRD007: a restore plan can actually run: its policies exist and cover
 * what it maps, the target can read the storage (a region-loss plan: from a replica in another
 * region), the restore point it asks for is kept, names and mappings do not collide, secrets are
 * readable on a new cluster, the RTO is plausible, drills meet guardrails.
 */
export const restorePlansRule: Rule = {
  family: 'restore-plans',
  check(model: Model): Diagnostic[] {
    const found: Diagnostic[] = [];
    const policies = new Map(model.policies.map((p) => [p.name, p]));
    const clusters = new Map(model.clusters.map((c) => [c.name, c]));
    for (const plan of model.restorePlans) {
      const at = (path: string, d: Pick<Diagnostic, 'code' | 'message' | 'hint'>): Diagnostic => ({ severity: 'error', declaration: plan.name, path, source: plan.source, ...d });
      const sources = plan.from.map((name) => policies.get(name)).filter((p): p is PolicyModel => p !== undefined);
      const target = clusters.get(plan.to);
      if (plan.name.length > 40) {
        found.push(at('name', { code: 'PLAN013', message: `plan name "${plan.name}" is ${plan.name.length} characters; at most 40 fit the generated CronJob (52) and Restore (63) names`, hint: 'shorten the plan name' }));
      }
      if (sources.length === 0) {
        found.push(at('from', { code: 'PLAN002', message: 'restores no backup policy', hint: 'set from: to one or more backup policies' }));
      }
      const crossCluster = sources.some((s) => s.cluster !== plan.to);
      if (target) {
        for (const source of sources) {
          if (!target.storage.includes(source.storage)) {
            found.push(at('to', { code: 'PLAN002', message: `cluster "${target.name}" cannot read storage "${source.storage}" where policy "${source.name}" writes its backups`, hint: `list storage "${source.storage}" on cluster "${target.name}" (it becomes a ReadOnly location there) and seal its credentials for that cluster` }));
          }
        }
      }
      if (plan.scenario === 'region-loss') found.push(...replicaOutsideRegion(model, sources, at));
      if (plan.scenario === 'namespace-loss' && crossCluster) {
        found.push(at('scenario', { code: 'PLAN005', message: `a namespace-loss plan restores into the source cluster, but "${plan.to}" is not the cluster of every source policy`, hint: "use scenario 'cluster-loss' or 'region-loss' for restores into another cluster" }));
      }
      const covered = new Set(sources.flatMap((s) => s.namespaces));
      for (const namespace of Object.keys(plan.declaredNamespaceMapping)) {
        if (!covered.has(namespace)) {
          found.push(at(`namespaceMapping.${namespace}`, { code: 'PLAN006', message: `maps namespace "${namespace}", which none of its policies (${plan.from.join(', ')}) backs up`, hint: `map one of: ${[...covered].join(', ') || '(none)'}` }));
        }
      }
      const targets = new Map<string, string>();
      for (const [source, targetNamespace] of Object.entries(plan.namespaceMapping)) {
        const first = targets.get(targetNamespace);
        if (first) found.push(at(`namespaceMapping.${source}`, { code: 'PLAN007', message: `namespaces "${first}" and "${source}" would both be restored into "${targetNamespace}"`, hint: 'map each source namespace to its own target namespace' }));
        else targets.set(targetNamespace, source);
      }
      if (plan.pointInTime !== 'latest') {
        for (const source of sources) {
          const kept = Object.hasOwn(source.retention, plan.pointInTime) ? (source.retention[plan.pointInTime] ?? 0) : 0;
          if (!(TIERS as readonly string[]).includes(plan.pointInTime) || kept === 0) {
            found.push(at('pointInTime', { code: 'PLAN008', message: `asks for the newest ${plan.pointInTime} restore point, but policy "${source.name}" keeps no ${plan.pointInTime} tier`, hint: `use 'latest', or add ${plan.pointInTime} retention to "${source.name}"` }));
          }
        }
      }
      found.push(...planValues(plan, at));
      if (plan.drill) {
        for (const source of sources.filter((s) => s.namespaces.length === 0)) {
          found.push(at('drill', { code: 'PLAN016', message: `cannot isolate a drill of policy "${source.name}": it selects by labels without namespaces, so the drill would restore into live namespaces`, hint: `list the namespaces of "${source.name}", or drop the drill` }));
        }
      }
      if (plan.mode === 'data-only') {
        for (const source of sources.filter((s) => s.volumes === 'filesystem')) {
          found.push(at('mode', { code: 'PLAN009', message: `data-only restores cannot bring back policy "${source.name}": Velero restores file-system backups only into restored pods`, hint: "use mode 'full', or back the policy up with 'snapshot-data-mover'" }));
        }
      }
      if (crossCluster) {
        const sourceClusters = sources.map((s) => clusters.get(s.cluster)).filter((c) => c !== undefined);
        if (!plan.secretsRecovery) {
          found.push(at('secretsRecovery', { code: 'PLAN010', message: `restores into another cluster, whose sealed-secrets controller cannot open the source's SealedSecrets`, hint: "declare secretsRecovery: 'secrets-from-backup' (the Secrets come back with the backup) or 'sealing-key-restored-first' (the source's sealing key is installed on the target before syncing)" }));
        } else if (plan.secretsRecovery === 'sealing-key-restored-first') {
          for (const cluster of sourceClusters.filter((c) => !c.sealingKeyRecovery)) {
            found.push(at('secretsRecovery', { code: 'PLAN010', message: `relies on restoring the sealing key of cluster "${cluster.name}", which declares no sealingKeyRecovery`, hint: `declare how "${cluster.name}"'s sealing key is recovered, or use 'secrets-from-backup'` }));
          }
        } else {
          for (const source of sources.filter((s) => s.excludedResources.includes('secrets') || (s.includedResources.length > 0 && !s.includedResources.includes('secrets')))) {
            found.push(at('secretsRecovery', { code: 'PLAN010', message: `relies on Secrets from the backup, but policy "${source.name}" does not back Secrets up`, hint: `include secrets in "${source.name}", or restore the sealing key first` }));
          }
        }
      }
      const estimate = estimatedRestoreSeconds(plan, sources);
      if (estimate !== undefined && Number.isFinite(plan.rto.seconds) && estimate > plan.rto.seconds) {
        found.push(at('rto', rtoBelowEstimate(plan, sources, estimate, `${formatQuantity(plan.dataSizeBytes ?? 0)} of data`)));
      }
      if (target && !target.images.kubectl) {
        found.push(at('to', { code: 'IMG001', message: `the restore runner and drills run a kubectl job, but cluster "${target.name}" declares no images.kubectl`, hint: `declare images: { kubectl: '<image with kubectl and /bin/sh>' } on cluster "${target.name}"` }));
      }
    }
    found.push(...mappingConflicts(model, (plan) => plan.storageClassMapping, 'PLAN012', 'storage class'));
    found.push(
      ...mappingConflicts(
        model,
        (plan) => Object.fromEntries(plan.transforms.flatMap((t) => (t.type === 'rewrite-image-registry' ? [[t.from, t.to]] : []))),
        'PLAN012',
        'image registry',
      ),
    );
    found.push(...drillGuardrails(model));
    return found;
  },
};

/** `resource` or `resource.group`, lower case, as Velero resolves resource names (never a wildcard). */
const RESOURCE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * PLAN017: values that become Kubernetes names, label values or lines of the runner's data files
 * are well formed: target namespaces, step names, check namespaces and HTTP services are RFC 1123
 * labels, resources a drill leaves out are resource names, and no check argument, query or path
 * holds a line break (the runner reads its data one line at a time).
 */
function planValues(plan: RestorePlanModel, at: (path: string, d: Pick<Diagnostic, 'code' | 'message' | 'hint'>) => Diagnostic): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const [source, target] of Object.entries(plan.declaredNamespaceMapping)) {
    const error = dnsLabelError(target);
    if (error) found.push(at(`namespaceMapping.${source}`, { code: 'PLAN017', message: `target namespace: ${error}`, hint: 'map to a valid namespace name' }));
  }
  plan.steps.forEach((step) => {
    const error = dnsLabelError(step.name);
    if (error) found.push(at(`${step.path}.name`, { code: 'PLAN017', message: `step name: ${error}`, hint: 'step names become label values and file names' }));
  });
  (plan.drill?.exclude ?? []).forEach((resource, index) => {
    if (!RESOURCE_NAME.test(resource)) {
      found.push(
        at(`drill.exclude[${index}]`, {
          code: 'PLAN017',
          message: `${JSON.stringify(resource)} is not a resource name as Velero reads it`,
          hint: "write the plural resource and its API group in lower case, e.g. 'kafkatopics.kafka.strimzi.io' (the core group bare: 'configmaps')",
        }),
      );
    }
  });
  const checks = [...plan.checks, ...(plan.drill?.checks ?? [])];
  checks.forEach((check, index) => {
    // A namespace of the plan's policies is checked where the policy declares it (NAME001).
    if (check.namespace !== '' && !Object.hasOwn(plan.namespaceMapping, check.namespace)) {
      const error = dnsLabelError(check.namespace);
      if (error) found.push(at(`checks[${index}].namespace`, { code: 'PLAN017', message: `check "${check.name.split(/[\r\n]/)[0]}" namespace: ${error}`, hint: 'name a namespace the plan restores, as in its metadata.name' }));
    }
    const lines = check.type === 'exec' ? [check.name, check.container ?? '', ...check.argv, ...Object.entries(check.selector).flat()] : [check.name, check.service, check.path];
    if (lines.some((value) => /[\r\n]/.test(value))) {
      found.push(at(`checks[${index}]`, { code: 'PLAN017', message: `check "${check.name.split(/[\r\n]/)[0]}" holds a line break`, hint: 'write queries and arguments on one line' }));
    }
    if (check.type === 'http') {
      const error = dnsLabelError(check.service);
      if (error) found.push(at(`checks[${index}].service`, { code: 'PLAN017', message: `service: ${error}`, hint: 'name the Service as in its metadata.name' }));
      if (!check.path.startsWith('/') || /\s/.test(check.path)) {
        found.push(at(`checks[${index}].path`, { code: 'PLAN017', message: `path ${JSON.stringify(check.path)} must start with / and hold no white space`, hint: "e.g. '/readyz'" }));
      }
    }
  });
  return found;
}

/** GRD007: every policy in an environment whose guardrails ask for drills is drilled at least that often. */
function drillGuardrails(model: Model): Diagnostic[] {
  const found: Diagnostic[] = [];
  const environments = new Map(model.clusters.map((c) => [c.name, c.environment]));
  const guardrails = new Map(model.guardrails.map((g) => [g.environment, g]));
  for (const policy of model.policies) {
    const required = guardrails.get(environments.get(policy.cluster) ?? '')?.drillEvery;
    if (!required) continue;
    const drills = model.restorePlans.filter((plan) => plan.from.includes(policy.name) && plan.drill);
    if (drills.some((plan) => FREQUENCY_DAYS[plan.drill!.every] <= FREQUENCY_DAYS[required])) continue;
    found.push({
      code: 'GRD007',
      severity: 'error',
      message: `no restore plan drills policy "${policy.name}" at least every ${required}${drills.length > 0 ? ` (drilled every ${drills.map((p) => p.drill!.every).join(', ')})` : ''}`,
      hint: `add drill: { every: '${required}' } to a restore plan of "${policy.name}"`,
      declaration: policy.name,
      path: 'restorePlans',
      source: policy.source,
    });
  }
  return found;
}
