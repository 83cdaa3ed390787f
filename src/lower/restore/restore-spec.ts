import type { IRestore } from '../../k8s/velero/restore.ts';
import { goDuration } from '../../model/duration.ts';
import type { RestorePlanModel, RestoreStepModel } from '../../model/types.ts';
import { MANAGED_BY } from '../labels.ts';
import { drillExcludedResources, drillIncludedResources } from './drill-scope.ts';

/** Replaced by the runner with the backup it resolved once for the whole run. */
export const BACKUP_PLACEHOLDER = 'RESTORABLE_BACKUP_NAME';
/** Replaced by the runner with the run's timestamp, so every run creates new, uniquely named Restores. */
export const RUN_PLACEHOLDER = 'RESTORABLE_RUN_ID';

/** A real restore, or a drill into scratch namespaces. */
export type RestoreVariant = 'run' | 'drill';

/** Drills restore `ns` into `drill-ns`. */
export const drillNamespace = (namespace: string): string => `drill-${namespace}`;

/** Source -> target namespace for a variant. */
export function targetNamespaces(plan: RestorePlanModel, variant: RestoreVariant): Record<string, string> {
  return Object.fromEntries(
    Object.entries(plan.namespaceMapping).map(([source, target]) => [source, variant === 'drill' ? drillNamespace(source) : target]),
  );
}

/** Name of the resource-modifier ConfigMap of a plan variant. */
export const modifiersName = (plan: RestorePlanModel, variant: RestoreVariant): string =>
  `${variant === 'drill' ? 'drill' : 'restore'}-${plan.name}-modifiers`;

/** SealedSecrets, as Velero names the resource. */
export const SEALED_SECRETS_RESOURCE = 'sealedsecrets.bitnami.com';

/**
 * What a step leaves out: what an earlier step of the plan restored; in drills, what acts on the
 * outside world (drill-scope.ts); the source's SealedSecrets where the target's controller cannot
 * open them (another cluster's key, or another namespace: a drill's, or a mapped one), since it
 * would report each as failed and Argo CD mark them Degraded.
 */
function excludedResources(plan: RestorePlanModel, step: RestoreStepModel, variant: RestoreVariant): string[] | undefined {
  const included = variant === 'drill' ? drillIncludedResources(plan, step) : step.resources;
  // Velero refuses a Restore whose excluded list repeats a name of its included list.
  const excluded = [
    ...new Set([
      ...step.excludedResources,
      ...(variant === 'drill' ? drillExcludedResources(plan) : []),
      ...(variant === 'drill' || plan.sealedSecrets === 'leave-out' ? [SEALED_SECRETS_RESOURCE] : []),
    ]),
  ].filter((resource) => !included.includes(resource));
  return excluded.length > 0 ? excluded : undefined;
}

/**
 * The Restore of one step. Drills leave out what acts on the outside world or on the cluster
 * (drill-scope.ts), and always restore into scratch namespaces.
 */
export function restoreManifest(plan: RestorePlanModel, step: RestoreStepModel, variant: RestoreVariant, hasModifiers: boolean, veleroNamespace: string): IRestore {
  const mapping = targetNamespaces(plan, variant);
  const stepMapping = Object.fromEntries(step.namespaces.map((ns) => [ns, mapping[ns] ?? ns]).filter(([source, target]) => source !== target));
  const index = String(step.index).padStart(2, '0');
  const hookNamespaces = [...new Set([...step.namespaces, ...step.namespaces.map((ns) => mapping[ns] ?? ns)])];
  return {
    apiVersion: 'velero.io/v1',
    kind: 'Restore',
    metadata: {
      name: `${plan.name}-${variant === 'drill' ? 'd' : ''}${index}-${RUN_PLACEHOLDER}`,
      namespace: veleroNamespace,
      labels: {
        ...MANAGED_BY,
        'restorable.dev/plan': plan.name,
        'restorable.dev/step': step.name,
        // Prefixed: the run id is all digits, and a bare number would be read as an integer label.
        'restorable.dev/run': `run-${RUN_PLACEHOLDER}`,
        ...(variant === 'drill' ? { 'restorable.dev/drill': plan.name } : {}),
      },
    },
    spec: {
      backupName: BACKUP_PLACEHOLDER,
      includedNamespaces: [...step.namespaces],
      namespaceMapping: Object.keys(stepMapping).length > 0 ? stepMapping : undefined,
      includedResources: step.resources.length > 0 ? (variant === 'drill' ? drillIncludedResources(plan, step) : [...step.resources]) : undefined,
      excludedResources: excludedResources(plan, step, variant),
      labelSelector: step.selector ? { matchLabels: { ...step.selector } } : undefined,
      restorePVs: true,
      existingResourcePolicy: variant === 'run' && plan.existingResources === 'update' ? 'update' : undefined,
      resourceModifier: hasModifiers ? { kind: 'configmap', name: modifiersName(plan, variant) } : undefined,
      hooks:
        step.hooks.length > 0
          ? {
              resources: [
                {
                  name: step.name,
                  includedNamespaces: hookNamespaces,
                  labelSelector: step.hookSelector ? { matchLabels: { ...step.hookSelector } } : undefined,
                  postHooks: step.hooks.map((hook) => ({
                    exec: {
                      container: hook.container,
                      command: [...hook.command],
                      onError: 'Fail' as const,
                      execTimeout: goDuration(hook.execTimeout.seconds),
                      waitTimeout: goDuration(hook.waitTimeout.seconds),
                      waitForReady: true,
                    },
                  })),
                },
              ],
            }
          : undefined,
    },
  };
}
