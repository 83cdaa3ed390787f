/** A cluster's `viewers`: read access to all of Velero's objects there, declared once. */
import { describe, expect, it } from 'vitest';
import { cluster, s3Storage, sealed } from '../../src/index.ts';
import { lower } from '../../src/lower/index.ts';
import { resolve } from '../../src/model/resolve.ts';
import { accessRule } from '../../src/rules/access.ts';

const modelWith = (viewers: string[]) => {
  const eu = s3Storage('eu', { bucket: 'b', region: 'eu-west-1', credentials: sealed('creds') });
  return resolve([eu, cluster('prod', { environment: 'production', storage: [eu], viewers })]).model;
};

describe('cluster viewers', () => {
  it('GIVEN viewers on a cluster WHEN lowered THEN one Role reads Backups, Schedules, Restores and storage locations, bound to them, and nothing else', () => {
    const objects = lower(modelWith(['group:backup-auditors', 'user:ada'])).map((p) => p.object as { kind: string; metadata: { name: string }; rules?: unknown; subjects?: unknown });
    const role = objects.find((o) => o.kind === 'Role' && o.metadata.name === 'restorable-view');
    // One rule per resource (cdk8s-plus's Role writes them so): the same grant.
    expect(role?.rules).toEqual(
      ['backups', 'backupstoragelocations', 'restores', 'schedules'].map((resource) => ({ apiGroups: ['velero.io'], resources: [resource], verbs: ['get', 'list', 'watch'] })),
    );
    expect(objects.find((o) => o.kind === 'RoleBinding' && o.metadata.name === 'restorable-view')?.subjects).toEqual([
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'backup-auditors' },
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'ada' },
    ]);
  });

  it('GIVEN no viewers WHEN lowered THEN no cluster-wide view Role', () => {
    expect(lower(modelWith([])).some((p) => (p.object.metadata as { name?: string }).name === 'restorable-view')).toBe(false);
  });

  it('GIVEN a system group or a bare name among the viewers WHEN checked THEN SEC012 names the cluster field', () => {
    const found = accessRule.check(modelWith(['group:system:authenticated', 'auditors']), { now: new Date('2026-12-01T00:00:00Z') });
    expect(found.map((d) => [d.code, d.declaration, d.path])).toEqual([
      ['SEC012', 'prod', 'viewers[0]'],
      ['SEC012', 'prod', 'viewers[1]'],
    ]);
  });
});
