import type { RestorePlanModel } from '../../model/types.ts';
import type { RestoreVariant } from './restore-spec.ts';

interface ModifierRule {
  conditions: {
    groupResource: string;
    resourceNameRegex?: string;
    namespaces?: string[];
    labelSelector?: { matchExpressions: { key: string; operator: 'NotIn'; values: string[] }[] };
    /** JSON-patch `test`s on the object as backed up; a failing or missing path means no match (never an error). */
    matches?: { path: string; value: string }[];
  };
  patches?: { operation: string; path: string; value?: string; from?: string }[];
  mergePatches?: { patchData: string }[];
}

const WORKLOADS = ['deployments.apps', 'statefulsets.apps'];

/** Service types a drill turns into ClusterIP: they would allocate load balancers or node ports (taken by the live namespace). */
const EXPOSED_SERVICE_TYPES = ['LoadBalancer', 'NodePort'] as const;

/**
 * What the API server refuses on a ClusterIP Service, set to null by a merge patch (a JSON-patch
 * `remove` of a field that is absent fails the whole Restore): the fields of load balancers and
 * node ports, and external IPs (with them the Service stays externally reachable, and then
 * `externalTrafficPolicy` would be required instead of forbidden).
 */
const CLUSTER_IP_PATCH = {
  metadata: { annotations: { 'service.beta.kubernetes.io/load-balancer-source-ranges': null } },
  spec: {
    type: 'ClusterIP',
    allocateLoadBalancerNodePorts: null,
    loadBalancerClass: null,
    loadBalancerIP: null,
    loadBalancerSourceRanges: null,
    externalTrafficPolicy: null,
    healthCheckNodePort: null,
    externalIPs: null,
  },
};

/**
 * external-dns publishes a Service's `hostname` and `internal-hostname` annotations (with `target`
 * and `ttl` shaping the record), so a drill copy would repoint production's DNS names at itself.
 * The merge patch removes them, and sets the `controller` annotation to a value external-dns does
 * not answer to: it skips a Service whose `controller` is not its own (`dns-controller`), which
 * also covers records it would make from an `--fqdn-template`.
 */
const EXTERNAL_DNS_PATCH = {
  metadata: {
    annotations: {
      'external-dns.alpha.kubernetes.io/controller': 'restorable-drill',
      'external-dns.alpha.kubernetes.io/hostname': null,
      'external-dns.alpha.kubernetes.io/internal-hostname': null,
      'external-dns.alpha.kubernetes.io/target': null,
      'external-dns.alpha.kubernetes.io/ttl': null,
    },
  },
};

/**
 * Node ports of the first this-many ports of each Service are cleared in drills. A merge patch
 * cannot reach into list items, so each port index has rules of its own, matched only where the
 * port exists (every port has a protocol). A drill Service with more ports that sets a node port
 * explicitly beyond them fails its Restore with the API server's reason.
 */
export const DRILL_SERVICE_PORTS = 8;
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

/**
 * A JSON-patch value as Velero reads it: Velero writes `value` into the patch document as it is,
 * unless it is quoted, empty or does not read as a number, boolean, null, object or array. So the
 * value is written as JSON: a string is quoted (and stays a string even when it reads like `true` or
 * `8080`), numbers and booleans are not.
 */
const jsonValue = (value: string | number | boolean): string => JSON.stringify(value);

/**
 * Velero resource-modifier rules for the plan's transforms, and for drills: workloads the checks do
 * not need are scaled to zero, LoadBalancer and NodePort Services become ClusterIP so a drill
 * never allocates a cloud load balancer or a node port, and external-dns leaves every Service alone.
 *
 * Velero applies modifiers to an object before it maps the object's namespace (pkg/restore), so
 * `conditions.namespaces` names the namespaces as they were backed up, never the mapped ones.
 */
export function modifierRules(plan: RestorePlanModel, variant: RestoreVariant, appSelectors: readonly Readonly<Record<string, string>>[]): ModifierRule[] {
  const namespaces = Object.keys(plan.namespaceMapping).sort();
  const rules: ModifierRule[] = [];
  for (const transform of plan.transforms) {
    if (transform.type === 'scale') {
      for (const groupResource of WORKLOADS) {
        rules.push({
          conditions: { groupResource, resourceNameRegex: transform.namePattern, namespaces },
          patches: [{ operation: 'replace', path: '/spec/replicas', value: jsonValue(transform.replicas) }],
        });
      }
    } else if (transform.type === 'rewrite-ingress-host') {
      const path = `/spec/rules/${transform.ruleIndex ?? 0}/host`;
      rules.push({
        // A condition, not a `test` patch: an Ingress without that rule is left alone instead of failing the Restore.
        conditions: { groupResource: 'ingresses.networking.k8s.io', namespaces, matches: [{ path, value: jsonValue(transform.from) }] },
        patches: [{ operation: 'replace', path, value: jsonValue(transform.to) }],
      });
    } else if (transform.type === 'json-patch') {
      rules.push({
        conditions: { groupResource: transform.groupResource, resourceNameRegex: transform.namePattern, namespaces },
        patches: transform.patches.map((p) => ({ operation: p.op, path: p.path, value: p.value === undefined ? undefined : jsonValue(p.value), from: p.from })),
      });
    }
  }
  if (variant === 'drill') {
    const keep = new Map<string, Set<string>>();
    for (const selector of appSelectors) for (const [key, value] of Object.entries(selector)) keep.set(key, new Set([...(keep.get(key) ?? []), value]));
    const labelSelector =
      keep.size > 0 ? { matchExpressions: [...keep.entries()].sort().map(([key, values]) => ({ key, operator: 'NotIn' as const, values: [...values].sort() })) } : undefined;
    for (const groupResource of WORKLOADS) {
      rules.push({ conditions: { groupResource, namespaces, labelSelector }, patches: [{ operation: 'replace', path: '/spec/replicas', value: jsonValue(0) }] });
    }
    rules.push({ conditions: { groupResource: 'services', namespaces }, mergePatches: [{ patchData: JSON.stringify(EXTERNAL_DNS_PATCH) }] });
    if (plan.drill?.volumeData === false) {
      // No volume data in the backups: a claim keeps the name of the volume it was bound to, which
      // is the live claim's (the drill claim would stay Pending) or, restored as is on another
      // cluster, the source's disk. Without it the claim gets a new, empty volume of its class.
      // Velero applies modifiers after its own claim handling, so nothing renames it back.
      rules.push({ conditions: { groupResource: 'persistentvolumeclaims', namespaces }, mergePatches: [{ patchData: JSON.stringify({ spec: { volumeName: null } }) }] });
    }
    for (const type of EXPOSED_SERVICE_TYPES) {
      rules.push({
        conditions: { groupResource: 'services', namespaces, matches: [{ path: '/spec/type', value: jsonValue(type) }] },
        mergePatches: [{ patchData: JSON.stringify(CLUSTER_IP_PATCH) }],
      });
    }
    for (let index = 0; index < DRILL_SERVICE_PORTS; index++) {
      for (const protocol of PROTOCOLS) {
        const nodePort = `/spec/ports/${index}/nodePort`;
        rules.push({
          conditions: { groupResource: 'services', namespaces, matches: [{ path: `/spec/ports/${index}/protocol`, value: jsonValue(protocol) }] },
          // `add` sets the field whether or not the port has one, so the `remove` after it always applies.
          patches: [
            { operation: 'add', path: nodePort, value: jsonValue(0) },
            { operation: 'remove', path: nodePort },
          ],
        });
      }
    }
  }
  return rules;
}
