/**
 * Real Velero v1.18.1 with velero-plugin-for-aws v1.14.3 against a real S3-compatible object store
 * (versitygw): installed with `velero install` into a real control plane, its server on the host. A
 * namespace's objects are backed up into the bucket, read back from the bucket, and restored after
 * the namespace is deleted. No pods run here: hooks and volume data are not covered.
 */
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type ObjectStore, startObjectStore } from './harness/object-store.ts';
import { useTestRun } from './harness/test-run.ts';
import { installVelero, type Velero } from './harness/velero.ts';

const run = useTestRun('velero');
let store: ObjectStore | undefined;
let velero: Velero | undefined;
afterAll(async () => {
  await velero?.stop();
  await store?.stop();
});

/** The files of a tar archive (ustar, as Go's archive/tar writes it), by name. */
function untar(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) => header.subarray(start, start + length).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const prefix = field(345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    const body = archive.subarray(offset + 512, offset + 512 + size);
    longName = undefined;
    if (type === 'L') longName = body.toString('utf8').replace(/\0.*$/s, '');
    else if (type === '0' || type === '') files.set(name, Buffer.from(body));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

const shop = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'shop' }, data: { currency: 'EUR' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' }, stringData: { password: 'hunter2' } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: 'shop' } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { serviceAccountName: 'web', containers: [{ name: 'web', image: 'registry.example/web:1.0', ports: [{ containerPort: 8080 }] }] },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
  ],
};

describe('Velero with the AWS plugin against an S3-compatible object store', () => {
  it('backs a namespace up into the bucket and restores it after the namespace is deleted', { timeout: 600_000 }, async () => {
    const cluster = await run.cluster('prod-eu');
    const bucket = 'velero-backups';
    const prefix = 'prod-eu';
    store = await startObjectStore({ name: 'objectstore', binDir: inject('objectstoreBin'), runDir: run.runDir, buckets: [bucket] });
    velero = await installVelero({
      cluster,
      store,
      bucket,
      prefix,
      runDir: run.runDir,
      veleroBinDir: inject('veleroBin'),
      awsPluginBinDir: inject('veleroPluginForAwsBin'),
    });
    expect(await velero.backupStorageLocationPhase('default')).toBe('Available');
    expect(velero.serverArgs[0]).toBe('server');

    await cluster.kubectlOk(['apply', '--server-side', '-f', '-'], { input: JSON.stringify(shop) });
    const backup = await velero.cliOk(['backup', 'create', 'shop-1', '--include-namespaces=shop', '--wait']);
    expect(backup).toMatch(/Backup completed with status: Completed/);
    expect(await cluster.kubectlOk(['get', 'backups.velero.io', 'shop-1', '-n', 'velero', '-o', 'jsonpath={.status.phase}'])).toBe('Completed');

    // The backup's log comes through a DownloadRequest: a URL the plugin presigns, fetched by the CLI.
    expect(await velero.cliOk(['backup', 'logs', 'shop-1'])).toMatch(/Backed up a total of \d+ items/);

    // The tarball as Velero's plugin wrote it into the bucket.
    const tarball = `${prefix}/backups/shop-1/shop-1.tar.gz`;
    expect(await store.listObjects(bucket, `${prefix}/backups/shop-1/`)).toContain(tarball);
    const files = untar(gunzipSync(await store.getObject(bucket, tarball)));
    const names = [...files.keys()];
    for (const expected of [
      'resources/configmaps/namespaces/shop/settings.json',
      'resources/secrets/namespaces/shop/db.json',
      'resources/serviceaccounts/namespaces/shop/web.json',
      'resources/deployments.apps/namespaces/shop/web.json',
      'resources/services/namespaces/shop/web.json',
      'resources/namespaces/cluster/shop.json',
    ]) {
      expect(names).toContain(expected);
    }
    const configMap = JSON.parse(files.get('resources/configmaps/namespaces/shop/settings.json')!.toString('utf8')) as { data: Record<string, string> };
    expect(configMap.data).toEqual({ currency: 'EUR' });

    // The read-only key lists and reads, and may not write; a wrong secret is refused outright.
    expect(await store.listObjects(bucket, `${prefix}/backups/`, store.readOnly)).toContain(tarball);
    expect((await store.getObject(bucket, tarball, store.readOnly)).length).toBeGreaterThan(0);
    const put = await store.putObject(bucket, `${prefix}/backups/forged/forged.tar.gz`, 'forged', store.readOnly);
    expect(put.status).toBe(403);
    expect(put.body.toString('utf8')).toMatch(/AccessDenied/);
    const forged = await store.request({ method: 'GET', bucket, query: { 'list-type': '2' }, as: { accessKeyId: store.admin.accessKeyId, secretAccessKey: 'not-the-secret' } });
    expect(forged.status).toBe(403);
    expect(forged.body.toString('utf8')).toMatch(/SignatureDoesNotMatch/);
    expect(await store.listObjects(bucket, `${prefix}/backups/forged/`)).toEqual([]);

    // Restore into a cluster where the namespace is gone.
    await cluster.kubectlOk(['delete', 'namespace', 'shop', '--wait=true', '--timeout=120s'], { timeoutMs: 150_000 });
    expect((await cluster.kubectl(['get', 'namespace', 'shop'])).stderr).toMatch(/NotFound/);
    const restore = await velero.cliOk(['restore', 'create', 'shop-1-restore', '--from-backup=shop-1', '--wait']);
    expect(restore).toMatch(/Restore completed with status: Completed/);
    expect(await cluster.kubectlOk(['get', 'restores.velero.io', 'shop-1-restore', '-n', 'velero', '-o', 'jsonpath={.status.phase}'])).toBe('Completed');

    expect(await cluster.kubectlOk(['get', 'configmap', 'settings', '-n', 'shop', '-o', 'jsonpath={.data.currency}'])).toBe('EUR');
    expect(Buffer.from(await cluster.kubectlOk(['get', 'secret', 'db', '-n', 'shop', '-o', 'jsonpath={.data.password}']), 'base64').toString('utf8')).toBe('hunter2');
    expect(await cluster.kubectlOk(['get', 'serviceaccount', 'web', '-n', 'shop', '-o', 'name'])).toBe('serviceaccount/web\n');
    expect(await cluster.kubectlOk(['get', 'deployment', 'web', '-n', 'shop', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}'])).toBe(
      '2 registry.example/web:1.0',
    );
    expect(await cluster.kubectlOk(['get', 'service', 'web', '-n', 'shop', '-o', 'jsonpath={.spec.ports[0].port}'])).toBe('80');
    const labels = JSON.parse(await cluster.kubectlOk(['get', 'configmap', 'settings', '-n', 'shop', '-o', 'jsonpath={.metadata.labels}'])) as Record<string, string>;
    expect(labels['velero.io/restore-name']).toBe('shop-1-restore');
  });
});
