import { describe, expect, it } from 'vitest';
import type { IBackupStorageLocation } from '../../src/k8s/velero/backup-storage-location.ts';
import { build, clusterWith, ofKind, policy, storage } from '../velero/support.ts';

const locations = (objects: Parameters<typeof ofKind>[0], cluster: string) =>
  ofKind<IBackupStorageLocation>(objects, 'BackupStorageLocation', cluster).map((l) => [l.metadata?.name, l.spec.accessMode, l.spec.default ?? false]);
const findings = (diagnostics: readonly { code: string; declaration?: string; path?: string }[]) =>
  diagnostics.filter((d) => d.code === 'STO006' || d.code === 'STO007').map((d) => `${d.code} ${d.declaration}.${d.path}`);

describe('a DR cluster that can back up: every cluster has a writable default location of its own', () => {
  const eu = storage('eu-backups');
  const us = storage('us-backups', { region: 'us-east-1' });

  it('GIVEN a DR cluster with no policies of its own that lists its own bucket and production\'s WHEN lowered THEN its own bucket is its ReadWrite default and production\'s stays ReadOnly', () => {
    const prod = clusterWith('prod', [eu]);
    const dr = clusterWith('dr', [eu, us]);

    const built = build([eu, us, prod, dr, policy('ledger', prod)]);

    expect(findings(built.diagnostics)).toEqual([]);
    expect(locations(built.objects, 'dr')).toEqual([
      ['eu-backups', 'ReadOnly', false],
      ['us-backups', 'ReadWrite', true],
    ]);
    expect(locations(built.objects, 'prod')).toEqual([['eu-backups', 'ReadWrite', true]]);
    expect(built.objectDiagnostics).toEqual([]);
  });

  it('GIVEN a DR cluster that lists only production\'s storage WHEN checked THEN STO006 says it could not back up after a failover', () => {
    const prod = clusterWith('prod', [eu]);
    const dr = clusterWith('dr', [eu]);

    const { diagnostics } = build([eu, prod, dr, policy('ledger', prod)]);

    expect(findings(diagnostics)).toEqual(['STO006 dr.storage']);
    const finding = diagnostics.find((d) => d.code === 'STO006');
    expect(finding?.message).toContain('"eu-backups" (cluster "prod")');
    expect(finding?.hint).toContain('neverBacksUp: true');
  });

  it('GIVEN that DR cluster declared never to back up WHEN checked and lowered THEN no finding, and no default location', () => {
    const prod = clusterWith('prod', [eu]);
    const dr = clusterWith('dr', [eu], { neverBacksUp: true });

    const built = build([eu, prod, dr, policy('ledger', prod)]);

    expect(findings(built.diagnostics)).toEqual([]);
    expect(locations(built.objects, 'dr')).toEqual([['eu-backups', 'ReadOnly', false]]);
  });

  it('GIVEN a cluster whose declared default is another cluster\'s storage WHEN checked THEN STO007 at defaultStorage names the owner', () => {
    const prod = clusterWith('prod', [eu]);
    const dr = clusterWith('dr', [us, eu], { defaultStorage: eu });

    const { diagnostics } = build([eu, us, prod, dr, policy('ledger', prod)]);

    expect(findings(diagnostics)).toEqual(['STO007 dr.defaultStorage']);
    expect(diagnostics.find((d) => d.code === 'STO007')?.message).toContain('the storage of cluster "prod"');
  });

  it('GIVEN a second declaration of production\'s bucket and prefix under another name as the DR default WHEN checked THEN STO007: a place is the bucket and prefix, not the name', () => {
    const alias = storage('eu-alias', { bucket: 'bucket-eu-backups', prefix: '/' });
    const prod = clusterWith('prod', [eu]);
    const dr = clusterWith('dr', [alias]);

    expect(findings(build([eu, alias, prod, dr, policy('ledger', prod)]).diagnostics)).toEqual(['STO006 dr.storage']);
    const declared = clusterWith('dr', [alias], { defaultStorage: alias });
    expect(findings(build([eu, alias, prod, declared, policy('ledger', prod)]).diagnostics)).toEqual(['STO007 dr.defaultStorage']);
  });

  it('GIVEN two standby clusters whose first own storage is the same bucket WHEN checked THEN STO007 on both: they would back up into one place', () => {
    const a = clusterWith('standby-a', [us]);
    const b = clusterWith('standby-b', [us]);

    expect(findings(build([us, a, b]).diagnostics)).toEqual(['STO007 standby-a.storage[0]', 'STO007 standby-b.storage[0]']);
  });

  it('GIVEN a declared default on a cluster with policies WHEN lowered THEN it is the default and policies without a storage write there', () => {
    const edge = clusterWith('edge', [eu, us], { defaultStorage: us });

    const built = build([eu, us, edge, policy('sensors', edge)]);

    expect(findings(built.diagnostics)).toEqual([]);
    expect(built.model.policies[0]?.storage).toBe('us-backups');
    expect(locations(built.objects, 'edge')).toEqual([
      ['eu-backups', 'ReadOnly', false],
      ['us-backups', 'ReadWrite', true],
    ]);
  });

  it('GIVEN contradictory declarations WHEN checked THEN STO006 for each: an unlisted default, neverBacksUp with a default, neverBacksUp with policies', () => {
    const unlisted = clusterWith('unlisted', [eu], { defaultStorage: us });
    const both = clusterWith('both', [us], { neverBacksUp: true, defaultStorage: us });
    const busy = clusterWith('busy', [eu], { neverBacksUp: true });

    const { diagnostics } = build([eu, us, unlisted, both, busy, policy('a', busy)]);

    expect(findings(diagnostics).sort()).toEqual(['STO006 both.neverBacksUp', 'STO006 busy.neverBacksUp', 'STO006 unlisted.defaultStorage']);
  });
});
