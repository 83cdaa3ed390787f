/** The cluster DNS a drill namespace may send queries to: the only traffic it lets out. */
import type { Cluster } from '../dsl/cluster.ts';
import { dnsLabelError } from '../rules/k8s-names.ts';
import type { Diagnostic } from './diagnostic.ts';
import { at, describe, isRecord } from './resolve/fields.ts';
import type { ClusterModel } from './types.ts';

/** CoreDNS and kube-dns as kubeadm, EKS, GKE and AKS deploy them: `k8s-app: kube-dns` in kube-system. */
export const DEFAULT_CLUSTER_DNS: ClusterModel['dns'] = { namespace: 'kube-system', selector: { 'k8s-app': 'kube-dns' }, addresses: [] };

const IPV4_CIDR = /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)\/(3[0-2]|[12]?\d)$/;
const IPV6_CIDR = /^[0-9a-fA-F:]+:[0-9a-fA-F:]*\/(12[0-8]|1[01]\d|\d?\d)$/;
/** A label key (optional DNS-subdomain prefix, then a name) and a label value, as Kubernetes validates them. */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/**
 * The cluster's `dns` with defaults applied; TYPE001 names a namespace, selector or address that
 * no NetworkPolicy can hold (the drill would then be cut off from DNS, or let out to anything).
 */
export function resolveClusterDns(cluster: Cluster, diagnostics: Diagnostic[]): ClusterModel['dns'] {
  const declared = cluster.props.dns;
  if (declared === undefined) return DEFAULT_CLUSTER_DNS;
  if (!isRecord(declared)) {
    diagnostics.push(at(cluster, 'dns', { code: 'TYPE001', message: `expected { namespace, selector, addresses }, got ${describe(declared)}`, hint: "e.g. dns: { namespace: 'kube-system', selector: { 'k8s-app': 'kube-dns' } }" }));
    return DEFAULT_CLUSTER_DNS;
  }
  const namespace = declared.namespace ?? DEFAULT_CLUSTER_DNS.namespace;
  const namespaceError = dnsLabelError(namespace);
  if (namespaceError) diagnostics.push(at(cluster, 'dns.namespace', { code: 'TYPE001', message: `DNS namespace: ${namespaceError}`, hint: 'name the namespace the cluster DNS pods run in' }));
  const selector: Record<string, string> = {};
  const declaredSelector = declared.selector ?? DEFAULT_CLUSTER_DNS.selector;
  if (!isRecord(declaredSelector) || Object.keys(declaredSelector).length === 0) {
    diagnostics.push(at(cluster, 'dns.selector', { code: 'TYPE001', message: `expected the labels of the cluster DNS pods, got ${describe(declaredSelector)}`, hint: "e.g. selector: { 'k8s-app': 'kube-dns' }" }));
  } else {
    for (const [key, value] of Object.entries(declaredSelector)) {
      if (LABEL_KEY.test(key) && typeof value === 'string' && LABEL_VALUE.test(value)) selector[key] = value;
      else diagnostics.push(at(cluster, `dns.selector.${key}`, { code: 'TYPE001', message: `${JSON.stringify(key)}: ${JSON.stringify(value)} is not a label a pod can carry`, hint: 'write the DNS pods\' labels as they are, e.g. { \'k8s-app\': \'kube-dns\' }' }));
    }
  }
  const addresses = (Array.isArray(declared.addresses) ? declared.addresses : declared.addresses === undefined ? [] : [declared.addresses]).filter((address, index) => {
    if (typeof address === 'string' && (IPV4_CIDR.test(address) || IPV6_CIDR.test(address))) return true;
    diagnostics.push(at(cluster, `dns.addresses[${index}]`, { code: 'TYPE001', message: `expected an address range such as '169.254.20.10/32', got ${describe(address)}`, hint: 'write the node-local DNS cache address with its prefix length' }));
    return false;
  });
  return { namespace: typeof namespace === 'string' ? namespace : DEFAULT_CLUSTER_DNS.namespace, selector, addresses: [...new Set(addresses as string[])].sort() };
}
