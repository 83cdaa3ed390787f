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
        source: { file: loaded.file, line: loaded.lines[namespace] ?? 1, column: 1 },
      });
    }
  }

  for (const exemption of model.exemptions) {
    const finding = checkExemption(exemption, model, checked, now);
    if (finding) found.push(finding);
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
      .map((i) => ({ cluster: i.inventory.cluster, held: i.inventory.namespaces[exemption.namespace] }))
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
    const held = loaded.inventory.namespaces[exemption.namespace];
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
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const expression of selector.matchExpressions ?? []) {
    const value = labels[expression.key];
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
