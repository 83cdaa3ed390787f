/**
 * The helper every generated ServiceAccount, Role and RoleBinding goes through (src/lower/rbac.ts):
 * cdk8s-plus constructs with restorable's own names, a ServiceAccount that mounts no token unless its
 * pod asks for one, exactly the rules given, and the objects collected by lower() like any other.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cluster, s3Storage, sealed } from '../../src/index.ts';
import type { LowerContext } from '../../src/lower/context.ts';
import { emit } from '../../src/lower/context.ts';
import { lower } from '../../src/lower/index.ts';
import { roleWithBinding, serviceAccount } from '../../src/lower/rbac.ts';
import { loadPolicies } from '../../src/loader/load.ts';
import { resolve } from '../../src/model/resolve.ts';
import { exampleOrgDir } from '../support/temp.ts';

const model = () => {
  const eu = s3Storage('eu', { bucket: 'b', region: 'eu-west-1', credentials: sealed('creds') });
  return resolve([eu, cluster('prod', { environment: 'production', storage: [eu] })]).model;
};

/** lower() with one backend that uses the helper. */
const lowered = (backend: (ctx: LowerContext) => void) => lower(model(), [backend]);

const labels = { 'app.kubernetes.io/managed-by': 'restorable' };

describe('generated identities and grants (cdk8s-plus)', () => {
  it('GIVEN a ServiceAccount, a Role and a binding to it and to people WHEN lowered THEN lower() collects all three with the names, rules and subjects given', () => {
    const objects = lowered((ctx) => {
      const account = serviceAccount(ctx, { name: 'runner', namespace: 'velero', labels });
      roleWithBinding(
        ctx,
        { name: 'runner', namespace: 'velero', labels },
        [
          { apiGroup: '', resources: ['configmaps'], verbs: ['get'], names: ['a', 'b'] },
          { apiGroup: 'velero.io', resources: ['backups', 'restores'], verbs: ['get', 'list'] },
        ],
        [account, { kind: 'Group', name: 'sre' }, { kind: 'User', name: 'ada' }],
      );
    }).map((p) => p.object);

    expect(objects.map((o) => `${o.kind}/${(o.metadata as { name: string }).name}`).sort()).toEqual(['Role/runner', 'RoleBinding/runner', 'ServiceAccount/runner']);
    expect(objects.find((o) => o.kind === 'ServiceAccount')).toMatchObject({ metadata: { name: 'runner', namespace: 'velero', labels }, automountServiceAccountToken: false });
    expect(objects.find((o) => o.kind === 'Role')?.rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'], verbs: ['get'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['b'], verbs: ['get'] },
      { apiGroups: ['velero.io'], resources: ['backups'], verbs: ['get', 'list'] },
      { apiGroups: ['velero.io'], resources: ['restores'], verbs: ['get', 'list'] },
    ]);
    const binding = objects.find((o) => o.kind === 'RoleBinding');
    expect(binding).toMatchObject({ metadata: { name: 'runner', namespace: 'velero', labels }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'runner' } });
    expect(binding?.subjects).toEqual([
      // No apiGroup: the API server stores none for a ServiceAccount, so Git and the cluster agree.
      { kind: 'ServiceAccount', name: 'runner', namespace: 'velero' },
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'sre' },
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'ada' },
    ]);
  });

  it('GIVEN a folder WHEN a ServiceAccount is made THEN it is placed there, not in the cluster folder', () => {
    const placed = lowered((ctx) => void serviceAccount(ctx, { name: 'hook', namespace: 'payments', labels }, { folder: 'hooks/ledger' }));
    expect(placed.map((p) => p.folder)).toEqual(['hooks/ledger']);
  });

  it('GIVEN a ServiceAccount made by the helper and one emitted as a plain object with the same namespace and name WHEN lowered THEN the collision fails at compile time', () => {
    expect(() =>
      lowered((ctx) => {
        serviceAccount(ctx, { name: 'runner', namespace: 'velero', labels });
        emit(ctx, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'runner', namespace: 'velero' } });
      }),
    ).toThrow(/runner/);
  });

  it('GIVEN the example organisation WHEN lowered THEN no object carries a cdk8s construct-address label (no cdk8s-plus workload slipped in)', async () => {
    const { model: example } = await loadPolicies(path.join(exampleOrgDir, 'policies'));
    const objects = lower(example);
    expect(objects.some((p) => p.object.kind === 'ServiceAccount' && (p.object as { automountServiceAccountToken?: boolean }).automountServiceAccountToken === false)).toBe(true);
    expect(JSON.stringify(objects)).not.toContain('cdk8s.io/metadata.addr');
  });
});
