import { describe, expect, it } from 'vitest';
import { applyArgoAnnotations, SYNC_OPTIONS_ANNOTATION, SYNC_WAVE_ANNOTATION } from '../../src/lower/sync-waves.ts';
import type { Model } from '../../src/model/types.ts';
import type { PlacedObject } from '../../src/output/layout.ts';
import {
  ARGOCD_MANIFEST_LIMITS,
  argocdRule,
  checkKustomizationFiles,
  checkManifestSize,
  checkRenderedFiles,
} from '../../src/rules/argocd.ts';
import { exampleCluster, exampleCompilation, modelWith, placed } from './support.ts';

/** prod-eu as the example declares it, but with Velero installed some other way (no `velero`). */
async function prodEuModel(): Promise<Model> {
  return modelWith([await exampleCluster('prod-eu', { velero: undefined }), await exampleCluster('dr-us', { argocd: undefined })]);
}

const codes = (objects: readonly PlacedObject[], model: Model) => argocdRule.check(objects, model).map((d) => d.code);

describe('argocdRule on the example organisation', () => {
  it('GIVEN the example organisation WHEN annotated and checked THEN it passes every ARGO rule', async () => {
    const { model, objects } = await exampleCompilation();
    expect(argocdRule.check(applyArgoAnnotations(objects), model)).toEqual([]);
  });

  it('GIVEN the example organisation with its waves removed WHEN checked THEN every synced object is reported (ARGO001)', async () => {
    const { model, objects } = await exampleCompilation();
    const withoutWaves = applyArgoAnnotations(objects).map((item) => {
      if (item.folder !== undefined) return item;
      const metadata = item.object.metadata as { annotations?: Record<string, string> };
      const { [SYNC_WAVE_ANNOTATION]: _wave, ...annotations } = metadata.annotations ?? {};
      return { ...item, object: { ...item.object, metadata: { ...metadata, annotations } } };
    });
    // Schedules are exempt: they carry no annotations (Velero would copy them onto every Backup).
    const synced = objects.filter((o) => o.folder === undefined && o.object.kind !== 'Schedule');
    expect(synced.length).toBeGreaterThan(0);
    expect(codes(withoutWaves, model)).toEqual(synced.map(() => 'ARGO001'));
  });
});

describe('ARGO001: sync wave', () => {
  it('GIVEN a CronJob without a wave WHEN checked THEN ARGO001 names it', async () => {
    const found = argocdRule.check([placed('prod-eu', 'batch/v1', 'CronJob', 'drill-ledger', 'velero')], await prodEuModel());
    expect(found).toEqual([
      expect.objectContaining({
        code: 'ARGO001',
        severity: 'error',
        object: { apiVersion: 'batch/v1', kind: 'CronJob', namespace: 'velero', name: 'drill-ledger' },
      }),
    ]);
    expect(found[0]!.message).toContain('prod-eu: CronJob velero/drill-ledger');
  });

  it('GIVEN a Velero Schedule without annotations WHEN checked THEN nothing: Schedules carry none on purpose', async () => {
    expect(codes([placed('prod-eu', 'velero.io/v1', 'Schedule', 'ledger-daily', 'velero')], await prodEuModel())).toEqual([]);
  });

  it('GIVEN a wave that is not an integer WHEN checked THEN ARGO001', async () => {
    const object = placed('prod-eu', 'batch/v1', 'CronJob', 's', 'velero', { [SYNC_WAVE_ANNOTATION]: 'first' });
    expect(codes([object], await prodEuModel())).toEqual(['ARGO001']);
  });

  it('GIVEN a Schedule with a wave WHEN checked THEN nothing', async () => {
    const object = placed('prod-eu', 'velero.io/v1', 'Schedule', 's', 'velero', { [SYNC_WAVE_ANNOTATION]: '0' });
    expect(codes([object], await prodEuModel())).toEqual([]);
  });

  it('GIVEN a cluster without argocd, or a hook in another folder, WHEN checked without a wave THEN nothing: no Application of this cluster syncs them', async () => {
    const model = await prodEuModel();
    const hook = { ...placed('prod-eu', 'batch/v1', 'Job', 'h', 'team'), folder: 'hooks/p' };
    expect(codes([placed('dr-us', 'velero.io/v1', 'Schedule', 's', 'velero'), hook], model)).toEqual([]);
  });
});

describe('ARGO002: data-bearing kinds keep through prune and delete', () => {
  it('GIVEN a BackupStorageLocation with Prune=false only WHEN checked THEN ARGO002 says Delete=false is missing', async () => {
    const object = placed('prod-eu', 'velero.io/v1', 'BackupStorageLocation', 'eu', 'velero', {
      [SYNC_WAVE_ANNOTATION]: '-1',
      [SYNC_OPTIONS_ANNOTATION]: 'Prune=false,SkipDryRunOnMissingResource=true',
    });
    const found = argocdRule.check([object], await prodEuModel());
    expect(found.map((d) => d.code)).toEqual(['ARGO002']);
    expect(found[0]!.message).toContain('Delete=false');
    expect(found[0]!.message).not.toContain('Prune=false and');
  });

  it('GIVEN a SealedSecret, a VolumeSnapshotLocation and a VolumeSnapshotClass with a wave and no options WHEN checked THEN ARGO002 for each', async () => {
    const wave = { [SYNC_WAVE_ANNOTATION]: '-2' };
    const objects = [
      placed('prod-eu', 'bitnami.com/v1alpha1', 'SealedSecret', 'creds', 'velero', wave),
      placed('prod-eu', 'velero.io/v1', 'VolumeSnapshotLocation', 'eu', 'velero', wave),
      placed('prod-eu', 'snapshot.storage.k8s.io/v1', 'VolumeSnapshotClass', 'csi', undefined, wave),
    ];
    expect(codes(objects, await prodEuModel())).toEqual(['ARGO002', 'ARGO002', 'ARGO002']);
  });

  it('GIVEN data-bearing objects annotated by applyArgoAnnotations WHEN checked THEN nothing', async () => {
    const objects = applyArgoAnnotations([
      placed('prod-eu', 'bitnami.com/v1alpha1', 'SealedSecret', 'creds', 'velero'),
      placed('prod-eu', 'velero.io/v1', 'BackupStorageLocation', 'eu', 'velero'),
      placed('prod-eu', 'snapshot.storage.k8s.io/v1', 'VolumeSnapshotClass', 'csi'),
    ]);
    expect(codes(objects, await prodEuModel())).toEqual([]);
  });

  it('GIVEN spaces around the options WHEN checked THEN they are read as Argo CD reads them', async () => {
    const object = placed('prod-eu', 'velero.io/v1', 'BackupStorageLocation', 'eu', 'velero', {
      [SYNC_WAVE_ANNOTATION]: '-1',
      [SYNC_OPTIONS_ANNOTATION]: ' Delete=false , Prune=false ',
    });
    expect(codes([object], await prodEuModel())).toEqual([]);
  });
});

describe('ARGO003: no Velero namespace, no Kustomize in a synced folder', () => {
  it('GIVEN a Namespace object for the Velero namespace WHEN checked THEN ARGO003 (besides nothing else once annotated)', async () => {
    const [object] = applyArgoAnnotations([placed('prod-eu', 'v1', 'Namespace', 'velero')]);
    const found = argocdRule.check([object!], await prodEuModel());
    expect(found.map((d) => d.code)).toEqual(['ARGO003']);
    expect(found[0]!.message).toContain('Velero namespace "velero"');
  });

  it("GIVEN a cluster whose Velero restorable installs WHEN its Velero Namespace object is checked THEN no ARGO003, and it keeps through prune and delete (ARGO002 holds)", async () => {
    const model = await modelWith([await exampleCluster('prod-eu')]);
    const [object] = applyArgoAnnotations([placed('prod-eu', 'v1', 'Namespace', 'velero')]);
    expect(codes([object!], model)).toEqual([]);
    expect((object!.object.metadata as { annotations: Record<string, string> }).annotations[SYNC_OPTIONS_ANNOTATION]).toBe('Prune=false,Delete=false');
  });

  it('GIVEN a Namespace object for another namespace WHEN checked THEN no ARGO003', async () => {
    const objects = applyArgoAnnotations([placed('prod-eu', 'v1', 'Namespace', 'scratch')]);
    expect(codes(objects, await prodEuModel())).toEqual([]);
  });

  it('GIVEN a cluster whose Velero namespace is renamed WHEN its Namespace object is emitted THEN ARGO003 follows the model', async () => {
    const model = await modelWith([await exampleCluster('prod-eu', { veleroNamespace: 'backup-system', velero: undefined })]);
    const objects = applyArgoAnnotations([placed('prod-eu', 'v1', 'Namespace', 'backup-system'), placed('prod-eu', 'v1', 'Namespace', 'velero')]);
    expect(codes(objects, model)).toEqual(['ARGO003']);
  });

  it('GIVEN a Kustomization object WHEN checked THEN ARGO003', async () => {
    const objects = applyArgoAnnotations([placed('prod-eu', 'kustomize.config.k8s.io/v1beta1', 'Kustomization', 'k')]);
    expect(codes(objects, await prodEuModel())).toEqual(['ARGO003']);
  });

  it('GIVEN a kustomization file in a synced folder WHEN the rendered files are checked THEN ARGO003; elsewhere or by another name, nothing', () => {
    const files = new Map([
      ['clusters/prod-eu/velero/kustomization.yaml', 'resources: []\n'],
      ['clusters/dr-us/Kustomization', 'resources: []\n'],
      ['clusters/dr-us/velero/configmap-kustomization-notes.yaml', 'kind: ConfigMap\n'],
      ['runbooks/prod-eu/kustomization.yaml', 'resources: []\n'],
    ]);
    const found = checkKustomizationFiles(files);
    expect(found.map((d) => [d.code, d.declaration])).toEqual([
      ['ARGO003', 'prod-eu'],
      ['ARGO003', 'dr-us'],
    ]);
  });
});

describe('ARGO004: combined manifest size per synced folder', () => {
  const filesOf = (cluster: string, bytes: number, count = 4): [string, string][] =>
    Array.from({ length: count }, (_, i) => [`clusters/${cluster}/velero/schedule-${i}.yaml`, 'x'.repeat(Math.ceil(bytes / count))]);

  it('GIVEN a folder of 9 MB WHEN checked THEN a warning', () => {
    const found = checkManifestSize(new Map(filesOf('prod-eu', 9_000_000)));
    expect(found.map((d) => [d.code, d.severity, d.declaration])).toEqual([['ARGO004', 'warning', 'prod-eu']]);
    expect(found[0]!.message).toContain('9.0 MB');
  });

  it('GIVEN a folder above 10 MB WHEN checked THEN an error', () => {
    const found = checkManifestSize(new Map(filesOf('prod-eu', 10_000_004)));
    expect(found.map((d) => [d.code, d.severity])).toEqual([['ARGO004', 'error']]);
  });

  it('GIVEN folders under 8 MB, files outside clusters/ and non-manifest files WHEN checked THEN nothing', () => {
    const files = new Map([
      ...filesOf('prod-eu', ARGOCD_MANIFEST_LIMITS.warnBytes),
      ...filesOf('dr-us', 1_000),
      ['runbooks/prod-eu/restore.yaml', 'x'.repeat(11_000_000)],
      ['clusters/dr-us/README.md', 'x'.repeat(11_000_000)],
    ]);
    expect(checkManifestSize(files)).toEqual([]);
  });

  it('GIVEN multi-byte characters WHEN measured THEN UTF-8 bytes count, not characters', () => {
    const files = new Map([['clusters/prod-eu/velero/configmap-a.yaml', 'é'.repeat(4_500_000)]]);
    expect(checkManifestSize(files).map((d) => d.severity)).toEqual(['warning']);
  });

  it('GIVEN a model WHEN the rendered files are checked THEN only the folders of clusters with argocd count', async () => {
    const files = new Map([...filesOf('prod-eu', 12_000_000), ...filesOf('dr-us', 12_000_000)]);
    const found = checkRenderedFiles(files, await prodEuModel());
    expect(found.map((d) => [d.code, d.declaration])).toEqual([['ARGO004', 'prod-eu']]);
    expect(checkRenderedFiles(files).map((d) => d.declaration)).toEqual(['dr-us', 'prod-eu']);
  });

  it('GIVEN the example organisation WHEN its rendered files are checked THEN nothing', async () => {
    const { model, files } = await exampleCompilation();
    expect(files.size).toBeGreaterThan(0);
    expect(checkRenderedFiles(files, model)).toEqual([]);
  });
});
