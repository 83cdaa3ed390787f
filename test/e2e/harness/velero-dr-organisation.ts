/**
 * The two-cluster Velero test organisation: `prod` writes the shop's backups to the harness's
 * object store, whose bucket declares a replica in a second object store of another region (a
 * second gateway: replication itself cannot run here, so the tests copy the objects with
 * {@link DrPair.replicate}). `dr` lists the storage and, as the target of the region-loss plan,
 * reads it from the replica (a ReadOnly location there; its credentials the replica store's restore
 * key: read everything, write only under `<prefix>/restores/`, which Velero needs even through a
 * ReadOnly location; dr holds no key of prod's store) and restores the shop into `shop-dr`; dr's own
 * bucket is its default location, where it backs up after the failover. Each cluster has its own
 * sealing key (the committed test keys of prod-eu and dr-us); both hold the same repository password.
 * Written at test time under the repository's `.tmp/`, like harness/velero-organisation.ts.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { ArgoHealth, downloadArgoCd } from './argocd-health.ts';
import { type SyncedObject, syncFolder } from './argocd-sync.ts';
import type { ControlPlane } from './control-plane.ts';
import { type ObjectStore, type S3Key, startObjectStore } from './object-store.ts';
import { installCrds, synthOrganisation, UPSTREAM_CRDS } from './organisation.ts';
import { hooksOnHost } from './pod-on-host.ts';
import { startSealedSecretsController } from './sealed-secrets.ts';
import { repoRoot, type TestRun } from './test-run.ts';
import { ORG, prodStorageSource, s3StorageSource, SHOP_POLICY_SOURCE, STORAGE_CLASS, TEST_CERTIFICATE, TEST_KEY } from './velero-organisation.ts';
import { installVelero, type Velero } from './velero.ts';

/** Names the two-cluster scenario relies on (the rest as in {@link ORG}). */
export const DR = {
  cluster: 'dr',
  plan: 'shop-region-loss',
  namespace: 'shop-dr',
  storageClass: 'e2e-dr-immediate',
  registry: { from: 'registry.example', to: 'registry.dr.example' },
  installPrefix: 'dr-velero-install',
  /** dr's own storage (its default location: after a failover it backs up there), in a bucket of its own. */
  storage: 'e2e-dr-backups',
  credentials: 'velero-e2e-dr-backups-credentials',
  bucket: 'restorable-e2e-dr',
  prefix: 'dr',
  /** The replica of prod's bucket, in the second store, and dr's credentials for it. */
  replica: { bucket: 'restorable-e2e-replica', region: 'e2e-replica', credentials: 'velero-e2e-replica-credentials', lag: '90s', lagSeconds: 90 },
} as const;

const DR_CERTIFICATE = path.join(repoRoot, 'test', 'fixtures', 'orgs', 'example', 'policies', 'clusters', 'dr-us', 'sealing-2026-11.pem');
const DR_KEY = path.join(repoRoot, 'test', 'fixtures', 'certs', 'dr-us.key.pem');

const clustersSource = (store: ObjectStore, replica: ObjectStore) => `/** prod writes the backups to the harness's object store; dr reads them from the replica (ReadOnly there). */
import { cluster, s3Storage, sealed } from 'restorable';

${prodStorageSource(
  store,
  `  replication: {
    bucket: ${JSON.stringify(DR.replica.bucket)},
    region: ${JSON.stringify(replica.region)},
    endpoint: ${JSON.stringify(replica.endpoint)},
    lag: ${JSON.stringify(DR.replica.lag)},
    credentials: sealed(${JSON.stringify(DR.replica.credentials)}),
  },
`,
)}

/** dr's own bucket: it lists prod's storage to restore, and backs up here after a failover. */
${s3StorageSource('drBackups', { name: DR.storage, bucket: DR.bucket, prefix: DR.prefix, credentials: DR.credentials }, store)}

const common = {
  environment: 'e2e',
  repositoryPassword: sealed('velero-repo-credentials', 'repository-password'),
  images: { kubectl: 'docker.io/alpine/k8s:1.33.4' },
  monitoring: 'prometheus-operator',
} as const;

export const prod = cluster(${JSON.stringify(ORG.cluster)}, { ...common, storage: [e2eBackups], sealingCertificates: ['clusters/prod/sealing.pem'], sealingKeyRecovery: 'the committed test key pair of prod-eu' });
export const dr = cluster(${JSON.stringify(DR.cluster)}, { ...common, storage: [drBackups, e2eBackups], sealingCertificates: ['clusters/dr/sealing.pem'], sealingKeyRecovery: 'the committed test key pair of dr-us' });
`;

const shopSource = `/** The shop: objects only (pods never run in these tests). */
import { backupPolicy, restorePlan } from 'restorable';
import { dr, e2eBackups, prod } from '../clusters.ts';

${SHOP_POLICY_SOURCE}

/** prod's region is gone: the shop comes back on dr, in its own namespace, on dr's storage class and registry. */
export const shopRegionLoss = restorePlan(${JSON.stringify(DR.plan)}, {
  from: shop,
  to: dr,
  scenario: 'region-loss',
  rto: '30m',
  namespaceMapping: { ${JSON.stringify(ORG.namespace)}: ${JSON.stringify(DR.namespace)} },
  storageClassMapping: { ${JSON.stringify(STORAGE_CLASS)}: ${JSON.stringify(DR.storageClass)} },
  transforms: [{ type: 'rewrite-image-registry', from: ${JSON.stringify(DR.registry.from)}, to: ${JSON.stringify(DR.registry.to)} }],
  secretsRecovery: 'secrets-from-backup',
});
`;

/** The policies folder, with each cluster's credentials and the shared repository password sealed for it by `restorable seal --write`. */
function writeOrganisation(store: ObjectStore, replica: ObjectStore, label: string): { policiesDir: string; cleanup: () => void } {
  const dir = path.join(repoRoot, '.tmp', `e2e-org-${label}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  const policiesDir = path.join(dir, 'policies');
  mkdirSync(path.join(policiesDir, 'teams'), { recursive: true });
  for (const [name, cert] of [
    [ORG.cluster, TEST_CERTIFICATE],
    [DR.cluster, DR_CERTIFICATE],
  ] as const) {
    mkdirSync(path.join(policiesDir, 'clusters', name), { recursive: true });
    copyFileSync(cert, path.join(policiesDir, 'clusters', name, 'sealing.pem'));
  }
  writeFileSync(path.join(policiesDir, 'clusters.ts'), clustersSource(store, replica));
  writeFileSync(path.join(policiesDir, 'teams', 'shop.ts'), shopSource);

  const secrets = path.join(dir, 'plaintext');
  mkdirSync(secrets, { mode: 0o700 });
  const seal = (cluster: string, name: string, key: string, value: string) => {
    const file = path.join(secrets, key);
    writeFileSync(file, value, { mode: 0o600 });
    execFileSync(
      process.execPath,
      [path.join(repoRoot, 'bin', 'restorable.mjs'), 'seal', '--cluster', cluster, '--policies', policiesDir, '--namespace', 'velero', '--name', name, '--write', `${key}=${file}`],
      { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] },
    );
  };
  const cloud = (key: S3Key) => `[default]\naws_access_key_id=${key.accessKeyId}\naws_secret_access_key=${key.secretAccessKey}\n`;
  const repositoryPassword = randomBytes(24).toString('base64url');
  seal(ORG.cluster, ORG.credentials, 'cloud', cloud(store.admin));
  // dr reads prod's storage only from the replica: it holds no key of prod's store.
  seal(DR.cluster, DR.replica.credentials, 'cloud', cloud(replica.restoreOnly));
  seal(DR.cluster, DR.credentials, 'cloud', cloud(store.admin));
  for (const cluster of [ORG.cluster, DR.cluster]) seal(cluster, 'velero-repo-credentials', 'repository-password', repositoryPassword);
  rmSync(secrets, { recursive: true, force: true });
  return { policiesDir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One prepared cluster of the pair. */
export interface PreparedCluster {
  readonly cluster: ControlPlane;
  readonly velero: Velero;
  /** `generated/clusters/<name>`. */
  readonly folder: string;
  readonly synced: readonly SyncedObject[];
}

/** Both clusters, the store they share and the compiled output. */
export interface DrPair {
  readonly store: ObjectStore;
  /** The second store, of another region, holding the replica of prod's bucket. */
  readonly replica: ObjectStore;
  /**
   * What S3 Replication would do, which cannot run here: copies every object under prod's prefix
   * to the replica bucket; returns how many it copied.
   */
  replicate(): Promise<number>;
  readonly prod: PreparedCluster;
  readonly dr: PreparedCluster;
  readonly generated: string;
  /** The folder of the real kubectl (the pod stand-in's). */
  readonly kubectlDir: string;
  stop(): Promise<void>;
}

/** Options of {@link startDrPair}. */
export interface DrPairOptions {
  /** Called on each cluster after it starts and before its folder is synced. */
  readonly beforeSync?: (cluster: ControlPlane, name: 'prod' | 'dr') => Promise<void>;
}

/** Starts the store, then per cluster: the control plane, Velero, the Sealed Secrets controller with its key, and restorable's folder synced. */
export async function startDrPair(run: TestRun, label: string, options: DrPairOptions = {}): Promise<DrPair> {
  const store = await startObjectStore({ name: 'objectstore', binDir: inject('objectstoreBin'), runDir: run.runDir, buckets: [ORG.bucket, DR.bucket], restorePrefixes: [ORG.prefix] });
  const started: Velero[] = [];
  let organisation: ReturnType<typeof writeOrganisation> | undefined;
  let replica: ObjectStore | undefined;
  const stopAll = async () => {
    for (const velero of started) await velero.stop();
    await replica?.stop();
    await store.stop();
    organisation?.cleanup();
  };
  try {
    replica = await startObjectStore({
      name: 'objectstore-replica',
      binDir: inject('objectstoreBin'),
      runDir: run.runDir,
      buckets: [DR.replica.bucket],
      restorePrefixes: [ORG.prefix],
      region: DR.replica.region,
    });
    const replicaStore = replica;
    organisation = writeOrganisation(store, replicaStore, label);
    const generated = synthOrganisation(organisation.policiesDir, label);
    const kubectlDir = path.dirname(run.binaries.kubectl);
    const health = new ArgoHealth(downloadArgoCd(), path.join(inject('luaHealthBin'), 'lua-health'));
    const prepare = async (name: 'prod' | 'dr', installPrefix: string, key: { cert: string; key: string }): Promise<PreparedCluster> => {
      const folder = path.join(generated, 'clusters', name);
      const cluster = await run.cluster(name);
      await installCrds(
        cluster,
        UPSTREAM_CRDS.filter((file) => file.includes(`${path.sep}sealed-secrets${path.sep}`) || file.includes(`${path.sep}prometheus-operator${path.sep}`)),
      );
      const velero = await installVelero({
        cluster,
        store,
        bucket: ORG.bucket,
        prefix: installPrefix,
        runDir: run.runDir,
        veleroBinDir: inject('veleroBin'),
        awsPluginBinDir: inject('veleroPluginForAwsBin'),
      });
      started.push(velero);
      await startSealedSecretsController({ cluster, binary: path.join(inject('sealedSecretsBin'), 'sealed-secrets-controller'), runDir: run.runDir, key });
      await options.beforeSync?.(cluster, name);
      const synced = await syncFolder({ cluster, folder, health, runHook: hooksOnHost({ cluster, kubectlDir, workDir: path.join(run.runDir, `${name}-pods`) }) });
      return { cluster, velero, folder, synced };
    };
    const prod = await prepare('prod', ORG.installPrefix, { cert: TEST_CERTIFICATE, key: TEST_KEY });
    const dr = await prepare('dr', DR.installPrefix, { cert: DR_CERTIFICATE, key: DR_KEY });
    return {
      store,
      replica: replicaStore,
      async replicate() {
        const keys = await store.listObjects(ORG.bucket, `${ORG.prefix}/`);
        for (const key of keys) {
          const answer = await replicaStore.putObject(DR.replica.bucket, key, await store.getObject(ORG.bucket, key));
          if (answer.status !== 200) throw new Error(`copying ${key} to the replica: HTTP ${answer.status}`);
        }
        return keys.length;
      },
      prod,
      dr,
      generated,
      kubectlDir,
      async stop() {
        await stopAll();
        rmSync(path.dirname(generated), { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
