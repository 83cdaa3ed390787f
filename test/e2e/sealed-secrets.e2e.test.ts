/**
 * Credentials for real: the test organisation's output synced onto two real API servers, each with
 * the real Sealed Secrets controller holding that cluster's (committed, test-only) sealing key.
 * Every SealedSecret becomes its Secret through the controller of its own cluster and holds exactly
 * the plaintext that was sealed; a file sealed for the other cluster is refused there; and a Secret
 * that already exists unmanaged (as Velero's server creates `velero-repo-credentials` at start) is
 * never overwritten behind the operator's back, on a cluster where the real `velero install` put
 * Velero first.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { EXAMPLE_SECRETS, exampleCertificatePath, exampleKeyPath, exampleSealedPath } from '../fixtures/certs/example-credentials.ts';
import { ArgoHealth, downloadArgoCd, type LiveObject } from './harness/argocd-health.ts';
import { syncFolder } from './harness/argocd-sync.ts';
import type { ControlPlane } from './harness/control-plane.ts';
import { createNamespaces, installCrds, synthOrganisation, testOrganisation, upstreamCrdsFor } from './harness/organisation.ts';
import { hooksOnHost } from './harness/pod-on-host.ts';
import { waitFor } from './harness/processes.ts';
import { type SealedSecretsController, startSealedSecretsController } from './harness/sealed-secrets.ts';
import { repoRoot, useTestRun } from './harness/test-run.ts';

const run = useTestRun('sealed-secrets');
const generated = synthOrganisation(testOrganisation, 'sealed-secrets');
const health = new ArgoHealth(downloadArgoCd(), path.join(inject('luaHealthBin'), 'lua-health'));
const controllerBinary = path.join(inject('sealedSecretsBin'), 'sealed-secrets-controller');
const CLUSTERS = ['prod-eu', 'dr-us'] as const;
const clusters = new Map<string, ControlPlane>();
const controllers = new Map<string, SealedSecretsController>();

interface SecretObject {
  metadata: { ownerReferences?: { kind: string; name: string; controller?: boolean }[] };
  data?: Record<string, string>;
}

async function secret(cluster: ControlPlane, name: string): Promise<SecretObject | undefined> {
  const result = await cluster.kubectl(['get', 'secret', name, '-n', 'velero', '-o', 'json']);
  return result.code === 0 ? (JSON.parse(result.stdout) as SecretObject) : undefined;
}

async function sealedSecretHealth(cluster: ControlPlane, name: string) {
  const live = JSON.parse(await cluster.kubectlOk(['get', 'sealedsecret', name, '-n', 'velero', '-o', 'json'])) as LiveObject;
  return health.assess([live])[0]!;
}

/** Hook Jobs' pods run on the host (no kubelet here), as their ServiceAccount. */
const hooks = (cluster: ControlPlane) => hooksOnHost({ cluster, kubectlDir: path.dirname(run.binaries.kubectl), workDir: path.join(run.runDir, 'pods') });

/** A cluster with the CRDs, the namespaces of `folder`'s cluster and a controller holding that cluster's key. */
async function clusterWithController(name: string, folder: (typeof CLUSTERS)[number]): Promise<ControlPlane> {
  const cluster = await run.cluster(name);
  await installCrds(cluster, upstreamCrdsFor(path.join(generated, 'clusters', folder)));
  await createNamespaces(cluster, path.join(generated, 'clusters', folder));
  const controller = await startSealedSecretsController({
    cluster,
    binary: controllerBinary,
    runDir: run.runDir,
    key: { cert: path.join(repoRoot, exampleCertificatePath(folder)), key: path.join(repoRoot, exampleKeyPath(folder)) },
  });
  controllers.set(name, controller);
  return cluster;
}

beforeAll(async () => {
  for (const name of CLUSTERS) clusters.set(name, await clusterWithController(name, name));
});

describe('the real Sealed Secrets controller unseals what restorable copied into the output', () => {
  it.each(CLUSTERS)('%s: a full sync completes every wave, and each SealedSecret is Healthy by Argo CD and its Secret holds exactly the sealed plaintext', async (name) => {
    const cluster = clusters.get(name)!;
    const synced = await syncFolder({ cluster, folder: path.join(generated, 'clusters', name), health, runHook: hooks(cluster) });
    const sealed = synced.filter((s) => s.manifest.kind === 'SealedSecret');
    expect(sealed.map((s) => s.manifest.metadata.name).sort()).toEqual(EXAMPLE_SECRETS.filter((s) => s.cluster === name).map((s) => s.name).sort());
    for (const example of EXAMPLE_SECRETS.filter((s) => s.cluster === name)) {
      const live = await secret(cluster, example.name);
      expect(live?.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}`)).toEqual([`SealedSecret/${example.name}`]);
      const decoded = Object.fromEntries(Object.entries(live?.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
      // Compared, never printed: a mismatch names only the keys.
      expect(Object.keys(decoded).sort()).toEqual(Object.keys(example.data).sort());
      expect(Object.entries(example.data).filter(([key, value]) => decoded[key] !== value).map(([key]) => key)).toEqual([]);
    }
  });

  it('a file sealed for prod-eu is refused by the controller of dr-us (Degraded, no Secret), and dr-us own file then unseals', async () => {
    const cluster = clusters.get('dr-us')!;
    await cluster.kubectlOk(['delete', 'sealedsecret', 'velero-repo-credentials', '-n', 'velero']);
    await waitFor(async () => (await secret(cluster, 'velero-repo-credentials')) === undefined, { timeoutMs: 60_000, describe: () => 'the Secret was not garbage-collected with its SealedSecret' });

    await cluster.kubectlOk(['apply', '--server-side', '-f', path.join(repoRoot, exampleSealedPath('prod-eu', 'velero-repo-credentials'))]);
    await waitFor(async () => (await sealedSecretHealth(cluster, 'velero-repo-credentials')).status === 'Degraded', {
      timeoutMs: 60_000,
      describe: () => 'the controller of dr-us did not report a file sealed for prod-eu',
    });
    expect((await sealedSecretHealth(cluster, 'velero-repo-credentials')).message).toMatch(/no key could decrypt secret/);
    expect(await secret(cluster, 'velero-repo-credentials')).toBeUndefined();

    await cluster.kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', path.join(generated, 'clusters', 'dr-us', 'velero', 'sealedsecret-velero-repo-credentials.yaml')]);
    await waitFor(async () => (await sealedSecretHealth(cluster, 'velero-repo-credentials')).status === 'Healthy', {
      timeoutMs: 60_000,
      describe: () => 'dr-us did not unseal its own file',
    });
  });
});

/** The Secret exactly as Velero's server creates it at start when it is missing (pkg/repository/keys, EnsureCommonRepositoryKey). */
const VELERO_DEFAULT_PASSWORD = 'static-passw0rd';
const veleroCreatedSecret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'velero-repo-credentials', namespace: 'velero' },
  type: 'Opaque',
  data: { 'repository-password': Buffer.from(VELERO_DEFAULT_PASSWORD).toString('base64') },
};

/** Velero as most clusters got it before restorable: the real `velero install` v1.18.1, with its own storage location and no credentials Secret. */
function installVeleroTheUsualWay(cluster: ControlPlane): void {
  const args = [
    'install',
    '--provider=aws',
    '--plugins=docker.io/velero/velero-plugin-for-aws:v1.14.3',
    '--image=docker.io/velero/velero:v1.18.1',
    '--bucket=legacy-backups',
    '--backup-location-config=region=eu-west-1',
    '--no-secret',
    '--use-volume-snapshots=false',
    '--use-node-agent',
    `--kubeconfig=${cluster.adminKubeconfig}`,
  ];
  const installed = spawnSync(path.join(inject('veleroBin'), 'velero'), args, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: run.runDir } });
  if (installed.status !== 0) throw new Error(`velero install failed:\n${installed.stderr}`);
}

interface DeploymentObject {
  spec: { template: { spec: { containers: { name: string; args?: string[] }[] } } };
  metadata: { managedFields?: { manager: string; operation: string }[] };
}

describe("first sync onto a cluster where Velero already runs, installed by the real velero install, its server having created the repository password (the Secret as Velero creates it: the server's pod never runs here)", () => {
  it('with repositories already encrypted by it, the sync stops in the first wave naming them and the password is left as it was; without, the hook adopts it, every wave completes with the sealed password, and the sync takes over the CRDs and the Deployment velero install created', async () => {
    const cluster = await clusterWithController('prod-eu-existing', 'prod-eu');
    const folder = path.join(generated, 'clusters', 'prod-eu');
    installVeleroTheUsualWay(cluster);
    await cluster.kubectlOk(['create', '-f', '-'], { input: JSON.stringify(veleroCreatedSecret) });
    const repository = {
      apiVersion: 'velero.io/v1',
      kind: 'BackupRepository',
      metadata: { name: 'payments-default-kopia-x7k2p', namespace: 'velero' },
      spec: { volumeNamespace: 'payments', backupStorageLocation: 'default', repositoryType: 'kopia', maintenanceFrequency: '1h' },
    };
    await cluster.kubectlOk(['create', '-f', '-'], { input: JSON.stringify(repository) });

    await expect(syncFolder({ cluster, folder, health, runHook: hooks(cluster) })).rejects.toThrow(
      /wave -3: hook Job restorable-repository-password failed:[\s\S]*backuprepository.velero.io\/payments-default-kopia-x7k2p[\s\S]*would orphan them/,
    );
    const untouched = await secret(cluster, 'velero-repo-credentials');
    expect(untouched?.metadata.ownerReferences).toBeUndefined();
    expect(Buffer.from(untouched?.data?.['repository-password'] ?? '', 'base64').toString() === VELERO_DEFAULT_PASSWORD).toBe(true);
    expect((await cluster.kubectl(['get', 'sealedsecret', 'velero-repo-credentials', '-n', 'velero'])).code, 'nothing after the hook was applied').not.toBe(0);

    await cluster.kubectlOk(['delete', 'backuprepository', repository.metadata.name, '-n', 'velero']);
    // README's one-time step: velero install's own location, which restorable does not emit, goes.
    await cluster.kubectlOk(['delete', 'backupstoragelocation', 'default', '-n', 'velero']);
    await syncFolder({ cluster, folder, health, runHook: hooks(cluster) });
    const adopted = await secret(cluster, 'velero-repo-credentials');
    expect(adopted?.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}`)).toEqual(['SealedSecret/velero-repo-credentials']);
    const sealedPassword = EXAMPLE_SECRETS.find((s) => s.cluster === 'prod-eu' && s.name === 'velero-repo-credentials')!.data['repository-password'];
    expect(Buffer.from(adopted?.data?.['repository-password'] ?? '', 'base64').toString() === sealedPassword).toBe(true);

    // Taken over in place: the server runs with the generated args, and the CRDs velero install
    // created are now applied by the sync's field manager.
    const live = JSON.parse(await cluster.kubectlOk(['get', 'deployment', 'velero', '-n', 'velero', '-o', 'json', '--show-managed-fields'])) as DeploymentObject;
    const declared = yaml.load(readFileSync(path.join(folder, 'velero', 'deployment-velero.yaml'), 'utf8')) as DeploymentObject;
    const argsOf = (d: DeploymentObject) => d.spec.template.spec.containers.find((c) => c.name === 'velero')?.args;
    expect(argsOf(live)).toEqual(argsOf(declared));
    const crd = JSON.parse(await cluster.kubectlOk(['get', 'crd', 'backups.velero.io', '-o', 'json', '--show-managed-fields'])) as DeploymentObject;
    expect(crd.metadata.managedFields?.filter((f) => f.operation === 'Apply').map((f) => f.manager)).toEqual(['argocd-controller']);
  });
});

describe('sealing-key renewal on dr-us', () => {
  it('files sealed with the old key still open; a file sealed with the new certificate is refused by validate (SEC005) until the cluster declares it, and the controller opens it', async () => {
    const cluster = clusters.get('dr-us')!;
    const controller = controllers.get('dr-us')!;
    const before = await controller.certificate();
    controller.renewKey();
    let renewed = before;
    await waitFor(
      async () => {
        renewed = await controller.certificate();
        return renewed !== before;
      },
      { timeoutMs: 60_000, describe: () => 'the controller did not publish a new certificate after SIGUSR1' },
    );

    // Old files still open: the Secret, deleted, comes back from its SealedSecret sealed with the old key.
    const name = 'velero-us-backups-credentials';
    await cluster.kubectlOk(['delete', 'secret', name, '-n', 'velero']);
    await waitFor(async () => (await secret(cluster, name)) !== undefined, { timeoutMs: 60_000, describe: () => `${name} was not unsealed again with the old key` });

    // A copy of the organisation whose file is sealed with the new certificate.
    const project = path.join(repoRoot, '.tmp', `e2e-renewal-${process.pid}`);
    rmSync(project, { recursive: true, force: true });
    cpSync(testOrganisation, path.join(project, 'policies'), { recursive: true });
    const policies = path.join(project, 'policies');
    writeFileSync(path.join(project, 'renewed.pem'), renewed);
    const plaintext = EXAMPLE_SECRETS.find((e) => e.cluster === 'dr-us' && e.name === name)!.data.cloud!;
    const cli = (args: string[], input?: string) => spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'restorable.mjs'), ...args], { cwd: repoRoot, input, encoding: 'utf8' });
    try {
      const sealedFile = cli(['seal', '--cert', path.join(project, 'renewed.pem'), '--namespace', 'velero', '--name', name, 'cloud=-'], plaintext);
      expect(sealedFile.status, sealedFile.stderr).toBe(0);
      writeFileSync(path.join(policies, 'sealed', 'dr-us', `${name}.yaml`), sealedFile.stdout);

      const refused = cli(['validate', '--policies', path.relative(repoRoot, policies), '--no-drift', '--no-typecheck']);
      expect(refused.status).toBe(1);
      expect(`${refused.stdout}${refused.stderr}`).toMatch(/SEC005/);

      writeFileSync(path.join(policies, 'clusters', 'dr-us', 'sealing-renewed.pem'), renewed);
      const clustersFile = path.join(policies, 'clusters.ts');
      writeFileSync(clustersFile, readFileSync(clustersFile, 'utf8').replace("sealingCertificates: ['clusters/dr-us/sealing-2026-11.pem']", "sealingCertificates: ['clusters/dr-us/sealing-renewed.pem', 'clusters/dr-us/sealing-2026-11.pem']"));
      const accepted = cli(['validate', '--policies', path.relative(repoRoot, policies), '--no-drift', '--no-typecheck']);
      expect(`${accepted.stdout}${accepted.stderr}`).not.toMatch(/SEC005/);
      expect(accepted.status, `${accepted.stdout}${accepted.stderr}`).toBe(0);

      await cluster.kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', path.join(policies, 'sealed', 'dr-us', `${name}.yaml`)]);
      await waitFor(async () => (await sealedSecretHealth(cluster, name)).status === 'Healthy' && (await secret(cluster, name)) !== undefined, {
        timeoutMs: 60_000,
        describe: () => 'the controller did not open the file sealed with its new certificate',
      });
      const opened = await secret(cluster, name);
      expect(Buffer.from(opened?.data?.cloud ?? '', 'base64').toString() === plaintext).toBe(true);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
