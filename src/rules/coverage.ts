/**
 * COV001-COV004: every namespace holding data is backed up or deliberately exempted.
 *
 * The compiler cannot see the clusters, so it compares the policies with the inventories imported
 * into `policies/inventory/` (`restorable inventory import`). A namespace holds data when it has
 * PersistentVolumeClaims. A policy covers it when the policy is on the same cluster, names the
 * namespace (or names none and has a selector that matches the namespace's labels: teams label a
 * namespace like its workloads, and the inventory keeps no workload labels), and backs up volume
 * data: a policy with `volumes: 'none'`, or whose resource filters leave out
 * PersistentVolumeClaims, keeps the objects and loses the data.
 */
import type { LabelSelector } from '../dsl/policy.ts';
import { ownEntry } from '../inventory/names.ts';
import { formatBytes } from '../inventory/quantity.ts';
import type { LoadedInventory, NamespaceInventory } from '../inventory/types.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { ExemptionModel, Model, PolicyModel } from '../model/types.ts';

/** How a policy relates to one namespace of an inventory. */
type Reach = 'data' | 'objects-only' | 'none' | 'unknown-labels';

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

  for (const loaded of checked) {
    const cluster = loaded.inventory.cluster;
    const policies = model.policies.filter((p) => p.cluster === cluster);
    for (const [namespace, held] of Object.entries(loaded.inventory.namespaces).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (held.persistentVolumeClaims === 0) continue;
      const reaches = policies.map((policy) => ({ policy, reach: reachOf(policy, namespace, held) }));
      if (reaches.some((r) => r.reach === 'data')) continue;
      if (exemptionFor(model.exemptions, namespace, cluster)) continue;
      found.push({
        code: 'COV001',
        severity: 'error',
        message: `namespace ${namespace} on cluster ${cluster} holds ${describeData(held)} that ${whyUncovered(reaches)}`,
        hint: `add it to a policy (namespaces: ['${namespace}']) or exempt('${namespace}', { cluster: '${cluster}', reason: '...', until: 'YYYY-MM-DD' })`,
        declaration: cluster,
        source: { file: loaded.file, line: ownEntry(loaded.lines, namespace) ?? 1, column: 1 },
      });
    }
  }

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
        `coverage of cluster ${c.name} not checked: no inventory ${inventoryFolder}/${c.name}.json (import one: kubectl --context ${c.name} get namespaces,persistentvolumeclaims,statefulsets -A -o json | npx restorable inventory import --cluster ${c.name} -)`,
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
    const covering = model.policies.filter((p) => p.cluster === cluster && reachOf(p, exemption.namespace, held) === 'data');
    if (covering.length === 0) return undefined;
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

const CLAIM_RESOURCES = new Set(['persistentvolumeclaims', 'persistentvolumeclaim', 'pvc']);
const isClaims = (resource: string): boolean => CLAIM_RESOURCES.has(resource.toLowerCase().replace(/\.$/, ''));

function reachOf(policy: PolicyModel, namespace: string, held: NamespaceInventory): Reach {
  let selected: boolean;
  if (policy.namespaces.length > 0) selected = policy.namespaces.includes(namespace);
  else if (!policy.selector) selected = false;
  else if (held.labels === undefined) return 'unknown-labels';
  else selected = selectorMatches(policy.selector, held.labels);
  if (!selected) return 'none';
  const included = policy.includedResources.length === 0 || policy.includedResources.some((r) => r === '*' || isClaims(r));
  const excluded = policy.excludedResources.some((r) => r === '*' || isClaims(r));
  return policy.volumes === 'none' || !included || excluded ? 'objects-only' : 'data';
}

/** Kubernetes label selector semantics: every matchLabels pair and every expression must hold. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (ownEntry(labels, key) !== value) return false;
  for (const expression of selector.matchExpressions ?? []) {
    const value = ownEntry(labels, expression.key);
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
    }
  }
  return true;
}

function describeData(held: NamespaceInventory): string {
  const claims = `${held.persistentVolumeClaims} PersistentVolumeClaim${held.persistentVolumeClaims === 1 ? '' : 's'}`;
  const details = [`${formatBytes(held.requestedBytes)} requested`];
  if (held.storageClasses.length > 0) details.push(`storage class ${held.storageClasses.join(', ')}`);
  if (held.statefulSets.length > 0) details.push(`StatefulSet ${held.statefulSets.join(', ')}`);
  return `${claims} (${details.join('; ')})`;
}

function whyUncovered(reaches: readonly { policy: PolicyModel; reach: Reach }[]): string {
  const objectsOnly = reaches.filter((r) => r.reach === 'objects-only').map((r) => r.policy);
  if (objectsOnly.length > 0) {
    const how = objectsOnly.map((p) => `${p.name} (${p.volumes === 'none' ? "volumes: 'none'" : 'its resource filters leave out persistentvolumeclaims'})`);
    return `no policy backs up: ${how.join(', ')} keep${objectsOnly.length === 1 ? 's' : ''} only its Kubernetes objects`;
  }
  const unknown = reaches.filter((r) => r.reach === 'unknown-labels').map((r) => r.policy.name);
  if (unknown.length > 0) {
    return `no policy backs up (the inventory has no labels for the namespace, so the selectors of ${unknown.join(', ')} cannot be matched: import the namespaces too)`;
  }
  return 'no policy backs up';
}
