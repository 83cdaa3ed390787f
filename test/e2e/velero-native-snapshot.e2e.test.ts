/**
 * COV013 against real Velero v1.18.1 and velero-plugin-for-aws v1.14.3: a backup asking for native
 * snapshots through an AWS VolumeSnapshotLocation, of a claim bound to a volume another provisioner
 * made (local-path, a hostPath volume), takes no snapshot of it and completes without an error (one
 * warning in its log): the plugin returns no volume ID and Velero skips the volume. restorable's coverage model
 * must say that claim's data is not captured. No pods run here (no kubelet) and no AWS API is
 * called: the plugin decides from the PersistentVolume alone, before any snapshot call.
 */
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { backupPolicy, cluster as declareCluster, s3Storage, sealed } from '../../src/index.ts';
import { inventoryFromList } from '../../src/inventory/import.ts';
import { resolve } from '../../src/model/resolve.ts';
import { captureOf } from '../../src/rules/capture.ts';
import { type ObjectStore, startObjectStore } from './harness/object-store.ts';
import { waitFor } from './harness/processes.ts';
import { useTestRun } from './harness/test-run.ts';
import { installVelero, type Velero } from './harness/velero.ts';

const run = useTestRun('velero-native-snapshot');
let store: ObjectStore | undefined;
let velero: Velero | undefined;
afterAll(async () => {
  await velero?.stop();
  await store?.stop();
});

/** A local-path claim statically bound to its hostPath volume, as the local-path provisioner leaves them. */
const objects = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'search' } },
    { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local-path' }, provisioner: 'rancher.io/local-path', volumeBindingMode: 'Immediate' },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pv-search-cache', annotations: { 'pv.kubernetes.io/provisioned-by': 'rancher.io/local-path' } },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'local-path',
        hostPath: { path: '/var/lib/local-path/search-cache', type: 'DirectoryOrCreate' },
        claimRef: { namespace: 'search', name: 'cache' },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'cache', namespace: 'search', labels: { app: 'search' } },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'local-path', volumeName: 'pv-search-cache' },
    },
  ],
};

describe('native snapshots against real Velero (no kubelet: the volume is an API object)', () => {
  it("GIVEN a local-path claim and a backup with native snapshots through an AWS location WHEN it runs THEN Velero completes without attempting a snapshot, and the coverage model reports the claim's data as not captured", { timeout: 600_000 }, async () => {
    const cluster = await run.cluster('prod-eu');
    const bucket = 'velero-backups';
    store = await startObjectStore({ name: 'objectstore', binDir: inject('objectstoreBin'), runDir: run.runDir, buckets: [bucket] });
    velero = await installVelero({ cluster, store, bucket, prefix: 'prod-eu', runDir: run.runDir, veleroBinDir: inject('veleroBin'), awsPluginBinDir: inject('veleroPluginForAwsBin') });
    await cluster.kubectlOk(['apply', '--server-side', '-f', '-'], { input: JSON.stringify(objects) });
    // The location restorable generates for a native-snapshot policy on an AWS storage.
    const location = { apiVersion: 'velero.io/v1', kind: 'VolumeSnapshotLocation', metadata: { name: 'backups-snapshots', namespace: velero.namespace }, spec: { provider: 'aws', config: { region: 'us-east-1' } } };
    await cluster.kubectlOk(['apply', '--server-side', '-f', '-'], { input: JSON.stringify(location) });
    await waitFor(async () => (await cluster.kubectlOk(['get', 'pvc', 'cache', '-n', 'search', '-o', 'jsonpath={.status.phase}'])) === 'Bound', { describe: () => 'the claim search/cache did not bind to its volume within 60 s', timeoutMs: 60_000 });

    const output = await velero.cliOk(['backup', 'create', 'search', '--include-namespaces=search', '--snapshot-volumes=true', '--volume-snapshot-locations=backups-snapshots', '--wait']);
    const backup = JSON.parse(await cluster.kubectlOk(['get', 'backups.velero.io', 'search', '-n', velero.namespace, '-o', 'json'])) as { status: Record<string, unknown> };
    const logs = gunzipSync(await store.getObject(bucket, 'prod-eu/backups/search/search-logs.gz')).toString('utf8');

    expect(output).toMatch(/Backup completed with status: Completed/);
    expect(backup.status.volumeSnapshotsAttempted ?? 0).toBe(0);
    expect(backup.status.errors ?? 0).toBe(0);
    expect(backup.status.warnings).toBe(1);
    expect(logs).toMatch(/level=warning msg="No volume ID returned by volume snapshotter for persistent volume" .*persistentVolume=pv-search-cache .*volumeSnapshotLocation=backups-snapshots/);
    expect(logs).toContain('Summary for skipped PVs: [{\\"name\\":\\"pv-search-cache\\",\\"reasons\\":[{\\"approach\\":\\"volumeSnapshot\\",\\"reason\\":\\"no applicable volumesnapshotter found\\"}]}]');

    const list = JSON.parse(await cluster.kubectlOk(['get', 'namespaces,persistentvolumeclaims,statefulsets,pods,storageclasses', '-A', '-o', 'json'])) as unknown;
    const { inventory } = inventoryFromList(list, 'prod-eu');
    const storage = s3Storage('backups', { bucket, region: 'us-east-1', credentials: sealed('creds') });
    const prodEu = declareCluster('prod-eu', { environment: 'production', storage: [storage] });
    const { model } = resolve([storage, prodEu, backupPolicy('search', { cluster: prodEu, namespaces: ['search'], rpo: '1h', retention: { daily: 7 }, volumes: 'native-snapshot' })]);
    const [policy] = model.policies;
    if (!policy) throw new Error('the policy did not resolve');
    expect(captureOf(policy, model.clusters[0], inventory, 'search', 'cache', 'aws')).toEqual({ kind: 'no-native-snapshot', provider: 'aws', provisioner: 'rancher.io/local-path', storageClass: 'local-path' });
  });
});
