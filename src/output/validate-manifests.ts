// One module per kind: the group indexes (`kubernetes-models/v1`) load every model of the group, 600+ modules.
import { ValidatingAdmissionPolicy } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy';
import { ValidatingAdmissionPolicyBinding } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { schemaFor, validateObject } from '../k8s/schema-registry.ts';

type CoreModel = new (data: never) => { validate(): void };

/** Core kinds restorable emits, validated with kubernetes-models' schemas (Kubernetes 1.3x definitions). */
const CORE_KINDS: ReadonlyMap<string, CoreModel> = new Map<string, CoreModel>([
  ['v1/ConfigMap', ConfigMap],
  ['v1/Namespace', Namespace],
  ['v1/ServiceAccount', ServiceAccount],
  ['apps/v1/Deployment', Deployment],
  ['apps/v1/DaemonSet', DaemonSet],
  ['apiextensions.k8s.io/v1/CustomResourceDefinition', CustomResourceDefinition],
  ['batch/v1/CronJob', CronJob],
  ['batch/v1/Job', Job],
  ['networking.k8s.io/v1/NetworkPolicy', NetworkPolicy],
  ['rbac.authorization.k8s.io/v1/Role', Role],
  ['rbac.authorization.k8s.io/v1/RoleBinding', RoleBinding],
  ['rbac.authorization.k8s.io/v1/ClusterRole', ClusterRole],
  ['rbac.authorization.k8s.io/v1/ClusterRoleBinding', ClusterRoleBinding],
  ['admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy', ValidatingAdmissionPolicy],
  ['admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding', ValidatingAdmissionPolicyBinding],
]);

/**
 * Schema errors of one manifest, as sentences: CRD kinds (Velero, CSI snapshots, SealedSecret,
 * PrometheusRule, Argo CD) against the project's strict schemas, where unknown fields are errors;
 * core kinds against kubernetes-models. Validators are compiled once and cached.
 */
export function validateManifest(object: Record<string, unknown>): string[] {
  const { apiVersion, kind } = object;
  if (typeof apiVersion === 'string' && typeof kind === 'string' && schemaFor(apiVersion, kind) === undefined) {
    const model = CORE_KINDS.get(`${apiVersion}/${kind}`);
    if (model) {
      try {
        new model(object as never).validate();
        return [];
      } catch (error) {
        return String((error as Error).message)
          .split('\n')
          .filter(Boolean);
      }
    }
  }
  return validateObject(object);
}
