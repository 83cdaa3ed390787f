import type { RestorePlanModel } from '../../model/types.ts';
import { targetNamespaces, type RestoreVariant } from './restore-spec.ts';

interface ModifierRule {
  conditions: {
    groupResource: string;
    resourceNameRegex?: string;
    namespaces?: string[];
    labelSelector?: { matchExpressions: { key: string; operator: 'NotIn'; values: string[] }[] };
  };
  patches: { operation: string; path: string; value?: string; from?: string }[];
}

const WORKLOADS = ['deployments.apps', 'statefulsets.apps'];

/**
 * Velero resource-modifier rules (JSON patches applied while restoring) for the plan's transforms,
 * and for drills: workloads the checks do not need are scaled to zero, and LoadBalancer Services
 * become ClusterIP so a drill never allocates a cloud load balancer. Values are strings, as Velero
 * reads them (numbers and booleans unquoted in the patch it builds).
 */
export function modifierRules(plan: RestorePlanModel, variant: RestoreVariant, appSelectors: readonly Readonly<Record<string, string>>[]): ModifierRule[] {
  const namespaces = [...new Set(Object.values(targetNamespaces(plan, variant)))].sort();
  const rules: ModifierRule[] = [];
  for (const transform of plan.transforms) {
    if (transform.type === 'scale') {
      for (const groupResource of WORKLOADS) {
        rules.push({ conditions: { groupResource, resourceNameRegex: transform.namePattern, namespaces }, patches: [{ operation: 'replace', path: '/spec/replicas', value: String(transform.replicas) }] });
      }
    } else if (transform.type === 'rewrite-ingress-host') {
      const path = `/spec/rules/${transform.ruleIndex ?? 0}/host`;
      rules.push({
        conditions: { groupResource: 'ingresses.networking.k8s.io', namespaces },
        patches: [
          { operation: 'test', path, value: transform.from },
          { operation: 'replace', path, value: transform.to },
        ],
      });
    } else if (transform.type === 'json-patch') {
      rules.push({
        conditions: { groupResource: transform.groupResource, resourceNameRegex: transform.namePattern, namespaces },
        patches: transform.patches.map((p) => ({ operation: p.op, path: p.path, value: p.value === undefined ? undefined : String(p.value), from: p.from })),
      });
    }
  }
  if (variant === 'drill') {
    const keep = new Map<string, Set<string>>();
    for (const selector of appSelectors) for (const [key, value] of Object.entries(selector)) keep.set(key, new Set([...(keep.get(key) ?? []), value]));
    const labelSelector =
      keep.size > 0 ? { matchExpressions: [...keep.entries()].sort().map(([key, values]) => ({ key, operator: 'NotIn' as const, values: [...values].sort() })) } : undefined;
    for (const groupResource of WORKLOADS) {
      rules.push({ conditions: { groupResource, namespaces, labelSelector }, patches: [{ operation: 'replace', path: '/spec/replicas', value: '0' }] });
    }
    rules.push({
      conditions: { groupResource: 'services', namespaces },
      patches: [
        { operation: 'test', path: '/spec/type', value: 'LoadBalancer' },
        { operation: 'replace', path: '/spec/type', value: 'ClusterIP' },
      ],
    });
  }
  return rules;
}
