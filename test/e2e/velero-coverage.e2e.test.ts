/**
 * The coverage model against a real backup: real Velero v1.18.1 backs up a namespace with a label
 * selector, and the claims in its tarball must be exactly the claims restorable's coverage model
 * says the policy selects (by the claim's own labels, or through a selected pod that mounts it),
 * computed from an inventory imported from the same control plane. No pods run here (no kubelet):
 * the pods exist as API objects, which is all Velero's pod action reads; claims stay Pending (no
 * provisioner), so no volume data is involved, only which claims the backup takes.
 */
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { backupPolicy, cluster as declareCluster, s3Storage, sealed } from '../../src/index.ts';
import { inventoryFromList } from '../../src/inventory/import.ts';
import { resolve } from '../../src/model/resolve.ts';
import { captureOf } from '../../src/rules/capture.ts';
import { type ObjectStore, startObjectStore } from './harness/object-store.ts';
import { useTestRun } from './harness/test-run.ts';
import { installVelero, type Velero } from './harness/velero.ts';

const run = useTestRun('velero-coverage');
let store: ObjectStore | undefined;
let velero: Velero | undefined;
afterAll(async () => {
  await velero?.stop();
  await store?.stop();
});

/** File names of a tar archive (ustar, as Go's archive/tar writes it). */
function tarNames(archive: Buffer): string[] {
  const names: string[] = [];
  let offset = 0;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) => header.subarray(start, start + length).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const prefix = field(345, 155);
    if (field(156, 1) === '0' || field(156, 1) === '') names.push(prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

const claim = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'shop', labels },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard' },
});

const pod = (name: string, labels: Record<string, string>, claims: string[]) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', labels },
  spec: { containers: [{ name: 'main', image: 'registry.example/app:1' }], volumes: claims.map((claimName, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName } })) },
});

/**
 * A shop with two apps in one namespace: web's claim is labelled app=web; an unlabelled claim is
 * mounted by a web pod; the database's claim is labelled app=db and mounted by the db pod; an
 * unlabelled claim no pod mounts.
 */
const shop = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { app: 'web' } } },
    { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'standard' }, provisioner: 'ebs.csi.aws.com' },
    claim('web-uploads', { app: 'web' }),
    claim('web-sessions', {}),
    claim('db-data', { app: 'db' }),
    claim('scratch', {}),
    pod('web-0', { app: 'web' }, ['web-sessions']),
    pod('db-0', { app: 'db' }, ['db-data']),
  ],
};

describe('coverage model against a real Velero backup (pods are API objects only: no kubelet)', () => {
  it('GIVEN backups of the shop with selector app=web, with and without pods in the resource filters WHEN their tarballs are read THEN each holds exactly the claims the coverage model says the policy selects', { timeout: 600_000 }, async () => {
    const cluster = await run.cluster('prod-eu');
    const bucket = 'velero-backups';
    store = await startObjectStore({ name: 'objectstore', binDir: inject('objectstoreBin'), runDir: run.runDir, buckets: [bucket] });
    velero = await installVelero({ cluster, store, bucket, prefix: 'prod-eu', runDir: run.runDir, veleroBinDir: inject('veleroBin'), awsPluginBinDir: inject('veleroPluginForAwsBin') });
    await cluster.kubectlOk(['apply', '--server-side', '-f', '-'], { input: JSON.stringify(shop) });

    // The Backup restorable's Schedule would create for the policy below (no volume data here).
    const output = await velero.cliOk(['backup', 'create', 'shop-web', '--include-namespaces=shop', '--selector', 'app=web', '--snapshot-volumes=false', '--wait']);
    expect(output).toMatch(/Backup completed with status: (Completed|PartiallyFailed)/);
    const names = tarNames(gunzipSync(await store.getObject(bucket, 'prod-eu/backups/shop-web/shop-web.tar.gz')));
    const inBackup = names.filter((n) => n.startsWith('resources/persistentvolumeclaims/namespaces/shop/')).map((n) => n.split('/').pop()?.replace(/\.json$/, '')).sort();

    // The model, from an inventory imported from the same control plane.
    const list = JSON.parse(await cluster.kubectlOk(['get', 'namespaces,persistentvolumeclaims,statefulsets,pods,storageclasses', '-A', '-o', 'json'])) as unknown;
    const { inventory } = inventoryFromList(list, 'prod-eu');
    const storage = s3Storage('backups', { bucket, region: 'us-east-1', credentials: sealed('creds') });
    const prodEu = declareCluster('prod-eu', { environment: 'production', storage: [storage] });
    const { model } = resolve([storage, prodEu, backupPolicy('shop-web', { cluster: prodEu, namespaces: ['shop'], selector: { matchLabels: { app: 'web' } }, rpo: '1h', retention: { daily: 7 }, volumes: 'native-snapshot' })]);
    const policy = model.policies[0];
    if (!policy) throw new Error('the policy did not resolve');
    const selected = Object.keys(inventory.namespaces.shop?.claims ?? {})
      .filter((name) => !['namespace', 'not-selected'].includes(captureOf(policy, undefined, inventory, 'shop', name).kind))
      .sort();

    expect(inBackup).toEqual(['web-sessions', 'web-uploads']);
    expect(selected).toEqual(inBackup);

    // Resource filters without pods: the pod action never runs, so the mounted claim is not taken.
    const claimsOnly = await velero.cliOk(['backup', 'create', 'shop-web-claims', '--include-namespaces=shop', '--selector', 'app=web', '--include-resources=persistentvolumeclaims', '--snapshot-volumes=false', '--wait']);
    expect(claimsOnly).toMatch(/Backup completed with status: (Completed|PartiallyFailed)/);
    const onlyClaims = tarNames(gunzipSync(await store.getObject(bucket, 'prod-eu/backups/shop-web-claims/shop-web-claims.tar.gz')))
      .filter((n) => n.startsWith('resources/persistentvolumeclaims/namespaces/shop/'))
      .map((n) => n.split('/').pop()?.replace(/\.json$/, ''))
      .sort();
    const filtered = { ...policy, includedResources: ['persistentvolumeclaims'] };
    const modelled = Object.keys(inventory.namespaces.shop?.claims ?? {})
      .filter((name) => !['namespace', 'not-selected'].includes(captureOf(filtered, undefined, inventory, 'shop', name).kind))
      .sort();
    expect(onlyClaims).toEqual(['web-uploads']);
    expect(modelled).toEqual(onlyClaims);
  });
});
