/**
 * Resolves a cluster's `monitoring` declaration: whether alerts and PodMonitors are emitted, and the
 * namespace and labels the cluster's prometheus-operator selects them by.
 */
import type { Cluster } from '../dsl/cluster.ts';
import type { Diagnostic } from './diagnostic.ts';
import type { ClusterModel } from './types.ts';

/** A label key as Kubernetes accepts it: an optional DNS-subdomain prefix and a name of at most 63. */
const LABEL_KEY = /^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** A label value: empty, or at most 63 alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric. */
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
/** A namespace name (DNS label). */
const NAMESPACE = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** The resolved monitoring fields of a cluster. */
export type MonitoringModel = Pick<ClusterModel, 'monitoring' | 'monitoringTarget'>;

/**
 * Resolves `cluster.props.monitoring`. Bad input (an unknown operator, labels that are not a map of
 * valid label keys and values, a namespace that is not a DNS label) is reported as MON001 and
 * resolves to no monitoring, so nothing half-selected is emitted.
 */
export function resolveMonitoring(cluster: Cluster, veleroNamespace: string, diagnostics: Diagnostic[]): MonitoringModel {
  const declared: unknown = cluster.props.monitoring;
  const none: MonitoringModel = { monitoring: 'none', monitoringTarget: { namespace: veleroNamespace, labels: {} } };
  const report = (path: string, message: string, hint: string): MonitoringModel => {
    diagnostics.push({ code: 'MON001', severity: 'error', declaration: cluster.name, path, source: cluster.source, message, hint });
    return none;
  };
  if (declared === undefined || declared === 'none') return none;
  if (declared === 'prometheus-operator') return { monitoring: 'prometheus-operator', monitoringTarget: none.monitoringTarget };
  if (typeof declared !== 'object' || declared === null || Array.isArray(declared)) {
    return report('monitoring', `expected 'none', 'prometheus-operator' or { operator: 'prometheus-operator', labels, namespace }, got ${JSON.stringify(declared)}`, "declare monitoring: { operator: 'prometheus-operator', labels: { release: '<your kube-prometheus-stack release>' } }");
  }
  const { operator, labels, namespace } = declared as Record<string, unknown>;
  if (operator !== 'prometheus-operator') {
    return report('monitoring.operator', `expected 'prometheus-operator', got ${JSON.stringify(operator)}`, 'the prometheus-operator is the only monitoring restorable emits for');
  }
  if (namespace !== undefined && (typeof namespace !== 'string' || !NAMESPACE.test(namespace))) {
    return report('monitoring.namespace', `expected a namespace name (lower-case letters, digits and '-', at most 63), got ${JSON.stringify(namespace)}`, "the namespace the operator's ruleNamespaceSelector selects, e.g. 'monitoring'");
  }
  const selected: Record<string, string> = {};
  if (labels !== undefined) {
    if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
      return report('monitoring.labels', `expected a map of label keys to values, got ${JSON.stringify(labels)}`, "the labels the operator's ruleSelector matches, e.g. { release: 'kube-prometheus-stack' }");
    }
    for (const [key, value] of Object.entries(labels as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!LABEL_KEY.test(key) || typeof value !== 'string' || !LABEL_VALUE.test(value)) {
        return report(`monitoring.labels.${key}`, `expected a Kubernetes label (a key of at most 63 characters with an optional DNS prefix, a value of at most 63 letters, digits, '-', '_' or '.'), got ${JSON.stringify(key)}: ${JSON.stringify(value)}`, 'copy the key and value from the operator\'s ruleSelector.matchLabels');
      }
      selected[key] = value;
    }
  }
  return { monitoring: 'prometheus-operator', monitoringTarget: { namespace: typeof namespace === 'string' ? namespace : veleroNamespace, labels: selected } };
}
