import type { RestorePlanModel } from '../../model/types.ts';
import type { RestoreVariant } from './restore-spec.ts';

/** The annotation with which the Sealed Secrets controller takes over a Secret it does not own. */
export const MANAGED_ANNOTATION = 'sealedsecrets.bitnami.com/managed';

/** A resource-modifier rule that adds an annotation with a merge patch. */
interface AnnotateRule {
  conditions: { groupResource: string; namespaces: string[] };
  mergePatches: { patchData: string }[];
}

/**
 * Hands restored Secrets back to their SealedSecrets. Velero strips owner references before it
 * applies resource modifiers (pkg/restore/restore.go: resetMetadataAndStatus, then the modifiers),
 * so a Restore cannot tell which Secret a SealedSecret made; and the controller (v0.36.6,
 * pkg/controller/controller.go) refuses to update a Secret it does not own unless the Secret carries
 * `sealedsecrets.bitnami.com/managed: "true"`, and acts only when a SealedSecret is added or its
 * spec changes. So every Secret the run restores is marked: the controller reads the mark only on a
 * Secret named like a SealedSecret of its namespace, which are the Secrets that belong to one. When
 * the restored SealedSecret is added, the controller rewrites its Secret from it and owns it again,
 * so later rotations in Git are applied. Only where the target's controller can open the
 * SealedSecrets (`sealedSecrets: 'mark-managed'`), and never in drills (other namespaces).
 */
export function managedSecretRules(plan: RestorePlanModel, variant: RestoreVariant): AnnotateRule[] {
  if (variant !== 'run' || plan.sealedSecrets !== 'mark-managed') return [];
  // Velero applies modifiers before the namespace mapping: these are the namespaces as backed up.
  const namespaces = Object.keys(plan.namespaceMapping).sort();
  if (namespaces.length === 0) return [];
  return [{ conditions: { groupResource: 'secrets', namespaces }, mergePatches: [{ patchData: JSON.stringify({ metadata: { annotations: { [MANAGED_ANNOTATION]: 'true' } } }) }] }];
}
