/**
 * ValidatingAdmissionPolicies as restorable emits them: always with their binding (a policy without
 * one is never evaluated: ADM001), failing closed, denying, and matching one kind of request in
 * Velero's namespace unless a policy says otherwise.
 */

/** A Kubernetes object as the lowering code emits it. */
type Json = Record<string, unknown>;

/** What differs between restorable's admission policies. */
export interface BoundPolicyProps {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `matchConstraints` of the policy. */
  readonly match: Json;
  readonly matchConditions?: readonly { readonly name: string; readonly expression: string }[];
  readonly variables?: readonly { readonly name: string; readonly expression: string }[];
  readonly validations: readonly Json[];
}

/** `matchConstraints` for one resource of one API group, in one namespace. */
export function inNamespace(namespace: string, rule: { readonly apiGroup: string; readonly resource: string; readonly operations: readonly string[]; readonly apiVersions?: readonly string[] }): Json {
  return {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
    resourceRules: [{ apiGroups: [rule.apiGroup], apiVersions: [...(rule.apiVersions ?? ['v1'])], operations: [...rule.operations], resources: [rule.resource] }],
  };
}

/** A policy (`failurePolicy: Fail`) and its binding of the same name (`Deny`). */
export function boundPolicy(props: BoundPolicyProps): Json[] {
  const { name } = props;
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name, labels: { ...props.labels } },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: props.match,
        ...(props.matchConditions ? { matchConditions: props.matchConditions } : {}),
        ...(props.variables ? { variables: props.variables } : {}),
        validations: props.validations,
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name, labels: { ...props.labels } },
      spec: { policyName: name, validationActions: ['Deny'] },
    },
  ];
}
