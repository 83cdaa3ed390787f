/**
 * COV001-COV013: every claim holding data is backed up as Velero would back it up, or its namespace
 * is deliberately exempted.
 *
 * The compiler cannot see the clusters, so it compares the policies with the inventories imported
 * into `policies/inventory/` (`restorable inventory import`). A claim's data is covered when a
 * policy of its cluster captures it (src/rules/capture.ts: namespace, selector on the objects'
 * own labels or a selected pod mounting the claim, resource filters, volume policies, snapshot
 * classes). Findings about uncovered data are ranked by size, largest first.
 */
import { formatBytes } from '../inventory/quantity.ts';
import type { LoadedInventory, NamespaceInventory } from '../inventory/types.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { ExemptionModel, Model, PolicyModel } from '../model/types.ts';
import { type Capture, captureOf, captureRank, NATIVE_SNAPSHOT_PROVISIONERS } from './capture.ts';
import { ownEntry } from '../inventory/names.ts';

export { selectorMatches } from './capture.ts';

/**
 * The coverage findings for `model` against the imported inventories, at the run's clock `now`.
 *
 * - COV001 (error): a namespace with PersistentVolumeClaims that no policy of its cluster backs up
 *   and no exemption covers.
 * - COV002 (error): an exemption that has expired (or has no valid `until` date).
 * - COV003 (warning): an exemption for a namespace that holds no data or is covered anyway, on
 *   every inventoried cluster it applies to.
 * - COV004 (warning): an inventory of a cluster the policies do not declare.
 * - COV005 (warning): a policy names a namespace its cluster's inventory does not contain.
 * - COV006-COV008 (errors): an exemption for an undeclared cluster, with an empty reason, or
 *   lapsing more than a year after `now`.
 */
export function checkCoverage(model: Model, inventories: readonly LoadedInventory[], now: Date): Diagnostic[] {
  const found: Diagnostic[] = [];
  const clusters = new Set(model.clusters.map((c) => c.name));
  const checked = inventories.filter((loaded) => {
    if (clusters.has(loaded.inventory.cluster)) return true;
    found.push({
      code: 'COV004',
      severity: 'warning',
      message: `inventory ${loaded.file} is for cluster "${loaded.inventory.cluster}", which no policy file declares; its namespaces are not checked`,
      hint: `declare the cluster, or import the inventory under the declared name (${[...clusters].sort().join(', ') || 'no cluster is declared'})`,
      declaration: loaded.inventory.cluster,
      source: { file: loaded.file, line: 1, column: 1 },
    });
    return false;
  });

  const uncovered: { bytes: number; key: string; diagnostic: Diagnostic }[] = [];
  for (const loaded of checked) {
    for (const group of uncoveredData(model, loaded)) {
      if (exemptionFor(model.exemptions, group.namespace, loaded.inventory.cluster)) continue;
      uncovered.push({ bytes: group.bytes, key: `${loaded.inventory.cluster}/${group.namespace}/${group.code}`, diagnostic: uncoveredDiagnostic(group, loaded) });
    }
  }
  // Largest first: a reviewer acts on the finding that loses the most data.
  uncovered.sort((a, b) => b.bytes - a.bytes || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  found.push(...uncovered.map((u) => u.diagnostic));

  for (const loaded of checked) found.push(...missingNamespaces(model, loaded));
  for (const exemption of model.exemptions) {
    const invalid = invalidExemption(exemption, clusters, now);
    if (invalid.length > 0) {
      found.push(...invalid);
      continue;
    }
    const finding = checkExemption(exemption, model, checked, now);
    if (finding) found.push(finding);
  }
  return found;
}

/**
 * What validate says about clusters it could not check: one line per declared cluster without an
 * inventory, so a clean report is never mistaken for checked coverage.
 */
export function coverageNotes(model: Model, inventories: readonly LoadedInventory[], inventoryFolder: string): string[] {
  const inventoried = new Set(inventories.map((i) => i.inventory.cluster));
  return model.clusters
    .filter((c) => !inventoried.has(c.name))
    .map(
      (c) =>
        `coverage of cluster ${c.name} not checked: no inventory ${inventoryFolder}/${c.name}.json (import one: kubectl --context ${c.name} get namespaces,persistentvolumeclaims,statefulsets,pods,storageclasses -A -o json | npx restorable inventory import --cluster ${c.name} -)`,
    );
}

/**
 * COV005 (warning): a policy names a namespace its cluster's inventory does not contain. Nothing
 * there is backed up, which is what happens when policies written for one cluster are pointed at a
 * cluster whose namespaces are called differently.
 */
function missingNamespaces(model: Model, loaded: LoadedInventory): Diagnostic[] {
  const cluster = loaded.inventory.cluster;
  const known = Object.keys(loaded.inventory.namespaces);
  const found: Diagnostic[] = [];
  for (const policy of model.policies.filter((p) => p.cluster === cluster)) {
    policy.namespaces.forEach((namespace, index) => {
      if (ownEntry(loaded.inventory.namespaces, namespace) !== undefined) return;
      const closest = closestName(namespace, known);
      found.push({
        code: 'COV005',
        severity: 'warning',
        message: `namespace ${namespace} is not in the inventory of cluster ${cluster} (${loaded.file}): the policy backs up nothing there`,
        hint: `${closest ? `did you mean '${closest}'? ` : ''}name a namespace that exists on ${cluster}, or re-import the inventory if the namespace was created since`,
        declaration: policy.name,
        path: `namespaces[${index}]`,
        ...(policy.source ? { source: policy.source } : {}),
      });
    });
  }
  return found;
}

/** The known name within a third of the name's length in edits (Levenshtein), the nearest first. */
function closestName(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of [...known].sort()) {
    const distance = editDistance(name, candidate);
    if (distance <= Math.max(1, Math.floor(name.length / 3)) && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * COV006-COV008 (errors): an exemption that names a cluster no file declares (it exempts nothing,
 * and silently so), has an empty reason, or runs more than a year from the run's clock.
 */
function invalidExemption(exemption: ExemptionModel, clusters: ReadonlySet<string>, now: Date): Diagnostic[] {
  const at = { declaration: exemption.namespace, ...(exemption.source ? { source: exemption.source } : {}) };
  const found: Diagnostic[] = [];
  if (exemption.cluster !== undefined && !clusters.has(exemption.cluster)) {
    found.push({
      ...at,
      code: 'COV006',
      severity: 'error',
      path: 'cluster',
      message: `the exemption of namespace ${exemption.namespace} names cluster "${exemption.cluster}", which no policy file declares, so it exempts nothing`,
      hint: `name a declared cluster (${[...clusters].sort().join(', ') || 'none is declared'}), or leave cluster out to exempt the namespace on every cluster`,
    });
  }
  if (typeof exemption.reason !== 'string' || exemption.reason.trim() === '') {
    found.push({
      ...at,
      code: 'COV007',
      severity: 'error',
      path: 'reason',
      message: `the exemption of namespace ${exemption.namespace} has an empty reason`,
      hint: "say why the data needs no backup, e.g. reason: 'build cache, rebuilt on demand'",
    });
  }
  const lapses = lapseTime(exemption.until);
  const limit = Date.UTC(now.getUTCFullYear() + 1, now.getUTCMonth(), now.getUTCDate()) + 86_400_000;
  if (lapses !== undefined && lapses > limit) {
    const latest = new Date(limit - 86_400_000).toISOString().slice(0, 10);
    found.push({
      ...at,
      code: 'COV008',
      severity: 'error',
      path: 'until',
      message: `the exemption of namespace ${exemption.namespace} runs until ${exemption.until}, more than a year ahead (an exemption is a decision to revisit, not a permanent opt-out)`,
      hint: `set until to ${latest} or earlier, and renew it then if the reason still holds`,
    });
  }
  return found;
}

function checkExemption(exemption: ExemptionModel, model: Model, inventories: readonly LoadedInventory[], now: Date): Diagnostic | undefined {
  const at = {
    declaration: exemption.namespace,
    source: exemption.source,
  };
  const scope = exemption.cluster ? ` on cluster ${exemption.cluster}` : '';
  const lapses = lapseTime(exemption.until);
  if (lapses === undefined) {
    return {
      ...at,
      code: 'COV002',
      severity: 'error',
      path: 'until',
      message: `the exemption of namespace ${exemption.namespace}${scope} has no valid end date: until ${JSON.stringify(exemption.until)} is not YYYY-MM-DD or an ISO time with a zone`,
      hint: "give it a date, e.g. until: '2027-03-31'",
    };
  }
  const applies = inventories.filter((i) => exemption.cluster === undefined || i.inventory.cluster === exemption.cluster);
  if (now.getTime() >= lapses) {
    const data = applies
      .map((i) => ({ cluster: i.inventory.cluster, held: ownEntry(i.inventory.namespaces, exemption.namespace) }))
      .filter((d): d is { cluster: string; held: NamespaceInventory } => d.held !== undefined && d.held.persistentVolumeClaims > 0)
      .map((d) => `${describeData(d.held)} on ${d.cluster}`);
    return {
      ...at,
      code: 'COV002',
      severity: 'error',
      path: 'until',
      message: `the exemption of namespace ${exemption.namespace}${scope} expired on ${exemption.until}${data.length > 0 ? `; the namespace holds ${data.join(' and ')}` : ''}`,
      hint: 'back the namespace up with a policy, or renew the exemption with a new until date and a reason that still holds',
    };
  }
  if (applies.length === 0) return undefined;
  const reasons: string[] = [];
  for (const loaded of applies) {
    const held = ownEntry(loaded.inventory.namespaces, exemption.namespace);
    const cluster = loaded.inventory.cluster;
    if (held === undefined || held.persistentVolumeClaims === 0) {
      reasons.push(`on ${cluster} it holds no PersistentVolumeClaims`);
      continue;
    }
    const covering = model.policies.filter(
      (p) => p.cluster === cluster && Object.keys(held.claims).some((claim) => captureOf(p, clusterOf(model, cluster), loaded.inventory, exemption.namespace, claim, snapshotProviderOf(model, p)).kind === 'captured'),
    );
    if (covering.length === 0 || uncoveredData(model, loaded).some((g) => g.namespace === exemption.namespace)) return undefined;
    reasons.push(`on ${cluster} policy ${covering.map((p) => p.name).join(', ')} backs it up`);
  }
  return {
    ...at,
    code: 'COV003',
    severity: 'warning',
    message: `the exemption of namespace ${exemption.namespace}${scope} is not needed: ${reasons.join('; ')}`,
    hint: 'remove the exemption, so a namespace that gains data later is reported',
  };
}

/** The exemption that applies to a namespace of a cluster: one naming the cluster first, then one for every cluster. */
function exemptionFor(exemptions: readonly ExemptionModel[], namespace: string, cluster: string): ExemptionModel | undefined {
  return (
    exemptions.find((e) => e.namespace === namespace && e.cluster === cluster) ??
    exemptions.find((e) => e.namespace === namespace && e.cluster === undefined)
  );
}

/**
 * When an exemption lapses, in ms since the epoch: the end of the day (UTC) of a `YYYY-MM-DD`
 * date, or the exact instant of a time with a zone; undefined when `until` is neither.
 */
export function lapseTime(until: string): number | undefined {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(until);
  if (day) {
    const [, y = '', m = '', d = ''] = day;
    const start = Date.UTC(Number(y), Number(m) - 1, Number(d));
    // Date.UTC rolls 2027-02-30 over into March: such a date is not a date.
    if (new Date(start).toISOString().slice(0, 10) !== until) return undefined;
    return start + 86_400_000;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(until)) return undefined;
  const time = Date.parse(until);
  return Number.isNaN(time) ? undefined : time;
}

function describeData(held: NamespaceInventory): string {
  const claims = `${held.persistentVolumeClaims} PersistentVolumeClaim${held.persistentVolumeClaims === 1 ? '' : 's'}`;
  const details = [`${formatBytes(held.requestedBytes)} requested`];
  if (held.storageClasses.length > 0) details.push(`storage class ${held.storageClasses.join(', ')}`);
  if (held.statefulSets.length > 0) details.push(`StatefulSet ${held.statefulSets.join(', ')}`);
  return `${claims} (${details.join('; ')})`;
}

/** One reason some of a namespace's claims are not backed up, with the claims it concerns. */
export interface UncoveredData {
  readonly namespace: string;
  readonly code: 'COV001' | 'COV009' | 'COV010' | 'COV011' | 'COV012' | 'COV013';
  /** Claim names, sorted. */
  readonly claims: readonly string[];
  readonly bytes: number;
  /** The policy that came closest, and what it does with the claims; none when no policy includes the namespace. */
  readonly policy?: PolicyModel;
  readonly capture: Capture;
  /** Every policy that includes the namespace but keeps only objects (for COV001's message). */
  readonly objectsOnly: readonly PolicyModel[];
  readonly held: NamespaceInventory;
}

const CODE_OF: Readonly<Record<Capture['kind'], UncoveredData['code']>> = {
  captured: 'COV001',
  namespace: 'COV001',
  'objects-only': 'COV001',
  'not-selected': 'COV009',
  'volume-policy-skip': 'COV010',
  'no-snapshot-class': 'COV011',
  'fs-not-mounted': 'COV012',
  'no-native-snapshot': 'COV013',
};

const clusterOf = (model: Model, name: string) => model.clusters.find((c) => c.name === name);

/** The provider of a policy's storage: its plugin takes the policy's native snapshots. */
const snapshotProviderOf = (model: Model, policy: PolicyModel) => model.storages.find((s) => s.name === policy.storage)?.provider;

/**
 * The claims of an inventory that no policy of its cluster captures, grouped by namespace and by
 * the reason of the policy that came closest. Exemptions are not applied here.
 */
export function uncoveredData(model: Model, loaded: LoadedInventory): UncoveredData[] {
  const cluster = loaded.inventory.cluster;
  const declared = clusterOf(model, cluster);
  const policies = model.policies.filter((p) => p.cluster === cluster);
  const groups: UncoveredData[] = [];
  for (const [namespace, held] of Object.entries(loaded.inventory.namespaces).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const byReason = new Map<string, { claims: string[]; bytes: number; policy?: PolicyModel; capture: Capture; objectsOnly: PolicyModel[] }>();
    for (const [claim, facts] of Object.entries(held.claims).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const captures = policies.map((policy) => ({ policy, capture: captureOf(policy, declared, loaded.inventory, namespace, claim, snapshotProviderOf(model, policy)) }));
      if (captures.some((c) => c.capture.kind === 'captured')) continue;
      const closest = [...captures].sort((a, b) => captureRank(a.capture) - captureRank(b.capture))[0];
      const capture: Capture = closest?.capture ?? { kind: 'namespace' };
      const policy = capture.kind === 'namespace' ? undefined : closest?.policy;
      const code = CODE_OF[capture.kind];
      const key = `${code}/${policy?.name ?? ''}/${capture.kind === 'volume-policy-skip' ? capture.index : ''}`;
      const group = byReason.get(key) ?? { claims: [], bytes: 0, policy, capture, objectsOnly: captures.filter((c) => c.capture.kind === 'objects-only').map((c) => c.policy) };
      group.claims.push(claim);
      group.bytes += facts.requestedBytes;
      byReason.set(key, group);
    }
    for (const [key, group] of [...byReason.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      groups.push({ namespace, code: key.slice(0, 6) as UncoveredData['code'], held, ...group });
    }
  }
  return groups;
}

/** `2 PersistentVolumeClaims (data-0, data-1; 20 GiB requested; storage class gp3; StatefulSet db)`. */
function describeClaims(group: UncoveredData): string {
  const all = group.claims.length === group.held.persistentVolumeClaims;
  const count = `${group.claims.length}${all ? '' : ` of its ${group.held.persistentVolumeClaims}`} PersistentVolumeClaim${(all ? group.claims.length : group.held.persistentVolumeClaims) === 1 ? '' : 's'}`;
  const classes = [...new Set(group.claims.map((c) => ownEntry(group.held.claims, c)?.storageClass ?? ''))].sort();
  const details = [...(all ? [] : [group.claims.join(', ')]), `${formatBytes(group.bytes)} requested`];
  if (classes.length > 0) details.push(`storage class ${classes.join(', ')}`);
  if (all && group.held.statefulSets.length > 0) details.push(`StatefulSet ${group.held.statefulSets.join(', ')}`);
  return `${count} (${details.join('; ')})`;
}

const selectorText = (policy: PolicyModel): string => JSON.stringify(policy.selector ?? {});

/** The diagnostic of one group of uncovered claims: what is lost, why, and the fix. */
function uncoveredDiagnostic(group: UncoveredData, loaded: LoadedInventory): Diagnostic {
  const cluster = loaded.inventory.cluster;
  const { namespace, policy, capture } = group;
  const holds = `namespace ${namespace} on cluster ${cluster} holds ${describeClaims(group)}`;
  const atInventory = { declaration: cluster, source: { file: loaded.file, line: ownEntry(loaded.lines, namespace) ?? 1, column: 1 } };
  const atPolicy = (path: string) => ({ declaration: policy?.name ?? cluster, path, ...(policy?.source ? { source: policy.source } : atInventory.source ? { source: atInventory.source } : {}) });
  const exemptHint = `exempt('${namespace}', { cluster: '${cluster}', reason: '...', until: 'YYYY-MM-DD' })`;
  switch (capture.kind) {
    case 'not-selected':
      return {
        code: 'COV009',
        severity: 'error',
        ...atPolicy('selector'),
        message: `${holds} that policy ${policy?.name} does not back up: its selector ${selectorText(policy as PolicyModel)} matches neither the claims' own labels nor a pod that mounts them${capture.excludedByLabel ? ' (and the claims are labelled velero.io/exclude-from-backup=true)' : ''}, so they are another app's data (${loaded.file})`,
        hint: `widen the selector to the claims' labels or their pods' labels, add a policy for that app, or ${exemptHint}`,
      };
    case 'volume-policy-skip':
      return {
        code: 'COV010',
        severity: 'warning',
        ...atPolicy(`volumePolicies[${capture.index}]`),
        message: `${holds} whose data policy ${policy?.name} skips: volumePolicies[${capture.index}] matches them with action 'skip', so only their objects are backed up (${loaded.file})`,
        hint: "if the data can be rebuilt, nothing to do; otherwise narrow the rule's conditions or change its action to 'snapshot' or 'fs-backup'",
      };
    case 'no-snapshot-class':
      return {
        code: 'COV011',
        severity: 'error',
        ...atPolicy('volumes'),
        message: `${holds} whose data policy ${policy?.name} cannot snapshot: volumes '${policy?.volumes}' needs a VolumeSnapshotClass for provisioner ${capture.provisioner} (storage class ${capture.storageClass}), and cluster ${cluster} declares none, so Velero fails those volumes (${loaded.file})`,
        hint: `declare snapshotClasses: [csi({ driver: '${capture.provisioner}', deletionPolicy: 'Retain' })] on cluster ${cluster}, or back these volumes up with volumes: 'filesystem'`,
      };
    case 'no-native-snapshot':
      return {
        code: 'COV013',
        severity: 'error',
        ...atPolicy('volumes'),
        message: `${holds} whose data policy ${policy?.name} cannot snapshot: volumes 'native-snapshot' takes disk snapshots through Velero's ${capture.provider} plugin (the VolumeSnapshotLocation of storage ${policy?.storage}), which snapshots only ${NATIVE_SNAPSHOT_PROVISIONERS[capture.provider].join(', ')} volumes, not provisioner ${capture.provisioner} (storage class ${capture.storageClass}), so Velero skips those volumes with only a warning in the backup log (${loaded.file})`,
        hint: `use volumes: 'snapshot-data-mover' or 'csi-snapshot' with a VolumeSnapshotClass for ${capture.provisioner}, or add volumePolicies: [{ conditions: { storageClass: ['${capture.storageClass}'] }, action: 'fs-backup' }]`,
      };
    case 'fs-not-mounted':
      return {
        code: 'COV012',
        severity: 'error',
        ...atPolicy('volumes'),
        message: `${holds} whose data policy ${policy?.name} cannot copy: a file-system backup reads a volume through a pod that mounts it, and no pod the policy selects mounts these claims (${loaded.file})`,
        hint: "use volumes: 'csi-snapshot' for claims no running pod mounts, or select the pods that mount them",
      };
    default: {
      const why =
        group.objectsOnly.length > 0
          ? `no policy backs up: ${group.objectsOnly.map((p) => `${p.name} (${p.volumes === 'none' ? "volumes: 'none'" : 'its resource filters leave out persistentvolumeclaims'})`).join(', ')} keep${group.objectsOnly.length === 1 ? 's' : ''} only its Kubernetes objects`
          : 'no policy backs up';
      return {
        code: 'COV001',
        severity: 'error',
        ...atInventory,
        message: `${holds} that ${why}`,
        hint: `add it to a policy (namespaces: ['${namespace}']) or ${exemptHint}`,
      };
    }
  }
}
