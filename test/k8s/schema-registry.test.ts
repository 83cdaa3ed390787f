import { describe, expect, it } from 'vitest';
import { knownKinds, schemaFor, validateObject } from '../../src/k8s/schema-registry.ts';
import { referenceCrdIndex } from '../support/crd.ts';

describe('schema registry', () => {
  it('GIVEN the registry WHEN listing kinds THEN every kind restorable emits is there, sorted', () => {
    expect(knownKinds().map((k) => `${k.apiVersion} ${k.kind}`)).toEqual([
      'argoproj.io/v1alpha1 Application',
      'argoproj.io/v1alpha1 AppProject',
      'bitnami.com/v1alpha1 SealedSecret',
      'monitoring.coreos.com/v1 PodMonitor',
      'monitoring.coreos.com/v1 PrometheusRule',
      'snapshot.storage.k8s.io/v1 VolumeSnapshotClass',
      'velero.io/v1 Backup',
      'velero.io/v1 BackupStorageLocation',
      'velero.io/v1 DeleteBackupRequest',
      'velero.io/v1 Restore',
      'velero.io/v1 Schedule',
      'velero.io/v1 VolumeSnapshotLocation',
    ]);
  });

  it('GIVEN every known kind WHEN looked up among the reference CRDs THEN a served CRD version exists for it', () => {
    for (const k of knownKinds()) {
      expect(referenceCrdIndex().has(`${k.apiVersion} ${k.kind}`), `${k.apiVersion} ${k.kind}`).toBe(true);
      expect(schemaFor(k.apiVersion, k.kind)).toBeDefined();
    }
  });

  it('GIVEN a Schedule with a wrong type and a misspelt field WHEN validated THEN each problem is one sentence', () => {
    const errors = validateObject({
      apiVersion: 'velero.io/v1',
      kind: 'Schedule',
      metadata: { name: 'daily', namespace: 'velero' },
      spec: { schedule: '0 1 * * *', template: { ttl: 720, ttlx: '720h' } },
    });
    expect(errors.sort()).toEqual([
      'spec.template.ttl: expected string, got number',
      'spec.template: unknown field "ttlx"',
    ]);
  });

  it('GIVEN label keys with dots and slashes WHEN a value has the wrong type THEN the path quotes the key', () => {
    const errors = validateObject({
      apiVersion: 'velero.io/v1',
      kind: 'DeleteBackupRequest',
      metadata: { name: 'd', labels: { 'app.kubernetes.io/name': true } },
      spec: { backupName: 'b' },
    });
    expect(errors).toEqual(['metadata.labels["app.kubernetes.io/name"]: expected string, got boolean']);
  });

  it('GIVEN an unknown kind WHEN validated THEN the error names it', () => {
    expect(validateObject({ apiVersion: 'v1', kind: 'ConfigMap' })).toEqual(['(root): unknown kind "v1 ConfigMap"']);
  });

  it('GIVEN a known kind under another apiVersion WHEN validated THEN the error says which apiVersion is known', () => {
    expect(validateObject({ apiVersion: 'velero.io/v2', kind: 'Schedule' })).toEqual([
      '(root): unknown kind "velero.io/v2 Schedule" (Schedule is known as velero.io/v1)',
    ]);
  });

  it('GIVEN things that are not objects or lack apiVersion/kind WHEN validated THEN that is said', () => {
    expect(validateObject(null)).toEqual(['(root): expected object, got null']);
    expect(validateObject([1])).toEqual(['(root): expected object, got array']);
    expect(validateObject({ kind: 'Schedule' })).toEqual([
      '(root): apiVersion and kind must be strings, got undefined and string',
    ]);
  });

  it('GIVEN the same kind validated twice WHEN the second runs THEN results are identical (cached validator has no leftover state)', () => {
    const bad = { apiVersion: 'velero.io/v1', kind: 'DeleteBackupRequest', metadata: { name: 'd' }, spec: {} };
    const good = { ...bad, spec: { backupName: 'b' } };
    expect(validateObject(bad)).toEqual(['spec: missing required field "backupName"']);
    expect(validateObject(good)).toEqual([]);
    expect(validateObject(bad)).toEqual(['spec: missing required field "backupName"']);
  });
});
