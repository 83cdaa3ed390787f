/**
 * What a restore into a new cluster needs from the lost one besides its namespaces. Velero v1.18.1
 * backs up, for a backup of some namespaces, the CRDs of included custom resources
 * (`backupCRD`), the PersistentVolumes of claims (`PVCAction`), the PriorityClasses of pods
 * (`RelatedItemsForPod`) and the ClusterRoleBindings and ClusterRoles of included ServiceAccounts
 * (`RelatedItemsForServiceAccount`), and nothing else cluster-scoped. Left out: StorageClasses,
 * ClusterRoles referenced only by RoleBindings, IngressClasses. Policies restored after a cluster or
 * region loss back those up too, and the restore brings them back first.
 */
import type { IBackupSpec } from '../k8s/velero/backup-spec.ts';
import type { IRestore } from '../k8s/velero/restore.ts';
import type { Model, PolicyModel, RestorePlanModel } from '../model/types.ts';
import { MANAGED_BY } from './labels.ts';

/** The cluster-scoped kinds Velero leaves out of a backup of namespaces, as `resource.group`. */
export const CLUSTER_LOSS_KINDS = ['storageclasses.storage.k8s.io', 'clusterroles.rbac.authorization.k8s.io', 'ingressclasses.networking.k8s.io'] as const;

/** Plans after which the source cluster is gone. */
const losesCluster = (plan: RestorePlanModel): boolean => plan.scenario === 'cluster-loss' || plan.scenario === 'region-loss';

/** Whether some cluster-loss or region-loss plan restores the policy. */
export function backsUpClusterScoped(model: Model, policy: PolicyModel): boolean {
  return model.restorePlans.some((plan) => losesCluster(plan) && plan.from.includes(policy.name));
}

/**
 * The backup template with {@link CLUSTER_LOSS_KINDS} included when a cluster-loss or region-loss
 * plan restores the policy. Velero refuses a backup that mixes the old resource filters with the
 * scoped ones, so a policy with `includedResources` gets the kinds added there with
 * `includeClusterResources: true` (only listed kinds are then cluster-wide); otherwise the scoped
 * filters carry them (`excludedResources` becomes `excludedNamespaceScopedResources`).
 */
export function withClusterScopedKinds(template: IBackupSpec, model: Model, policy: PolicyModel): IBackupSpec {
  if (!backsUpClusterScoped(model, policy)) return template;
  if (policy.includedResources.length > 0) {
    return { ...template, includedResources: [...policy.includedResources, ...CLUSTER_LOSS_KINDS.filter((k) => !policy.includedResources.includes(k))], includeClusterResources: true };
  }
  return {
    ...template,
    includedResources: undefined,
    excludedResources: undefined,
    excludedNamespaceScopedResources: policy.excludedResources.length > 0 ? [...policy.excludedResources] : undefined,
    includedClusterScopedResources: [...CLUSTER_LOSS_KINDS],
  };
}

/** One restore step of the runner's data: its line in `steps` and its Restore template. */
export interface ScopedStep {
  readonly index: string;
  readonly line: string;
  readonly restore: IRestore;
}

/**
 * The first steps of a cluster-loss or region-loss run (never of a drill: cluster-scoped objects
 * cannot go to scratch namespaces and would stay behind): per source policy, a Restore of
 * {@link CLUSTER_LOSS_KINDS} only, cluster-wide. Existing objects (a StorageClass the new cluster
 * already has) are left as they are.
 */
export function clusterScopedSteps(plan: RestorePlanModel, variant: 'run' | 'drill', veleroNamespace: string, placeholders: { readonly backup: string; readonly run: string }): ScopedStep[] {
  if (variant !== 'run' || !losesCluster(plan)) return [];
  return plan.from.map((policy, i) => {
    const index = `c${i + 1}`;
    return {
      index,
      line: `${index} cluster-scoped ${policy}`,
      restore: {
        apiVersion: 'velero.io/v1',
        kind: 'Restore',
        metadata: {
          name: `${plan.name}-${index}-${placeholders.run}`,
          namespace: veleroNamespace,
          labels: { ...MANAGED_BY, 'restorable.dev/plan': plan.name, 'restorable.dev/step': 'cluster-scoped', 'restorable.dev/run': `run-${placeholders.run}` },
        },
        spec: { backupName: placeholders.backup, includedResources: [...CLUSTER_LOSS_KINDS], includeClusterResources: true },
      },
    };
  });
}
