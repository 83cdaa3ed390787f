import { describe, expect, it } from 'vitest';
import { backupPolicy, cluster, guardrails, s3Storage, sealed } from '../../src/index.ts';
import { imagesRule } from '../../src/rules/images.ts';
import { resolve } from '../../src/model/resolve.ts';
import type { Model, SealedSecretModel } from '../../src/model/types.ts';
import { sealingRule } from '../../src/rules/sealing.ts';

function twoClustersSharingStorage(prints: { prod?: string; dr?: string }, prodWrites = false): Model {
  const eu = s3Storage('eu', { bucket: 'b', region: 'eu-west-1', credentials: sealed('creds') });
  const password = sealed('velero-repo-credentials', 'repository-password');
  const prod = cluster('prod', { environment: 'production', storage: [eu], repositoryPassword: password, sealingKeyRecovery: 'vault' });
  const dr = cluster('dr', { environment: 'production', storage: [eu], repositoryPassword: password, sealingKeyRecovery: 'vault' });
  const ledger = backupPolicy('ledger', { cluster: prod, storage: eu, namespaces: ['payments'], rpo: '1h', retention: { hourly: 24 } });
  const { model } = resolve(prodWrites ? [eu, prod, dr, ledger] : [eu, prod, dr]);
  const secret = (name: string, clusterName: string, print?: string): SealedSecretModel => ({
    cluster: clusterName,
    file: `policies/sealed/${clusterName}/${name}.yaml`,
    name,
    namespace: 'velero',
    scope: 'strict',
    keys: name === 'creds' ? ['cloud'] : ['repository-password'],
    valueFingerprints: print ? { 'repository-password': print } : {},
    object: {},
  });
  return {
    ...model,
    sealedSecrets: [
      secret('creds', 'prod'),
      secret('creds', 'dr'),
      secret('velero-repo-credentials', 'prod', prints.prod),
      secret('velero-repo-credentials', 'dr', prints.dr),
    ],
  };
}

// SEC004 (no certificate declared) is about certificates, which these models leave out on purpose.
const codes = (model: Model) =>
  sealingRule
    .check(model, { now: new Date('2026-11-25T00:00:00Z') })
    .filter((d) => d.code !== 'SEC004')
    .map((d) => `${d.code} ${d.declaration}`);

describe('SEC013/SEC014: one repository password per storage', () => {
  it('GIVEN two clusters reading one storage with the same password WHEN checked THEN nothing', () => {
    expect(codes(twoClustersSharingStorage({ prod: 'aa', dr: 'aa' }))).toEqual([]);
  });

  it('GIVEN different passwords WHEN checked THEN SEC013 names the cluster that could not open the repository', () => {
    // Clusters are compared with the first by name (dr), so prod is the one reported.
    expect(codes(twoClustersSharingStorage({ prod: 'aa', dr: 'bb' }))).toEqual(['SEC013 prod']);
  });

  it('GIVEN different passwords and prod writing its backups to the storage WHEN checked THEN SEC013 blames dr, and the hint keeps the password of prod', () => {
    const found = sealingRule.check(twoClustersSharingStorage({ prod: 'aa', dr: 'bb' }, true), { now: new Date('2026-11-25T00:00:00Z') }).filter((d) => d.code === 'SEC013');
    expect(found.map((d) => d.declaration)).toEqual(['dr']);
    expect(found[0]!.message).toContain('differs from the one of cluster "prod", which writes its backups to storage "eu"');
    expect(found[0]!.hint).toContain('--cluster dr');
    expect(found[0]!.hint).toContain('never change the password of "prod"');
    expect(found[0]!.hint).not.toContain('--cluster prod');
  });

  it('GIVEN one password without a fingerprint WHEN checked THEN SEC014 warns that it cannot be compared', () => {
    expect(codes(twoClustersSharingStorage({ prod: 'aa' }))).toEqual(['SEC014 dr']);
  });
});

describe('GRD008: image digests', () => {
  const images = (kubectl: string) => {
    const eu = s3Storage('eu', { bucket: 'b', region: 'eu-west-1', credentials: sealed('creds') });
    const prod = cluster('prod', { environment: 'production', storage: [eu], images: { kubectl } });
    return resolve([eu, prod, guardrails('production', { requireImageDigests: true })]).model;
  };

  it('GIVEN production requires digests WHEN the kubectl image is a tag THEN GRD008 names images.kubectl', () => {
    const found = imagesRule.check(images('example/kubectl:1.33'), { now: new Date() });
    expect(found.map((d) => `${d.code} ${d.declaration}.${d.path}`)).toEqual(['GRD008 prod.images.kubectl']);
  });

  it('GIVEN production requires digests WHEN the image is pinned by digest THEN nothing', () => {
    expect(imagesRule.check(images(`example/kubectl@sha256:${'a'.repeat(64)}`), { now: new Date() })).toEqual([]);
  });
});
