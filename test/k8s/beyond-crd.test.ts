/**
 * What restorable's own schemas refuse although the strict upstream CRD accepts it: the reasons the
 * schemas of src/k8s are not generated from the CRDs (README, Architecture). Each case is valid for
 * the real Velero CRD with unknown fields refused, and wrong for a GitOps manifest restorable writes.
 */
import { describe, expect, it } from 'vitest';
import { validateObject } from '../../src/k8s/schema-registry.ts';
import { validateAgainstReferenceCrds } from '../support/crd.ts';

const schedule = {
  apiVersion: 'velero.io/v1',
  kind: 'Schedule',
  metadata: { name: 'ledger-daily', namespace: 'velero' },
  spec: { schedule: '0 1 * * *', template: { ttl: '168h0m0s', includedNamespaces: ['payments'], storageLocation: 'eu' } },
};
const withTemplate = (fields: Record<string, unknown>) => ({ ...schedule, spec: { ...schedule.spec, template: { ...schedule.spec.template, ...fields } } });

const cases: readonly (readonly [string, unknown])[] = [
  ['a ttl in days (Velero parses Go durations, which have no day unit)', withTemplate({ ttl: '7d' })],
  ['a CSI snapshot timeout in words', withTemplate({ csiSnapshotTimeout: '10 minutes' })],
  ['the deprecated defaultVolumesToRestic', withTemplate({ defaultVolumesToRestic: true })],
  ['an empty schedule', { ...schedule, spec: { ...schedule.spec, schedule: '' } }],
  ['no metadata', { apiVersion: schedule.apiVersion, kind: schedule.kind, spec: schedule.spec }],
  ['no spec', { apiVersion: schedule.apiVersion, kind: schedule.kind, metadata: schedule.metadata }],
  ['a status written into Git', { ...schedule, status: { phase: 'Enabled' } }],
];

describe('rules of restorable beyond the CRDs', () => {
  it('GIVEN the Schedule the cases start from WHEN validated THEN both accept it', () => {
    expect(validateObject(schedule)).toEqual([]);
    expect(validateAgainstReferenceCrds(schedule)).toEqual([]);
  });

  it.each(cases)('GIVEN %s WHEN validated THEN the strict Velero CRD accepts it and restorable refuses it', (_, object) => {
    expect(validateAgainstReferenceCrds(object)).toEqual([]);
    expect(validateObject(object)).not.toEqual([]);
  });
});
