/**
 * A cluster-to-cluster restore after a region loss, between two real control planes: prod backs the
 * shop up with real Velero v1.18.1 into its object store; the storage declares a replica in a second
 * object store of another region, which dr, the region-loss target, reads through a ReadOnly
 * location (S3 Replication cannot run here: the test copies prod's objects to the replica). dr syncs
 * the backups from the replica and its runner (a Job made from `restore-<plan>`, its pod run on the
 * host as the runner's ServiceAccount: no kubelet) restores the newest one completed longer ago than
 * the declared replication lag into `shop-dr`, on dr's StorageClass, images rewritten to dr's registry.
 *
 * dr's key may read the replica and write only under `<prefix>/restores/`: Velero v1.18.1 writes a
 * restore's logs and results there even through a ReadOnly location, and with a key that may not
 * (the store's read-only key) the Restore stays in Finalizing: its finalizer retries the refused
 * PutObject of the results with backoff and never marks it Completed.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlPlane } from './harness/control-plane.ts';
import { type HostPodResult, type JobLike, runJobPodOnHost } from './harness/pod-on-host.ts';
import { waitFor } from './harness/processes.ts';
import { repoRoot, useTestRun } from './harness/test-run.ts';
import { DR, type DrPair, startDrPair } from './harness/velero-dr-organisation.ts';
import { createShop, namespaceState, ORG, STORAGE_CLASS, TEST_CERTIFICATE } from './harness/velero-organisation.ts';

const run = useTestRun('cluster-to-cluster');
const RUNNER = `restore-${DR.plan}`;
const BACKUP = 'shop-before-region-loss';
/** Completed after BACKUP, and within the replication lag when the runner chooses: it must not be restored. */
const NEWER = 'shop-within-replication-lag';
/** A SealedSecret of the shop, sealed for prod's key (strict scope: namespace shop, name api-token). */
const SEALED = 'api-token';
let pair: DrPair;

/** Cluster-scoped objects the shop needs that Velero leaves out of a backup of its namespace. */
const SHOP_CLUSTER_SCOPED = { clusterRole: 'shop-metrics-reader', ingressClass: 'shop-edge' } as const;

/** prod's shop, with a SealedSecret its controller unseals, and a ClusterRole (bound only by a RoleBinding) and an IngressClass of its own. */
async function createProdShop(cluster: ControlPlane): Promise<void> {
  await createShop(cluster);
  await cluster.kubectlOk(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: SHOP_CLUSTER_SCOPED.clusterRole }, rules: [{ apiGroups: [''], resources: ['services'], verbs: ['get'] }] },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'metrics-readers', namespace: ORG.namespace },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: SHOP_CLUSTER_SCOPED.clusterRole },
          subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'shop-metrics' }],
        },
        { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: SHOP_CLUSTER_SCOPED.ingressClass }, spec: { controller: 'example.com/shop-edge' } },
      ],
    }),
  });
  const sealed = execFileSync(
    process.execPath,
    [path.join(repoRoot, 'bin', 'restorable.mjs'), 'seal', '--cert', TEST_CERTIFICATE, '--namespace', ORG.namespace, '--name', SEALED, 'token=-'],
    { cwd: repoRoot, input: 'e2e-api-token', encoding: 'utf8' },
  );
  await cluster.kubectlOk(['apply', '-f', '-'], { input: sealed });
  await waitFor(async () => (await cluster.kubectl(['get', 'secret', SEALED, '-n', ORG.namespace])).code === 0, {
    timeoutMs: 60_000,
    describe: () => "prod's controller did not unseal the shop's SealedSecret within 60 s",
  });
}

/** dr's StorageClass for the mapped claims, and a PersistentVolume of it waiting for each mapped claim. */
async function prepareDr(cluster: ControlPlane): Promise<void> {
  const volume = (i: number) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: `shop-db-${i}` },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      storageClassName: DR.storageClass,
      persistentVolumeReclaimPolicy: 'Retain',
      hostPath: { path: `/var/lib/restorable-e2e/dr-shop-db-${i}`, type: 'DirectoryOrCreate' },
      claimRef: { namespace: DR.namespace, name: `data-db-${i}` },
    },
  });
  await cluster.kubectlOk(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: DR.storageClass }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'Immediate', reclaimPolicy: 'Retain' },
        volume(0),
        volume(1),
      ],
    }),
  });
}

beforeAll(async () => {
  pair = await startDrPair(run, 'cluster-to-cluster', { beforeSync: (cluster, name) => (name === 'prod' ? createProdShop(cluster) : prepareDr(cluster)) });
});
afterAll(async () => {
  await pair?.stop();
});

interface Restore {
  metadata: { name: string; labels: Record<string, string> };
  spec: { backupName: string; includedResources?: string[]; excludedResources?: string[] };
  status?: { phase?: string; errors?: number; warnings?: number; startTimestamp?: string; completionTimestamp?: string };
}

const getJson = async <T>(cluster: ControlPlane, args: readonly string[]): Promise<T> => JSON.parse(await cluster.kubectlOk([...args, '-o', 'json'])) as T;

describe('region loss: prod backs up, dr restores from the replica of prod\'s storage (replication cannot run here: the test copies the objects to a second object store; ReadOnly on dr; the runner pod runs on the host as its ServiceAccount: no kubelet)', () => {
  it('dr restores, from the replica, the newest backup completed longer ago than the replication lag (not a newer one) into the mapped namespace, on its StorageClass, images rewritten, every Restore Completed and the result ok; dr writes into the replica only its Restores\' files and nothing into prod\'s bucket', { timeout: 1_200_000 }, async () => {
    const { prod, dr, store, replica } = pair;
    // The location as restorable compiled it for dr: prod's storage by name and prefix, read from the
    // replica (its bucket, region and endpoint), ReadOnly, with the replica store's restore key.
    const bsl = await getJson<{ spec: { accessMode: string; credential: { name: string }; objectStorage: { bucket: string; prefix: string }; config: Record<string, string> } }>(dr.cluster, ['get', 'backupstoragelocations.velero.io', ORG.storage, '-n', 'velero']);
    expect(bsl.spec.accessMode).toBe('ReadOnly');
    expect(bsl.spec.objectStorage).toEqual({ bucket: DR.replica.bucket, prefix: ORG.prefix });
    expect(bsl.spec.config).toMatchObject({ region: DR.replica.region, s3Url: replica.endpoint });
    const credentials = await getJson<{ data: { cloud: string } }>(dr.cluster, ['get', 'secret', bsl.spec.credential.name, '-n', 'velero']);
    expect(Buffer.from(credentials.data.cloud, 'base64').toString()).toContain(replica.restoreOnly.accessKeyId);
    await dr.velero.waitForBackupStorageLocation(ORG.storage, 120_000);
    // What each key may write where Velero puts a restore's logs and results, and elsewhere.
    const probe = `${ORG.prefix}/restores/e2e-probe/probe.txt`;
    expect((await replica.putObject(DR.replica.bucket, probe, 'probe', replica.readOnly)).status).toBe(403);
    expect((await replica.putObject(DR.replica.bucket, probe, 'probe', replica.restoreOnly)).status).toBe(200);
    expect((await replica.request({ method: 'DELETE', bucket: DR.replica.bucket, key: probe })).status).toBe(204);
    for (const key of [`${ORG.prefix}/backups/e2e-probe/probe.txt`, `${ORG.prefix}/e2e-probe.txt`, 'e2e-probe.txt']) {
      expect((await replica.putObject(DR.replica.bucket, key, 'probe', replica.restoreOnly)).status, key).toBe(403);
    }

    expect(await prod.velero.cliOk(['backup', 'create', BACKUP, '--from-schedule=shop-hourly', '--wait'], { timeoutMs: 240_000 })).toMatch(/Completed/);
    const before = await namespaceState(prod.cluster, ORG.namespace);
    expect(before[`Secret/${SEALED}`]).toBeDefined();
    const completedAt = async (backup: string) => Date.parse(await prod.cluster.kubectlOk(['get', 'backups.velero.io', backup, '-n', 'velero', '-o', 'jsonpath={.status.completionTimestamp}']));
    const synced = (backup: string) =>
      waitFor(async () => /Completed/.test((await dr.velero.cli(['backup', 'get', backup])).stdout), {
        timeoutMs: 240_000,
        intervalMs: 2_000,
        describe: () => `dr's Velero did not sync backup ${backup} from the replica within 240 s`,
      });

    // What replication would do; dr's Velero syncs the backup from the replica.
    expect(await pair.replicate()).toBeGreaterThan(0);
    await synced(BACKUP);
    const completedBackup = await completedAt(BACKUP);
    // Once BACKUP is older than the lag, prod backs up again: the newer backup reaches the replica
    // and dr, but is still within the lag when the runner chooses.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, completedBackup + (DR.replica.lagSeconds + 1) * 1000 - Date.now())));
    expect(await prod.velero.cliOk(['backup', 'create', NEWER, '--from-schedule=shop-hourly', '--wait'], { timeoutMs: 240_000 })).toMatch(/Completed/);
    expect(await pair.replicate()).toBeGreaterThan(0);
    await synced(NEWER);
    const completedNewer = await completedAt(NEWER);
    const bucketBefore = new Set(await store.listObjects(ORG.bucket));
    const replicaBefore = new Set(await replica.listObjects(DR.replica.bucket));

    await dr.cluster.kubectlOk(['create', 'job', 'restore-region-loss', `--from=cronjob/${RUNNER}`, '-n', 'velero']);
    const job = await getJson<JobLike>(dr.cluster, ['get', 'job', 'restore-region-loss', '-n', 'velero']);
    expect(job.spec.template.spec.serviceAccountName).toBe(RUNNER);
    const started = Date.now();
    const result: HostPodResult = await runJobPodOnHost(job, { cluster: dr.cluster, kubectlDir: pair.kubectlDir, workDir: path.join(run.runDir, 'dr-pods'), timeoutMs: 600_000 });
    const seconds = Math.round((Date.now() - started) / 1000);
    expect(result.code, result.output).toBe(0);
    // The runner chose by completion time against its own clock: BACKUP completed by its limit, NEWER after it.
    const completedBy = Date.parse(/only backups completed by (\S+)/.exec(result.output)?.[1] ?? '');
    expect(completedBackup).toBeLessThanOrEqual(completedBy);
    expect(completedNewer, `${NEWER} was older than the lag when the runner chose (the premise of this test)`).toBeGreaterThan(completedBy);

    const runId = /run (\d{14})/.exec(result.output)?.[1] ?? '';
    const restores = (await getJson<{ items: Restore[] }>(dr.cluster, ['get', 'restores.velero.io', '-n', 'velero', '-l', `restorable.dev/plan=${DR.plan},restorable.dev/run=run-${runId}`])).items;
    expect(restores.length).toBeGreaterThan(0);
    // What Velero leaves out of a namespace backup came back first, in a step of its own: prod's
    // StorageClass, the ClusterRole only a RoleBinding names, the IngressClass.
    const scoped = restores.find((r) => r.metadata.labels['restorable.dev/step'] === 'cluster-scoped');
    expect(scoped?.metadata.name).toBe(`${DR.plan}-c1-${runId}`);
    for (const restore of restores.filter((r) => r !== scoped)) expect(Date.parse(restore.status?.startTimestamp ?? '')).toBeGreaterThanOrEqual(Date.parse(scoped?.status?.completionTimestamp ?? ''));
    expect(await dr.cluster.kubectlOk(['get', 'storageclass', STORAGE_CLASS, '-o', 'jsonpath={.provisioner}'])).toBe('kubernetes.io/no-provisioner');
    expect(await dr.cluster.kubectlOk(['get', 'clusterrole', SHOP_CLUSTER_SCOPED.clusterRole, '-o', 'jsonpath={.rules[0].resources[0]}'])).toBe('services');
    expect(await dr.cluster.kubectlOk(['get', 'ingressclass', SHOP_CLUSTER_SCOPED.ingressClass, '-o', 'jsonpath={.spec.controller}'])).toBe('example.com/shop-edge');
    for (const restore of restores) {
      expect(restore.status?.phase, restore.metadata.name).toBe('Completed');
      expect(restore.status?.errors ?? 0, restore.metadata.name).toBe(0);
      expect(restore.spec.backupName).toBe(BACKUP);
    }

    await waitFor(async () => (await dr.cluster.kubectlOk(['get', 'pvc', '-n', DR.namespace, '-o', 'jsonpath={.items[*].status.phase}'])) === 'Bound Bound', {
      timeoutMs: 60_000,
      describe: () => 'the restored claims were not bound on dr',
    });
    const after = await namespaceState(dr.cluster, DR.namespace);
    const expected = Object.fromEntries(
      Object.entries(before).map(([key, value]) => {
        const v = value as Record<string, unknown>;
        if (key.startsWith('PersistentVolumeClaim/')) return [key, { ...v, storageClassName: DR.storageClass }];
        if (key.startsWith('Deployment/') || key.startsWith('StatefulSet/')) return [key, { ...v, images: (v.images as string[]).map((i) => i.replace(`${DR.registry.from}/`, `${DR.registry.to}/`)) }];
        if (key === 'RoleBinding/web-settings-reader') return [key, { ...v, subjects: (v.subjects as { namespace: string }[]).map((s) => ({ ...s, namespace: DR.namespace })) }];
        return [key, value];
      }),
    );
    expect(after).toEqual(expected);
    expect(STORAGE_CLASS).not.toBe(DR.storageClass);

    const recorded = (await getJson<{ data: Record<string, string> }>(dr.cluster, ['get', 'configmap', `${RUNNER}-last-run`, '-n', 'velero'])).data;
    expect(recorded.verdict).toBe('ok');
    expect(recorded.backups).toBe(`${ORG.policy}=${BACKUP}`);
    expect(Number(recorded.durationSeconds)).toBeLessThanOrEqual(seconds);

    // dr wrote into the replica only each Restore's files under <prefix>/restores/<restore>/, nothing
    // into prod's bucket (it holds no key of prod's store), and its Velero was refused nothing.
    const added = (await replica.listObjects(DR.replica.bucket)).filter((key) => !replicaBefore.has(key));
    expect(added.length).toBeGreaterThan(0);
    expect(added.filter((key) => !restores.some((r) => key.startsWith(`${ORG.prefix}/restores/${r.metadata.name}/`)))).toEqual([]);
    expect((await store.listObjects(ORG.bucket)).filter((key) => !bucketBefore.has(key) && !key.startsWith(`${DR.installPrefix}/`))).toEqual([]);
    // Refusals by the store only: Velero v1.18.1 rewrites a location's credentials file in place
    // (O_TRUNC, then write: internal/credentials/file_store.go) each time a controller opens the
    // location, so a plugin reading it mid-write finds no key and falls back to EC2's metadata
    // service, whose 403 is not the store's and is retried at the next sync.
    const refused = readFileSync(dr.velero.server.log, 'utf8')
      .split('\n')
      .filter((l) => /StatusCode: 403/.test(l) && !/ec2imds/.test(l));
    expect(refused).toEqual([]);

    // secretsRecovery 'secrets-from-backup': the Secret comes back from the backup with its value
    // (compared above), not marked for a controller; the SealedSecret, which dr's controller cannot
    // open (sealed for prod's key), stays out instead of failing there and turning Argo CD Degraded.
    // On prod the SealedSecret owns its Secret; the restored Secret has no owner references.
    expect(await prod.cluster.kubectlOk(['get', 'secret', SEALED, '-n', ORG.namespace, '-o', 'jsonpath={.metadata.ownerReferences[*].kind}'])).toBe('SealedSecret');
    expect(await dr.cluster.kubectlOk(['get', 'secret', SEALED, '-n', DR.namespace, '-o', 'jsonpath={.metadata.ownerReferences}'])).toBe('');
    expect(await dr.cluster.kubectlOk(['get', 'secret', SEALED, '-n', DR.namespace, '-o', 'jsonpath={.metadata.annotations.sealedsecrets\\.bitnami\\.com/managed}'])).toBe('');
    expect((await prod.cluster.kubectlOk(['get', 'sealedsecrets.bitnami.com', '-n', ORG.namespace, '-o', 'name'])).trim()).toBe(`sealedsecret.bitnami.com/${SEALED}`);
    expect((await dr.cluster.kubectlOk(['get', 'sealedsecrets.bitnami.com', '-n', DR.namespace, '-o', 'name'])).trim()).toBe('');
    for (const restore of restores) {
      // The first step of a cluster-loss plan restores only the cluster-scoped kinds it names, so
      // no SealedSecret can come back through it; every other step must leave them out.
      const included = restore.spec.includedResources;
      if (included !== undefined && included.length > 0 && !included.some((r) => r === '*' || r.startsWith('sealedsecrets'))) continue;
      expect(restore.spec.excludedResources, restore.metadata.name).toContain('sealedsecrets.bitnami.com');
    }
    console.log(`restore took ${seconds} s (recorded ${recorded.durationSeconds} s)`);
  });

  it("after the failover dr backs the restored shop up without naming a location: the backup goes to dr's own default location, never to prod's storage or its replica", { timeout: 600_000 }, async () => {
    const { dr, store, replica } = pair;
    const own = await getJson<{ spec: { accessMode: string; default?: boolean } }>(dr.cluster, ['get', 'backupstoragelocations.velero.io', DR.storage, '-n', 'velero']);
    expect(own.spec).toMatchObject({ accessMode: 'ReadWrite', default: true });
    await dr.velero.waitForBackupStorageLocation(DR.storage, 120_000);
    // Velero keeps one default: the installer's own `default` location, older, is flipped off.
    await waitFor(async () => (await dr.cluster.kubectlOk(['get', 'backupstoragelocations.velero.io', 'default', '-n', 'velero', '-o', 'jsonpath={.spec.default}'])) !== 'true', {
      timeoutMs: 60_000,
      describe: () => "dr's Velero kept its installer's location as a second default",
    });
    const prodBucketBefore = new Set(await store.listObjects(ORG.bucket));
    const replicaBefore = await replica.listObjects(DR.replica.bucket);

    const backup = 'shop-dr-after-failover';
    expect(await dr.velero.cliOk(['backup', 'create', backup, `--include-namespaces=${DR.namespace}`, '--snapshot-volumes=false', '--wait'], { timeoutMs: 240_000 })).toMatch(/Completed/);

    const created = await getJson<{ spec: { storageLocation: string }; status: { phase: string; errors?: number } }>(dr.cluster, ['get', 'backups.velero.io', backup, '-n', 'velero']);
    expect(created.spec.storageLocation).toBe(DR.storage);
    expect(created.status.phase).toBe('Completed');
    expect((await store.listObjects(DR.bucket)).filter((key) => key.startsWith(`${DR.prefix}/backups/${backup}/`)).length).toBeGreaterThan(0);
    expect((await store.listObjects(ORG.bucket)).filter((key) => !prodBucketBefore.has(key))).toEqual([]);
    expect(await replica.listObjects(DR.replica.bucket)).toEqual(replicaBefore);
  });
});
