import { describe, expect, it } from 'vitest';
import {
  applyArgoAnnotations,
  groupKindOf,
  isDataBearing,
  parseSyncOptions,
  SYNC_OPTIONS_ANNOTATION,
  SYNC_WAVE_ANNOTATION,
  SYNC_WAVES,
  syncAnnotations,
  syncWaveOf,
} from '../../src/lower/sync-waves.ts';
import { annotationsOf, exampleCompilation, placed } from './support.ts';

const kind = (apiVersion: string, k: string) => ({ apiVersion, kind: k });

/** The order the design asks for, as groups of kinds: every wave of a group is below the next group's. */
const ORDER = [
  [kind('apiextensions.k8s.io/v1', 'CustomResourceDefinition'), kind('v1', 'Namespace')],
  [
    kind('batch/v1', 'Job'),
    kind('v1', 'ServiceAccount'),
    kind('rbac.authorization.k8s.io/v1', 'Role'),
    kind('rbac.authorization.k8s.io/v1', 'ClusterRole'),
    kind('rbac.authorization.k8s.io/v1', 'RoleBinding'),
    kind('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'),
    kind('snapshot.storage.k8s.io/v1', 'VolumeSnapshotClass'),
    kind('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy'),
    kind('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicyBinding'),
    kind('networking.k8s.io/v1', 'NetworkPolicy'),
  ],
  [kind('bitnami.com/v1alpha1', 'SealedSecret')],
  [
    kind('velero.io/v1', 'BackupStorageLocation'),
    kind('velero.io/v1', 'VolumeSnapshotLocation'),
    kind('v1', 'ConfigMap'),
    kind('apps/v1', 'Deployment'),
    kind('apps/v1', 'DaemonSet'),
  ],
  [kind('velero.io/v1', 'Schedule'), kind('batch/v1', 'CronJob'), kind('monitoring.coreos.com/v1', 'PrometheusRule')],
];

describe('sync waves', () => {
  it("GIVEN the kind table WHEN waves are compared THEN Velero's CRDs and namespace < RBAC, classes and the password hook < SealedSecret < storage locations, ConfigMaps and Velero's server and node-agent < Schedules, CronJobs and alert rules", () => {
    for (let i = 0; i + 1 < ORDER.length; i++) {
      const highest = Math.max(...ORDER[i]!.map(syncWaveOf));
      const lowest = Math.min(...ORDER[i + 1]!.map(syncWaveOf));
      expect(highest, `${ORDER[i]!.map(groupKindOf).join(', ')} before ${ORDER[i + 1]!.map(groupKindOf).join(', ')}`).toBeLessThan(lowest);
    }
  });

  it('GIVEN a kind restorable does not list WHEN it gets its wave THEN it is the last wave, Argo CD\'s default', () => {
    expect(syncWaveOf(kind('apps/v1', 'StatefulSet'))).toBe(SYNC_WAVES.workloads);
    expect(SYNC_WAVES.workloads).toBe(0);
  });

  it('GIVEN a BackupStorageLocation WHEN annotated THEN it keeps through prune and delete and skips the dry run of its CRD', () => {
    expect(syncAnnotations(kind('velero.io/v1', 'BackupStorageLocation'))).toEqual({
      [SYNC_WAVE_ANNOTATION]: String(SYNC_WAVES.storage),
      [SYNC_OPTIONS_ANNOTATION]: 'Prune=false,Delete=false,SkipDryRunOnMissingResource=true',
    });
  });

  it('GIVEN CRD kinds that hold no data WHEN annotated THEN they only skip the dry run', () => {
    expect(parseSyncOptions(syncAnnotations(kind('monitoring.coreos.com/v1', 'PrometheusRule'))[SYNC_OPTIONS_ANNOTATION])).toEqual([
      'SkipDryRunOnMissingResource=true',
    ]);
  });

  it('GIVEN a Velero Schedule WHEN annotated THEN it gets no annotation at all, since Velero copies them onto every Backup', () => {
    expect(syncAnnotations(kind('velero.io/v1', 'Schedule'))).toEqual({});
  });

  it('GIVEN built-in kinds WHEN annotated THEN a ConfigMap gets no options and a ServiceAccount neither', () => {
    expect(syncAnnotations(kind('v1', 'ConfigMap'))).toEqual({ [SYNC_WAVE_ANNOTATION]: String(SYNC_WAVES.storage) });
    expect(syncAnnotations(kind('v1', 'ServiceAccount'))).toEqual({ [SYNC_WAVE_ANNOTATION]: String(SYNC_WAVES.prerequisites) });
  });

  it('GIVEN the CSI snapshot group WHEN annotated THEN it counts as a CRD although it ends in k8s.io', () => {
    expect(parseSyncOptions(syncAnnotations(kind('snapshot.storage.k8s.io/v1', 'VolumeSnapshotClass'))[SYNC_OPTIONS_ANNOTATION])).toEqual([
      'Prune=false',
      'Delete=false',
      'SkipDryRunOnMissingResource=true',
    ]);
  });

  it('GIVEN annotations with blanks and empty items WHEN parsed THEN they are read as Argo CD reads them', () => {
    expect(parseSyncOptions(' Prune=false , ,Delete=false')).toEqual(['Prune=false', 'Delete=false']);
    expect(parseSyncOptions(undefined)).toEqual([]);
  });
});

describe('applyArgoAnnotations', () => {
  it('GIVEN objects with annotations of their own WHEN annotated THEN the input is untouched and the others are kept', () => {
    const input = [placed('c', 'velero.io/v1', 'BackupStorageLocation', 'b', 'velero', { 'example.com/note': 'keep' })];
    const before = JSON.stringify(input);
    const output = applyArgoAnnotations(input);
    expect(JSON.stringify(input)).toBe(before);
    expect(output[0]).not.toBe(input[0]);
    expect(annotationsOf(output[0]!)['example.com/note']).toBe('keep');
    expect(annotationsOf(output[0]!)[SYNC_WAVE_ANNOTATION]).toBe(String(SYNC_WAVES.storage));
  });

  it('GIVEN objects already annotated WHEN annotated again THEN nothing changes', () => {
    const once = applyArgoAnnotations([
      placed('c', 'velero.io/v1', 'BackupStorageLocation', 'b', 'velero'),
      placed('c', 'v1', 'ConfigMap', 'm', 'velero'),
    ]);
    expect(applyArgoAnnotations(once)).toEqual(once);
  });

  it('GIVEN a hook placed outside the cluster folder WHEN annotated THEN it is returned unchanged, its own wave kept', () => {
    const hook = { ...placed('c', 'v1', 'ServiceAccount', 'h', 'team', { [SYNC_WAVE_ANNOTATION]: '-1' }), folder: 'hooks/p' };
    expect(applyArgoAnnotations([hook])[0]).toBe(hook);
  });

  it('GIVEN a backend that set Prune=true and its own wave WHEN annotated THEN the protection and the table win, other options stay', () => {
    const input = [
      placed('c', 'bitnami.com/v1alpha1', 'SealedSecret', 's', 'velero', {
        [SYNC_OPTIONS_ANNOTATION]: 'Prune=true,Validate=false',
        [SYNC_WAVE_ANNOTATION]: '5',
      }),
    ];
    const annotations = annotationsOf(applyArgoAnnotations(input)[0]!);
    expect(parseSyncOptions(annotations[SYNC_OPTIONS_ANNOTATION])).toEqual([
      'Validate=false',
      'Prune=false',
      'Delete=false',
      'SkipDryRunOnMissingResource=true',
    ]);
    expect(annotations[SYNC_WAVE_ANNOTATION]).toBe(String(SYNC_WAVES.credentials));
  });

  it('GIVEN the example organisation WHEN compiled and annotated THEN every object carries a wave and the waves follow the design order', async () => {
    const { objects } = await exampleCompilation();
    const annotated = applyArgoAnnotations(objects).filter((item) => item.folder === undefined);
    expect(annotated.length).toBeGreaterThan(0);
    const waveOf = new Map<string, number>();
    for (const item of annotated) {
      // Schedules carry no annotations and sync in Argo CD's default wave 0 (the last one used).
      const wave = item.object.kind === 'Schedule' ? (annotationsOf(item)[SYNC_WAVE_ANNOTATION] ?? '0') : annotationsOf(item)[SYNC_WAVE_ANNOTATION];
      expect(wave, groupKindOf(item.object)).toMatch(/^-?\d+$/);
      waveOf.set(String(item.object.kind), Number(wave));
    }
    const emitted = (kinds: string[]) => kinds.filter((k) => waveOf.has(k)).map((k) => waveOf.get(k)!);
    const groups = [
      emitted(['ServiceAccount', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'VolumeSnapshotClass']),
      emitted(['SealedSecret']),
      emitted(['BackupStorageLocation', 'VolumeSnapshotLocation', 'ConfigMap']),
      emitted(['Schedule', 'CronJob', 'PrometheusRule']),
    ];
    // The example has at least one kind of each group, so the order is checked on real output.
    for (const group of groups) expect(group.length).toBeGreaterThan(0);
    for (let i = 0; i + 1 < groups.length; i++) expect(Math.max(...groups[i]!)).toBeLessThan(Math.min(...groups[i + 1]!));
  });

  it('GIVEN the example organisation WHEN annotated THEN every data-bearing object carries Prune=false and Delete=false', async () => {
    const { objects } = await exampleCompilation();
    const dataBearing = applyArgoAnnotations(objects).filter((item) => isDataBearing(item.object));
    expect([...new Set(dataBearing.map((item) => item.object.kind))]).toEqual(
      expect.arrayContaining(['BackupStorageLocation', 'SealedSecret', 'VolumeSnapshotClass']),
    );
    for (const item of dataBearing) {
      const options = parseSyncOptions(annotationsOf(item)[SYNC_OPTIONS_ANNOTATION]);
      expect(options, groupKindOf(item.object)).toEqual(expect.arrayContaining(['Prune=false', 'Delete=false']));
    }
  });
});
