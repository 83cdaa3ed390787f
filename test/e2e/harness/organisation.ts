/**
 * The test organisation, compiled by the real CLI, and clusters prepared the way a platform team
 * prepares them before Argo CD syncs restorable's output: the CRDs of the systems restorable
 * compiles for, and the namespaces restorable deliberately never emits (Velero's own).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { ControlPlane } from './control-plane.ts';
import { waitFor } from './processes.ts';
import { repoRoot } from './test-run.ts';

/** The test organisation's policies: a copy of the example organisation, owned by the tests. */
export const testOrganisation = path.join(repoRoot, 'test', 'fixtures', 'orgs', 'example', 'policies');

/** The vendored upstream CRDs, each the release named in its folder (see its SOURCE.md). */
const schemas = path.join(repoRoot, 'test', 'fixtures', 'schemas');
export const UPSTREAM_CRDS: readonly string[] = [
  ...['backups', 'backupstoragelocations', 'volumesnapshotlocations', 'schedules', 'restores', 'downloadrequests', 'deletebackuprequests', 'serverstatusrequests', 'backuprepositories', 'podvolumebackups', 'podvolumerestores', 'datauploads', 'datadownloads'].map(
    (plural) => path.join(schemas, 'velero', 'v1.18.1', `velero.io_${plural}.yaml`),
  ),
  path.join(schemas, 'sealed-secrets', 'v0.36.6', 'bitnami.com_sealedsecrets.yaml'),
  ...['volumesnapshotclasses', 'volumesnapshotcontents', 'volumesnapshots'].map((plural) => path.join(schemas, 'external-snapshotter', 'v8.6.0', `snapshot.storage.k8s.io_${plural}.yaml`)),
  ...['prometheusrules', 'podmonitors'].map((plural) => path.join(schemas, 'prometheus-operator', 'v0.82.2', `monitoring.coreos.com_${plural}.yaml`)),
  path.join(schemas, 'argo-cd', 'v3.5.1', 'application-crd.yaml'),
  path.join(schemas, 'argo-cd', 'v3.5.1', 'appproject-crd.yaml'),
];

/**
 * The upstream CRDs a cluster folder needs installed before its sync: {@link UPSTREAM_CRDS} minus
 * those the folder declares itself (a cluster that declares Velero's installation syncs Velero's
 * CRDs in its first wave, as Argo CD would; installing them beforehand under another field
 * manager would make that wave's server-side apply conflict, as on a cluster where `velero
 * install` created them, which README's one-time step covers).
 */
export function upstreamCrdsFor(clusterFolder: string): string[] {
  const scoped = path.join(clusterFolder, '_cluster');
  const declared = new Set(
    existsSync(scoped)
      ? readdirSync(scoped)
          .filter((file) => file.startsWith('customresourcedefinition-'))
          .map((file) => file.slice('customresourcedefinition-'.length, -'.yaml'.length))
      : [],
  );
  // Upstream files are named <group>_<plural>.yaml; the CRD's name is <plural>.<group>.
  const crdName = (file: string): string => {
    const [group, plural] = path.basename(file, '.yaml').split('_');
    return `${plural}.${group}`;
  };
  return UPSTREAM_CRDS.filter((file) => !declared.has(crdName(file)));
}

/** Compiles `policies` with `restorable synth` into a fresh folder under the repository's `.tmp/`; returns it. */
export function synthOrganisation(policies: string, label: string): string {
  const out = path.join(repoRoot, '.tmp', `e2e-${label}-${process.pid}`, 'generated');
  rmSync(path.dirname(out), { recursive: true, force: true });
  mkdirSync(path.dirname(out), { recursive: true });
  execFileSync(process.execPath, [path.join(repoRoot, 'bin', 'restorable.mjs'), 'synth', '--policies', policies, '--out', out], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

/** Installs the upstream CRDs and waits until the API server serves them. */
export async function installCrds(cluster: ControlPlane, files: readonly string[] = UPSTREAM_CRDS): Promise<void> {
  await cluster.kubectlOk(['apply', '--server-side', ...files.flatMap((f) => ['-f', f])]);
  // A CRD just created has no status.conditions yet, which `kubectl wait` reports as an error.
  await waitFor(async () => (await cluster.kubectl(['wait', '--for=condition=Established', '--timeout=30s', 'crd', '--all'])).code === 0, {
    timeoutMs: 90_000,
    intervalMs: 500,
    describe: () => 'the upstream CRDs were not Established within 90 s',
  });
}

/** Creates the namespaces a cluster folder's objects live in (Velero's included, which restorable never emits) and `argocd`. */
export async function createNamespaces(cluster: ControlPlane, clusterFolder: string): Promise<void> {
  const namespaces = readdirSync(clusterFolder).filter((n) => n !== '_cluster');
  for (const namespace of ['argocd', ...namespaces]) {
    await cluster.kubectlOk(['create', 'namespace', namespace]);
  }
}
