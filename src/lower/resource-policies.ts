import yaml from 'js-yaml';
import type { VolumePolicy } from '../dsl/volume-policies.ts';
import type { PolicyModel } from '../model/types.ts';
import { DUMP_SCHEMA } from '../output/yaml.ts';
import { emit, type LowerContext } from './context.ts';
import { policyLabels } from './labels.ts';

/** Name of a policy's resource-policy ConfigMap. */
export function resourcePolicyName(policy: PolicyModel): string {
  return `${policy.name}-volume-policy`;
}

/**
 * Velero resource policies: one ConfigMap per policy with volume policies, holding exactly one key
 * with a `version: v1` document, as Velero requires; the Schedule template refers to it.
 */
export function lowerResourcePolicies(ctx: LowerContext): void {
  for (const policy of ctx.model.policies) {
    if (policy.cluster !== ctx.cluster.name || policy.volumePolicies.length === 0) continue;
    emit(ctx, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: resourcePolicyName(policy), namespace: ctx.cluster.veleroNamespace, labels: policyLabels(policy.name) },
      data: { 'policy.yaml': yaml.dump(resourcePolicyDocument(policy.volumePolicies), { schema: DUMP_SCHEMA, lineWidth: -1, noRefs: true }) },
    });
  }
}

/** The document Velero reads: `version: v1` and `volumePolicies` in its own field names. */
export function resourcePolicyDocument(policies: readonly VolumePolicy[]): object {
  return {
    version: 'v1',
    volumePolicies: policies.map((p) => ({
      conditions: {
        ...(p.conditions.capacity ? { capacity: p.conditions.capacity } : {}),
        ...(p.conditions.storageClass ? { storageClass: [...p.conditions.storageClass] } : {}),
        ...(p.conditions.csiDriver ? { csi: { driver: p.conditions.csiDriver } } : {}),
        ...(p.conditions.pvcLabels ? { pvcLabels: { ...p.conditions.pvcLabels } } : {}),
      },
      action: { type: p.action },
    })),
  };
}
