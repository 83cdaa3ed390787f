/**
 * ADM001: admission policies that the API server really evaluates. A ValidatingAdmissionPolicy
 * without a binding is never evaluated (it protects nothing while looking like it does), and a
 * binding that names a policy the cluster does not get binds nothing. Checked per cluster on the
 * compiled objects.
 */
import type { Diagnostic } from '../model/diagnostic.ts';
import type { PlacedObject } from '../output/layout.ts';
import { aboutObject } from './object-diagnostic.ts';
import type { ObjectRule } from './object-rule.ts';

const ADMISSION_API = 'admissionregistration.k8s.io/v1';

const nameOf = (placed: PlacedObject): string => String((placed.object.metadata as { name?: unknown } | undefined)?.name);
const policyNameOf = (placed: PlacedObject): unknown => (placed.object.spec as { policyName?: unknown } | undefined)?.policyName;

/** ADM001: every emitted policy is bound, and every binding names an emitted policy of its cluster. */
export const admissionRule: ObjectRule = {
  family: 'admission',
  check(objects) {
    const found: Diagnostic[] = [];
    const ofKind = (kind: string) => objects.filter((p) => p.object.apiVersion === ADMISSION_API && p.object.kind === kind);
    const policies = ofKind('ValidatingAdmissionPolicy');
    const bindings = ofKind('ValidatingAdmissionPolicyBinding');
    const key = (cluster: string, name: unknown) => `${cluster}\u0000${String(name)}`;
    const bound = new Set(bindings.map((b) => key(b.cluster, policyNameOf(b))));
    const emitted = new Set(policies.map((p) => key(p.cluster, nameOf(p))));
    for (const policy of policies) {
      if (!bound.has(key(policy.cluster, nameOf(policy)))) {
        found.push(aboutObject(policy, { code: 'ADM001', message: 'has no ValidatingAdmissionPolicyBinding, so the API server never evaluates it', hint: 'emit a binding with policyName set to this policy in the same cluster' }));
      }
    }
    for (const binding of bindings) {
      if (!emitted.has(key(binding.cluster, policyNameOf(binding)))) {
        found.push(aboutObject(binding, { code: 'ADM001', message: `binds "${String(policyNameOf(binding))}", which is not a ValidatingAdmissionPolicy of this cluster`, hint: 'emit the policy in the same cluster, or remove the binding' }));
      }
    }
    return found;
  },
};
