import { describe, expect, it } from 'vitest';
import { type IVolumeSnapshotClass, VolumeSnapshotClass, volumeSnapshotClassSchema } from '../../src/k8s/snapshot/index.ts';
import { validationErrors } from '../../src/k8s/validation.ts';
import { loadCrdValidator } from '../support/crd.ts';
import { describeKinds, setAt } from './kind-cases.ts';

const ebs: IVolumeSnapshotClass = {
  apiVersion: 'snapshot.storage.k8s.io/v1',
  kind: 'VolumeSnapshotClass',
  metadata: {
    name: 'ebs-velero',
    labels: { 'velero.io/csi-volumesnapshot-class': 'true', 'app.kubernetes.io/managed-by': 'restorable' },
    annotations: { 'snapshot.storage.kubernetes.io/is-default-class': 'false' },
  },
  driver: 'ebs.csi.aws.com',
  deletionPolicy: 'Retain',
  parameters: { tagSpecification_1: 'restorable=true', encrypted: 'true' },
};

const minimal: IVolumeSnapshotClass = {
  apiVersion: 'snapshot.storage.k8s.io/v1',
  kind: 'VolumeSnapshotClass',
  metadata: { name: 'ceph-rbd' },
  driver: 'rbd.csi.ceph.com',
  deletionPolicy: 'Delete',
};

describeKinds('snapshot.storage.k8s.io/v1', [
  {
    kind: 'VolumeSnapshotClass',
    crdFile: 'external-snapshotter/snapshot.storage.k8s.io_volumesnapshotclasses.yaml',
    schema: volumeSnapshotClassSchema,
    examples: [ebs, minimal],
    modelValidate: (o) => new VolumeSnapshotClass(o as IVolumeSnapshotClass).validate(),
    // There is no spec: the usual slip is to put the fields under one.
    misspelt: { parent: 'metadata', field: 'anotations' },
    stringField: 'driver',
  },
]);

describe('snapshot.storage.k8s.io/v1 VolumeSnapshotClass, specifics', () => {
  it('GIVEN the fields nested under a spec WHEN validated THEN both schemas reject spec and report the missing fields', () => {
    const bad = { apiVersion: ebs.apiVersion, kind: ebs.kind, metadata: ebs.metadata, spec: { driver: 'x', deletionPolicy: 'Delete' } };
    const expected = [
      '(root): unknown field "spec"',
      '(root): missing required field "driver"',
      '(root): missing required field "deletionPolicy"',
    ];
    expect(validationErrors(volumeSnapshotClassSchema, bad).sort()).toEqual([...expected].sort());
    expect(loadCrdValidator('external-snapshotter/snapshot.storage.k8s.io_volumesnapshotclasses.yaml')(bad).sort()).toEqual(
      [...expected].sort(),
    );
  });

  it('GIVEN an unsupported deletionPolicy WHEN validated THEN the allowed values are listed', () => {
    expect(validationErrors(volumeSnapshotClassSchema, setAt(ebs, 'deletionPolicy', 'Keep'))).toEqual([
      'deletionPolicy: expected one of "Delete", "Retain", got "Keep"',
    ]);
  });

  it('GIVEN a namespace on this cluster-scoped kind WHEN validated THEN the project schema rejects it', () => {
    expect(validationErrors(volumeSnapshotClassSchema, setAt(ebs, 'metadata.namespace', 'velero'))).toEqual([
      'metadata: unknown field "namespace"',
    ]);
  });
});
