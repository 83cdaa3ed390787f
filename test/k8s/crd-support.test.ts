import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { obj, str } from '../../src/k8s/schema.ts';
import {
  loadCrdSchema,
  loadCrdValidator,
  referenceCrdIndex,
  schemaFixturesDir,
  uncoveredPaths,
  VENDORED,
  validateAgainstReferenceCrds,
} from '../support/crd.ts';

const dbr = {
  apiVersion: 'velero.io/v1',
  kind: 'DeleteBackupRequest',
  metadata: { name: 'drop-old', namespace: 'velero' },
  spec: { backupName: 'orders-daily-20240101020000' },
};

describe('reference CRD validation (test support)', () => {
  it('GIVEN every reference CRD WHEN compiled THEN the five groups are indexed by apiVersion and kind', () => {
    const keys = [...referenceCrdIndex().keys()];
    for (const key of [
      'velero.io/v1 Schedule',
      'snapshot.storage.k8s.io/v1 VolumeSnapshotClass',
      'bitnami.com/v1alpha1 SealedSecret',
      'monitoring.coreos.com/v1 PrometheusRule',
      'argoproj.io/v1alpha1 Application',
      'argoproj.io/v1alpha1 AppProject',
    ]) {
      expect(keys).toContain(key);
    }
    // v1beta1 of the snapshot CRDs is not served, so it is not a target.
    expect(keys).not.toContain('snapshot.storage.k8s.io/v1beta1 VolumeSnapshotClass');
  });

  it('GIVEN a valid object WHEN validated by apiVersion and kind THEN there are no errors', () => {
    expect(validateAgainstReferenceCrds(dbr)).toEqual([]);
  });

  it('GIVEN a wrong apiVersion WHEN validated with the CRD of the kind THEN the mismatch is reported', () => {
    const errors = loadCrdValidator('velero/velero.io_deletebackuprequests.yaml')({ ...dbr, apiVersion: 'velero.io/v2' });
    expect(errors).toEqual(['apiVersion: expected "velero.io/v1", got "velero.io/v2"']);
  });

  it('GIVEN an apiVersion/kind without a reference CRD WHEN validated THEN that is the error', () => {
    expect(validateAgainstReferenceCrds({ apiVersion: 'example.com/v1', kind: 'Nope' })).toEqual([
      'no reference CRD for apiVersion "example.com/v1" kind "Nope"',
    ]);
  });

  it('GIVEN unknown fields in spec and metadata WHEN validated THEN both are errors (strict, not pruned)', () => {
    const bad = { ...dbr, metadata: { ...dbr.metadata, uuid: 'x' }, spec: { backupName: 'b', force: true } };
    expect(validateAgainstReferenceCrds(bad)).toEqual([
      'metadata: unknown field "uuid"',
      'spec: unknown field "force"',
    ]);
  });

  it('GIVEN an x-kubernetes-int-or-string field WHEN given an integer, a string or a boolean THEN only the boolean fails', () => {
    const rule = (expr: unknown) => ({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'r' },
      spec: { groups: [{ name: 'g', rules: [{ record: 'x', expr }] }] },
    });
    expect(validateAgainstReferenceCrds(rule(1))).toEqual([]);
    expect(validateAgainstReferenceCrds(rule('up'))).toEqual([]);
    expect(validateAgainstReferenceCrds(rule(true))).toEqual([
      'spec.groups[0].rules[0].expr: expected integer or string, got boolean',
    ]);
  });

  it('GIVEN a project schema with a field the CRD lacks WHEN walked THEN the path is reported', () => {
    const crd = loadCrdSchema('velero/velero.io_deletebackuprequests.yaml');
    const project = obj({
      apiVersion: str(),
      kind: str(),
      metadata: obj({ name: str(), labelz: str() }),
      spec: obj({ backupName: str(), force: str() }),
    });
    expect(uncoveredPaths(project, crd)).toEqual([
      '.metadata.labelz: not in the CRD',
      '.spec.force: not in the CRD',
    ]);
    expect(uncoveredPaths(obj({ spec: obj({ backupName: { type: 'integer' } }) }), crd)).toEqual([
      '.spec.backupName: type integer where the CRD has string',
    ]);
  });
});

describe('vendored upstream schemas', () => {
  it('GIVEN the vendored folders WHEN compared with refresh.sh THEN it names exactly the folders the tests read, and each has SOURCE.md and LICENSE', () => {
    const script = fs.readFileSync(path.join(schemaFixturesDir, 'refresh.sh'), 'utf8');
    const listed = new Set([...script.matchAll(/^([a-z0-9.-]+\/v[0-9][^ ]*) \S+@\S+ \S+$/gm)].map((m) => m[1]));
    expect([...listed].sort()).toEqual(Object.values(VENDORED).sort());
    for (const folder of Object.values(VENDORED)) {
      for (const file of ['SOURCE.md', 'LICENSE']) expect(fs.existsSync(path.join(schemaFixturesDir, folder, file)), `${folder}/${file}`).toBe(true);
    }
  });
});
