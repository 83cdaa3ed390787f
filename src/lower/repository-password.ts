/**
 * Adoption of the repository password Secret on the first sync. Velero's server creates
 * `velero-repo-credentials` itself at start, with a well-known default password, when it does not
 * exist (`EnsureCommonRepositoryKey` in Velero's server), and the Sealed Secrets controller refuses
 * to overwrite a Secret it does not own: on a cluster where Velero already runs, the SealedSecret
 * would fail and stop the sync before the storage locations and Schedules.
 *
 * An Argo CD Sync hook runs just before the SealedSecret's wave and settles it, never silently
 * changing a password that protects data:
 * - no Secret, or one the SealedSecret already manages: nothing to do;
 * - an unmanaged Secret and no BackupRepository yet (nothing is encrypted with it): it is marked
 *   `sealedsecrets.bitnami.com/managed: "true"`, so the controller replaces Velero's default with
 *   the sealed password;
 * - an unmanaged Secret that repositories already use: the hook fails with the one-time step
 *   (README, "Repository password on a cluster that already has backups"), since adopting another
 *   password would orphan every existing repository.
 */
import { emit, type LowerContext } from './context.ts';
import { MANAGED_BY } from './labels.ts';
import { kubectlPodSpec } from './pod-security.ts';
import { roleWithBinding, serviceAccount } from './rbac.ts';

/** The Secret Velero reads its repository password from (a fixed name in Velero). */
export const REPOSITORY_PASSWORD_SECRET = 'velero-repo-credentials';

/** Name of the hook Job, its ServiceAccount and its Role. */
export const ADOPTION_NAME = 'restorable-repository-password';

/** The annotation that lets the Sealed Secrets controller take over an existing Secret. */
const MANAGED_ANNOTATION = 'sealedsecrets.bitnami.com/managed';

/** The hook's script: POSIX sh and kubectl only (the kubectl image's BusyBox). The namespace is a validated name. */
export function adoptionScript(veleroNamespace: string): string {
  return `set -eu
ns='${veleroNamespace}'
secret=${REPOSITORY_PASSWORD_SECRET}
if ! found=$(kubectl get secret "$secret" -n "$ns" -o name 2>&1); then
  case "$found" in
    *NotFound*)
      echo "$secret does not exist yet: its SealedSecret creates it"
      exit 0
      ;;
  esac
  echo "$found" >&2
  exit 1
fi
state=$(kubectl get secret "$secret" -n "$ns" -o jsonpath='{.metadata.annotations.sealedsecrets\\.bitnami\\.com/managed}/{.metadata.ownerReferences[*].kind}')
case "$state" in
  true/*|*SealedSecret*)
    echo "$secret is managed by its SealedSecret"
    exit 0
    ;;
esac
repositories=$(kubectl get backuprepositories.velero.io -n "$ns" -o name)
if [ -n "$repositories" ]; then
  echo "$secret was created outside restorable (by Velero's server) and these repositories are encrypted with it:" >&2
  echo "$repositories" >&2
  echo "adopting the sealed password would orphan them; seal the current password instead (README: Repository password on a cluster that already has backups)" >&2
  exit 1
fi
kubectl annotate secret "$secret" -n "$ns" ${MANAGED_ANNOTATION}=true
echo "$secret had no repository yet: its SealedSecret's password replaces the one Velero created"
`;
}

/** The hook, its ServiceAccount and its narrow rights, on clusters with a repository password and a kubectl image. */
export function lowerRepositoryPasswordAdoption(ctx: LowerContext): void {
  const { cluster } = ctx;
  if (!cluster.repositoryPassword || !cluster.images.kubectl) return;
  const namespace = cluster.veleroNamespace;
  const labels = { ...MANAGED_BY, 'restorable.dev/role': 'repository-password-adoption' };
  const meta = { name: ADOPTION_NAME, namespace, labels };
  const account = serviceAccount(ctx, meta);
  roleWithBinding(
    ctx,
    meta,
    [
      { apiGroup: '', resources: ['secrets'], verbs: ['get', 'patch'], names: [REPOSITORY_PASSWORD_SECRET] },
      { apiGroup: 'velero.io', resources: ['backuprepositories'], verbs: ['list'] },
    ],
    [account],
  );
  const pod = kubectlPodSpec({
    serviceAccountName: ADOPTION_NAME,
    image: cluster.images.kubectl,
    containerName: 'adopt',
    command: ['/bin/sh', '-c', adoptionScript(namespace)],
  });
  emit(ctx, {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: ADOPTION_NAME,
      namespace,
      labels,
      annotations: { 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' },
    },
    spec: { backoffLimit: 0, activeDeadlineSeconds: 300, template: { metadata: { labels }, spec: pod } },
  });
}
