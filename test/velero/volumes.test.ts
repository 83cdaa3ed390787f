import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { csi, type VolumeMode, type VolumePolicy } from '../../src/dsl/index.ts';
import type { IBackupSpec } from '../../src/k8s/velero/backup-spec.ts';
import type { IVolumeSnapshotClass } from '../../src/k8s/snapshot/volume-snapshot-class.ts';
import { validateObject } from '../../src/k8s/schema-registry.ts';
import { validateAgainstReferenceCrds } from '../support/crd.ts';
import { build, clusterWith, errorCodes, ofKind, policy, schedules, storage, templateOf } from './support.ts';

interface ConfigMap {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly data?: Record<string, string>;
  readonly binaryData?: Record<string, string>;
}

/** What each volume mode must mean to Velero, as the VolumeMode documentation describes it. */
interface VeleroVolumeFlags {
  readonly snapshotVolumes: boolean;
  readonly snapshotMoveData: boolean;
  readonly defaultVolumesToFsBackup: boolean;
  readonly volumeSnapshotLocations: readonly string[];
}

const EXPECTED: Readonly<Record<VolumeMode, VeleroVolumeFlags>> = {
  'csi-snapshot': { snapshotVolumes: true, snapshotMoveData: false, defaultVolumesToFsBackup: false, volumeSnapshotLocations: [] },
  'snapshot-data-mover': { snapshotVolumes: true, snapshotMoveData: true, defaultVolumesToFsBackup: false, volumeSnapshotLocations: [] },
  'native-snapshot': { snapshotVolumes: true, snapshotMoveData: false, defaultVolumesToFsBackup: false, volumeSnapshotLocations: ['eu-snapshots'] },
  filesystem: { snapshotVolumes: false, snapshotMoveData: false, defaultVolumesToFsBackup: true, volumeSnapshotLocations: [] },
  none: { snapshotVolumes: false, snapshotMoveData: false, defaultVolumesToFsBackup: false, volumeSnapshotLocations: [] },
};

const MODES = Object.keys(EXPECTED) as VolumeMode[];

/** The flags as Velero reads them, an absent boolean counting as false. */
function flagsOf(template: IBackupSpec): VeleroVolumeFlags {
  return {
    snapshotVolumes: template.snapshotVolumes ?? false,
    snapshotMoveData: template.snapshotMoveData ?? false,
    defaultVolumesToFsBackup: template.defaultVolumesToFsBackup ?? false,
    volumeSnapshotLocations: template.volumeSnapshotLocations ?? [],
  };
}

describe('volume modes on the Backup template', () => {
  const eu = storage('eu');
  const prod = clusterWith('prod', [eu]);

  for (const mode of MODES) {
    it(`GIVEN volumes: '${mode}' WHEN lowered THEN every tier template sets the Velero volume flags of that mode`, () => {
      const { objects, diagnostics } = build([eu, prod, policy('app', prod, { volumes: mode })]);

      expect(errorCodes(diagnostics)).toEqual([]);
      const found = schedules(objects);
      expect(found).toHaveLength(2);
      for (const schedule of found) expect(flagsOf(schedule.spec.template)).toEqual(EXPECTED[mode]);
    });
  }

  it('GIVEN no volume mode WHEN lowered THEN the policy takes CSI snapshots that stay in the cluster', () => {
    const { objects, model } = build([eu, prod, policy('app', prod)]);

    expect(model.policies[0]?.volumes).toBe('csi-snapshot');
    expect(flagsOf(templateOf(objects, 'app-daily'))).toEqual(EXPECTED['csi-snapshot']);
  });

  // Regression guard (was a bug in src/lower/schedules.ts backupTemplate): `snapshotMoveData` and `defaultVolumesToFsBackup`
  // are left unset (undefined) instead of false. Velero fills an unset field from the server flags
  // `--default-snapshot-move-data` and `--default-volumes-to-fs-backup` (backup controller,
  // prepareBackupRequest), so on a server started with either flag a 'csi-snapshot' or
  // 'native-snapshot' policy moves data or copies file systems, and a 'none' policy copies every
  // pod volume: the mode the policy declares depends on how Velero was installed.
  it('GIVEN any mode WHEN lowered THEN snapshotMoveData and defaultVolumesToFsBackup are written out, so Velero server defaults cannot change the mode', () => {
    for (const mode of MODES) {
      const template = templateOf(build([eu, prod, policy('app', prod, { volumes: mode })]).objects, 'app-daily');
      expect(typeof template.defaultVolumesToFsBackup, mode).toBe('boolean');
      if (mode !== 'filesystem') expect(typeof template.snapshotMoveData, mode).toBe('boolean');
    }
  });
});

describe('VolumeSnapshotClasses', () => {
  const eu = storage('eu');

  it('GIVEN CSI classes with and without a deletion policy WHEN lowered THEN each is a cluster-scoped class labelled for Velero, Retain by default', () => {
    const prod = clusterWith('prod', [eu], {
      snapshotClasses: [
        csi({ driver: 'ebs.csi.aws.com' }),
        csi({ driver: 'pd.csi.storage.gke.io', deletionPolicy: 'Delete', name: 'gke-snapshots', parameters: { 'storage-locations': 'europe-west1' } }),
      ],
    });

    const { objects, objectDiagnostics } = build([eu, prod, policy('app', prod)]);

    const classes = ofKind<IVolumeSnapshotClass>(objects, 'VolumeSnapshotClass');
    expect(classes.map((c) => [c.metadata?.name, c.driver, c.deletionPolicy])).toEqual([
      ['velero-ebs-csi-aws-com', 'ebs.csi.aws.com', 'Retain'],
      ['gke-snapshots', 'pd.csi.storage.gke.io', 'Delete'],
    ]);
    for (const snapshotClass of classes) {
      expect(snapshotClass.metadata?.labels?.['velero.io/csi-volumesnapshot-class']).toBe('true');
      expect((snapshotClass.metadata as { namespace?: string } | undefined)?.namespace).toBeUndefined();
      expect(validateAgainstReferenceCrds(snapshotClass)).toEqual([]);
      expect(validateObject(snapshotClass)).toEqual([]);
    }
    expect(classes[1]?.parameters).toEqual({ 'storage-locations': 'europe-west1' });
    expect(classes[0]?.parameters).toBeUndefined();
    expect(objectDiagnostics).toEqual([]);
  });

  it('GIVEN two clusters, one with a snapshot class WHEN lowered THEN only that cluster gets it', () => {
    const prod = clusterWith('prod', [eu], { snapshotClasses: [csi({ driver: 'ebs.csi.aws.com' })] });
    const dev = clusterWith('dev', [eu]);

    const { objects } = build([eu, prod, dev, policy('a', prod), policy('b', dev)]);

    expect(ofKind(objects, 'VolumeSnapshotClass', 'prod')).toHaveLength(1);
    expect(ofKind(objects, 'VolumeSnapshotClass', 'dev')).toEqual([]);
  });
});

describe('resource policies', () => {
  const eu = storage('eu');
  const prod = clusterWith('prod', [eu]);
  const volumePolicies: VolumePolicy[] = [
    { conditions: { storageClass: ['local-cache', 'scratch'] }, action: 'skip' },
    { conditions: { csiDriver: 'efs.csi.aws.com', capacity: '0,100Gi' }, action: 'fs-backup' },
    { conditions: { pvcLabels: { 'backup.example.com/mode': 'snapshot' }, capacity: '100Gi,' }, action: 'snapshot' },
  ];

  it('GIVEN volume policies WHEN lowered THEN one ConfigMap in Velero namespace holds exactly one key with a version v1 document in Velero field names', () => {
    const { objects, diagnostics } = build([eu, prod, policy('search', prod, { volumePolicies })]);

    expect(errorCodes(diagnostics)).toEqual([]);
    const maps = ofKind<ConfigMap>(objects, 'ConfigMap');
    expect(maps).toHaveLength(1);
    const [map] = maps;
    expect(map?.apiVersion).toBe('v1');
    expect(map?.metadata.namespace).toBe('velero');
    expect(map?.binaryData).toBeUndefined();
    const keys = Object.keys(map?.data ?? {});
    expect(keys).toHaveLength(1);
    const document = yaml.load(map?.data?.[keys[0] ?? ''] ?? '');
    expect(document).toEqual({
      version: 'v1',
      volumePolicies: [
        { conditions: { storageClass: ['local-cache', 'scratch'] }, action: { type: 'skip' } },
        { conditions: { csi: { driver: 'efs.csi.aws.com' }, capacity: '0,100Gi' }, action: { type: 'fs-backup' } },
        { conditions: { pvcLabels: { 'backup.example.com/mode': 'snapshot' }, capacity: '100Gi,' }, action: { type: 'snapshot' } },
      ],
    });
  });

  it('GIVEN volume policies WHEN lowered THEN every tier Schedule refers to the ConfigMap by kind configmap and its name', () => {
    const { objects } = build([eu, prod, policy('search', prod, { volumePolicies })]);

    const [map] = ofKind<ConfigMap>(objects, 'ConfigMap');
    const found = schedules(objects);
    expect(found).toHaveLength(2);
    for (const schedule of found) {
      expect(schedule.spec.template.resourcePolicy).toEqual({ kind: 'configmap', name: map?.metadata.name });
      expect(schedule.metadata?.namespace).toBe(map?.metadata.namespace);
      expect(validateAgainstReferenceCrds(schedule)).toEqual([]);
    }
  });

  it('GIVEN two policies, one with volume policies WHEN lowered THEN only that policy has a ConfigMap and a resourcePolicy', () => {
    const { objects } = build([eu, prod, policy('search', prod, { volumePolicies }), policy('web', prod)]);

    expect(ofKind<ConfigMap>(objects, 'ConfigMap').map((m) => m.metadata.labels?.['restorable.dev/policy'])).toEqual(['search']);
    expect(templateOf(objects, 'web-daily').resourcePolicy).toBeUndefined();
    expect(templateOf(objects, 'search-daily').resourcePolicy?.kind).toBe('configmap');
  });
});
