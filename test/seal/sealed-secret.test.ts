import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import {
  buildSealedSecret,
  CLUSTER_WIDE_ANNOTATION,
  NAMESPACE_WIDE_ANNOTATION,
  parseCertificate,
  renderSealedSecret,
  SEALED_WITH_CERT_ANNOTATION,
  SealError,
  type SealingScope,
  unseal,
} from '../../src/seal/index.ts';
import { VALUE_FINGERPRINT_ANNOTATION_PREFIX } from '../../src/seal/annotations.ts';
import { valueFingerprint } from '../../src/seal/value-fingerprint.ts';
import { crdValidator } from './crd-schema.ts';
import { referenceCert, referenceKey, sealedSecretCrd } from './support.ts';

const validate = crdValidator(sealedSecretCrd);
const fingerprint = parseCertificate(referenceCert).fingerprintSha256;
/** The repository password's value fingerprint: comparable across clusters, never the value. */
const passwordPrint = { [`${VALUE_FINGERPRINT_ANNOTATION_PREFIX}repository-password`]: valueFingerprint('velero-repo-credentials', 'repository-password', Buffer.from('not-a-secret')) };

function build(scope?: SealingScope, extra: { type?: string } = {}) {
  return buildSealedSecret({
    name: 'velero-repo-credentials',
    namespace: 'velero',
    ...(scope === undefined ? {} : { scope }),
    data: { 'repository-password': Buffer.from('not-a-secret'), cloud: Buffer.from('[default]\n') },
    certificate: referenceCert,
    ...extra,
  });
}

function expectCode(run: () => unknown, code: string, text: string): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SealError);
    expect((error as SealError).code).toBe(code);
    expect((error as SealError).message).toContain(text);
    return;
  }
  expect.unreachable('expected a SealError');
}

describe('buildSealedSecret', () => {
  it('GIVEN no scope WHEN built THEN it is strict: no scope annotations, only the attestation', () => {
    const obj = build();
    expect(obj.apiVersion).toBe('bitnami.com/v1alpha1');
    expect(obj.kind).toBe('SealedSecret');
    expect(obj.metadata).toEqual({
      name: 'velero-repo-credentials',
      namespace: 'velero',
      annotations: { [SEALED_WITH_CERT_ANNOTATION]: fingerprint, ...passwordPrint },
    });
    expect(obj.spec.template).toEqual({
      metadata: { name: 'velero-repo-credentials', namespace: 'velero' },
      type: 'Opaque',
    });
  });

  it('GIVEN namespace-wide scope WHEN built THEN the object and its template carry the namespace-wide annotation', () => {
    const obj = build('namespace-wide');
    expect(obj.metadata.annotations).toEqual({ [NAMESPACE_WIDE_ANNOTATION]: 'true', [SEALED_WITH_CERT_ANNOTATION]: fingerprint, ...passwordPrint });
    expect(obj.spec.template?.metadata?.annotations).toEqual({ [NAMESPACE_WIDE_ANNOTATION]: 'true' });
  });

  it('GIVEN cluster-wide scope WHEN built THEN the object and its template carry the cluster-wide annotation', () => {
    const obj = build('cluster-wide');
    expect(obj.metadata.annotations).toEqual({ [CLUSTER_WIDE_ANNOTATION]: 'true', [SEALED_WITH_CERT_ANNOTATION]: fingerprint, ...passwordPrint });
    expect(obj.spec.template?.metadata?.annotations).toEqual({ [CLUSTER_WIDE_ANNOTATION]: 'true' });
  });

  it('GIVEN keys in any order WHEN built THEN encryptedData keys are sorted', () => {
    expect(Object.keys(build().spec.encryptedData)).toEqual(['cloud', 'repository-password']);
  });

  for (const scope of ['strict', 'namespace-wide', 'cluster-wide'] as const) {
    it(`GIVEN ${scope} scope WHEN each value is unsealed with the object's name and namespace THEN the plaintext comes back`, () => {
      const obj = build(scope);
      const target = { scope, namespace: obj.metadata.namespace, name: obj.metadata.name };
      expect(unseal(obj.spec.encryptedData['repository-password']!, referenceKey, target).toString()).toBe('not-a-secret');
      expect(unseal(obj.spec.encryptedData.cloud!, referenceKey, target).toString()).toBe('[default]\n');
    });

    it(`GIVEN ${scope} scope WHEN validated against the real SealedSecret CRD with unknown fields forbidden THEN it is valid`, () => {
      const valid = validate(JSON.parse(JSON.stringify(build(scope))));
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    });
  }

  it('GIVEN a misspelled spec field WHEN validated against the strict CRD schema THEN it is rejected', () => {
    const obj = JSON.parse(JSON.stringify(build())) as { spec: Record<string, unknown> };
    obj.spec.encryptedDatum = obj.spec.encryptedData;
    expect(validate(obj)).toBe(false);
    expect(validate.errors?.[0]?.keyword).toBe('additionalProperties');
  });

  it('GIVEN a Secret type WHEN built THEN the template carries it', () => {
    expect(build(undefined, { type: 'kubernetes.io/basic-auth' }).spec.template?.type).toBe('kubernetes.io/basic-auth');
  });

  it('GIVEN invalid names, keys or no data WHEN built THEN SEAL101 says what is wrong', () => {
    const base = { name: 'ok', namespace: 'velero', data: { k: Buffer.from('v') }, certificate: referenceCert };
    expectCode(() => buildSealedSecret({ ...base, name: 'Bad_Name' }), 'SEAL101', 'invalid Secret name "Bad_Name"');
    expectCode(() => buildSealedSecret({ ...base, name: '../escape' }), 'SEAL101', 'invalid Secret name');
    expectCode(() => buildSealedSecret({ ...base, namespace: 'a.b' }), 'SEAL101', 'invalid namespace "a.b"');
    expectCode(() => buildSealedSecret({ ...base, data: { 'a/b': Buffer.from('v') } }), 'SEAL101', 'invalid data key "a/b"');
    expectCode(() => buildSealedSecret({ ...base, data: {} }), 'SEAL101', 'nothing to seal');
  });
});

describe('renderSealedSecret', () => {
  it('GIVEN a SealedSecret WHEN rendered THEN the YAML has sorted keys, unfolded ciphertext and parses back equal', () => {
    const obj = build('namespace-wide');
    const text = renderSealedSecret(obj);
    expect(text.indexOf('apiVersion:')).toBeLessThan(text.indexOf('kind:'));
    expect(text.indexOf('  annotations:')).toBeLessThan(text.indexOf('  name:'));
    for (const value of Object.values(obj.spec.encryptedData)) expect(text).toContain(`: ${value}\n`);
    expect(yaml.load(text)).toEqual(JSON.parse(JSON.stringify(obj)));
  });
});

describe('value fingerprints', () => {
  it('GIVEN the same password sealed for two certificates WHEN built THEN the fingerprints match though the ciphertexts differ', () => {
    const data = { 'repository-password': Buffer.from('same-random-password') };
    const a = buildSealedSecret({ name: 'velero-repo-credentials', namespace: 'velero', data, certificate: referenceCert });
    const b = buildSealedSecret({ name: 'velero-repo-credentials', namespace: 'velero', data, certificate: referenceCert });
    const key = `${VALUE_FINGERPRINT_ANNOTATION_PREFIX}repository-password`;
    expect(a.metadata.annotations?.[key]).toBe(b.metadata.annotations?.[key]);
    expect(a.spec.encryptedData['repository-password']).not.toBe(b.spec.encryptedData['repository-password']);
  });

  it('GIVEN different passwords or a cloud credential WHEN built THEN fingerprints differ, and cloud credentials get none', () => {
    const build2 = (password: string) =>
      buildSealedSecret({ name: 'velero-repo-credentials', namespace: 'velero', data: { 'repository-password': Buffer.from(password), cloud: Buffer.from('x') }, certificate: referenceCert });
    const key = `${VALUE_FINGERPRINT_ANNOTATION_PREFIX}repository-password`;
    expect(build2('one').metadata.annotations?.[key]).not.toBe(build2('two').metadata.annotations?.[key]);
    expect(Object.keys(build2('one').metadata.annotations ?? {}).some((k) => k.endsWith('.cloud'))).toBe(false);
    expect(JSON.stringify(build2('one'))).not.toContain('one"');
  });
});
