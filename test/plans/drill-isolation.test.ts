/**
 * The drill's isolation on each cluster: DNS egress only to the cluster DNS the cluster declares
 * (NetworkPolicies are enforced by the network plugin, which does not run here: what is tested is
 * the policy the drill applies).
 */
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { lower } from '../../src/lower/index.ts';
import { declarationsOf, diagnose, modelOf, type PlanOrgChanges, planOrg, sites, unchecked } from './support.ts';

interface Peer {
  readonly podSelector?: { readonly matchLabels?: Record<string, string> };
  readonly namespaceSelector?: { readonly matchLabels?: Record<string, string> };
  readonly ipBlock?: { readonly cidr: string };
}
interface Policy {
  readonly spec: { readonly egress: { readonly to?: Peer[]; readonly ports?: { readonly protocol: string; readonly port: number }[] }[] };
}

function drillPolicy(changes: PlanOrgChanges = {}): Policy {
  const objects = lower(modelOf(declarationsOf(planOrg(changes)))).map((p) => p.object as { kind: string; metadata: { name: string }; data?: Record<string, string> });
  const drill = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'drill-ledger-dr');
  return yaml.load(drill?.data?.['networkpolicy.yaml'] ?? '') as Policy;
}

/** Whether the policy lets a drill pod send to `peer` on `port` (NetworkPolicy egress semantics, for the peers restorable writes). */
function allows(policy: Policy, target: { namespace: string; labels: Record<string, string>; ip?: string; sameNamespace?: boolean }, port: number): boolean {
  return policy.spec.egress.some((rule) => {
    const portOk = rule.ports === undefined || rule.ports.some((p) => p.port === port);
    const peerOk =
      rule.to === undefined ||
      rule.to.some((peer) => {
        if (peer.ipBlock) return target.ip !== undefined && peer.ipBlock.cidr === `${target.ip}/32`;
        const labelsMatch = Object.entries(peer.podSelector?.matchLabels ?? {}).every(([k, v]) => target.labels[k] === v);
        if (!peer.namespaceSelector) return target.sameNamespace === true && labelsMatch;
        const namespaceMatch = Object.entries(peer.namespaceSelector.matchLabels ?? {}).every(([k, v]) => k === 'kubernetes.io/metadata.name' && v === target.namespace);
        return namespaceMatch && labelsMatch;
      });
    return portOk && peerOk;
  });
}

describe('DNS from a drill namespace', () => {
  const coreDns = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
  const anywhere = { namespace: 'payments', labels: { app: 'ledger-api' }, ip: '203.0.113.53' };

  it('GIVEN a cluster that does not say where its DNS runs WHEN drilled THEN queries may go to CoreDNS in kube-system, and port 53 anywhere else is closed', () => {
    const policy = drillPolicy();
    expect(allows(policy, coreDns, 53)).toBe(true);
    expect(allows(policy, anywhere, 53)).toBe(false);
    expect(allows(policy, { ...coreDns, labels: { app: 'something-else' } }, 53)).toBe(false);
    expect(allows(policy, coreDns, 443)).toBe(false);
    expect(allows(policy, { namespace: 'drill-payments', labels: {}, sameNamespace: true }, 5432)).toBe(true);
  });

  it('GIVEN a cluster whose DNS runs elsewhere and a node-local cache WHEN drilled THEN the policy lets DNS out to exactly those', () => {
    const policy = drillPolicy({ dr: { dns: { namespace: 'dns-system', selector: { 'app.kubernetes.io/name': 'coredns' }, addresses: ['169.254.20.10/32'] } } });
    expect(allows(policy, { namespace: 'dns-system', labels: { 'app.kubernetes.io/name': 'coredns' } }, 53)).toBe(true);
    expect(allows(policy, { namespace: 'node-local', labels: {}, ip: '169.254.20.10' }, 53)).toBe(true);
    expect(allows(policy, coreDns, 53)).toBe(false);
    expect(allows(policy, anywhere, 53)).toBe(false);
  });

  it('GIVEN a DNS setting no NetworkPolicy can hold WHEN checked THEN TYPE001 names each field', () => {
    const o = planOrg({ dr: { dns: unchecked({ namespace: 'Kube System', selector: { 'k8s-app': 'kube dns' }, addresses: ['169.254.20.10', '10.0.0.10/32'] }) } });
    expect(sites(diagnose(declarationsOf(o)), 'TYPE001')).toEqual(['dr.dns.namespace', "dr.dns.selector.k8s-app", 'dr.dns.addresses[0]']);
  });
});

describe('the drill probe pods', () => {
  const model = modelOf(declarationsOf(planOrg()));
  const data = lower(model)
    .map((p) => p.object as { kind: string; metadata: { name: string }; data?: Record<string, string>; rules?: { resources: string[] }[] })
    .filter((o) => o.metadata.name === 'drill-ledger-dr' || o.metadata.name === 'restorable-drill-ledger-dr');
  const config = data.find((o) => o.kind === 'ConfigMap')?.data ?? {};
  type Pod = { metadata: { labels: Record<string, string> }; spec: { automountServiceAccountToken: boolean; serviceAccountName: string; containers: { image: string; command: string[]; terminationMessagePolicy: string }[] } };

  it('GIVEN a drill WHEN lowered THEN its isolation probe asks the API server from inside, with the kubectl image, no token and no kubeconfig', () => {
    const probe = yaml.load(config['probe-isolation.yaml'] ?? '') as Pod;
    expect(probe.spec.automountServiceAccountToken).toBe(false);
    expect(probe.spec.serviceAccountName).toBe('default');
    expect(probe.metadata.labels['restorable.dev/probe']).toBe('restorable-isolation-probe');
    expect(probe.spec.containers).toHaveLength(1);
    expect(probe.spec.containers[0]?.image).toBe('registry.example/kubectl:1.33');
    expect(probe.spec.containers[0]?.terminationMessagePolicy).toBe('FallbackToLogsOnError');
    expect(probe.spec.containers[0]?.command).toEqual(['kubectl', '--kubeconfig=/dev/null', '--request-timeout=10s', '--server=https://kubernetes.default.svc', '--insecure-skip-tls-verify', 'get', '--raw', '/livez']);
  });

  it('GIVEN a drill with an HTTP check WHEN lowered THEN the check is a probe pod that asks the restored Service by its name in the drill namespace, and the drill may not use the service proxy', () => {
    const probe = yaml.load(config['check-03.probe.yaml'] ?? '') as Pod;
    expect(probe.spec.containers[0]?.command).toEqual(['kubectl', '--kubeconfig=/dev/null', '--request-timeout=10s', '--server=http://ledger-api.drill-payments.svc:8080', 'get', '--raw', '/readyz']);
    const clusterRole = data.find((o) => o.kind === 'ClusterRole');
    expect(clusterRole?.rules?.flatMap((r) => r.resources)).not.toContain('services/proxy');
  });
});
