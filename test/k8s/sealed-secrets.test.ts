import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ISealedSecret, SealedSecret, sealedSecretSchema } from '../../src/k8s/sealed-secrets/index.ts';
import { validationErrors } from '../../src/k8s/validation.ts';
import { sealedSecretsVectorsDir } from '../support/crd.ts';
import { describeKinds, setAt } from './kind-cases.ts';

interface Vector {
  readonly Scope: string;
  readonly Namespace: string;
  readonly Name: string;
  readonly Key: string;
  readonly Ciphertext: string;
}

/** Real ciphertexts, so the example carries what kubeseal would put there. */
const vectors = JSON.parse(fs.readFileSync(path.join(sealedSecretsVectorsDir, 'vectors.json'), 'utf8')) as Vector[];

const strict = vectors.find((v) => v.Scope === 'strict');
const namespaceWide = vectors.find((v) => v.Scope === 'namespace-wide');
if (strict === undefined || namespaceWide === undefined) throw new Error('vectors.json lacks a strict or namespace-wide vector');

const sealed: ISealedSecret = {
  apiVersion: 'bitnami.com/v1alpha1',
  kind: 'SealedSecret',
  metadata: {
    name: strict.Name,
    namespace: strict.Namespace,
    labels: { 'app.kubernetes.io/managed-by': 'restorable' },
    annotations: { 'restorable.dev/source': 'policies/storage.ts' },
  },
  spec: {
    encryptedData: { [strict.Key]: strict.Ciphertext },
    template: {
      type: 'Opaque',
      immutable: false,
      metadata: {
        name: strict.Name,
        namespace: strict.Namespace,
        labels: { 'velero.io/credentials': 'true' },
        annotations: { 'restorable.dev/rotated': '2024-01-01' },
      },
    },
  },
};

const namespaceWideSealed: ISealedSecret = {
  apiVersion: 'bitnami.com/v1alpha1',
  kind: 'SealedSecret',
  metadata: {
    name: namespaceWide.Name,
    namespace: namespaceWide.Namespace,
    annotations: { 'sealedsecrets.bitnami.com/namespace-wide': 'true' },
  },
  spec: { encryptedData: { [namespaceWide.Key]: namespaceWide.Ciphertext } },
};

describeKinds('bitnami.com/v1alpha1', [
  {
    kind: 'SealedSecret',
    crdFile: 'sealed-secrets/bitnami.com_sealedsecrets.yaml',
    schema: sealedSecretSchema,
    examples: [sealed, namespaceWideSealed],
    modelValidate: (o) => new SealedSecret(o as ISealedSecret).validate(),
    misspelt: { parent: 'spec.template', field: 'immutible' },
    stringField: 'spec.template.type',
  },
]);

describe('bitnami.com/v1alpha1 SealedSecret, project-only rules', () => {
  it('GIVEN a plaintext value in encryptedData WHEN validated THEN the project schema says it is not base64', () => {
    const bad = setAt(sealed, 'spec.encryptedData', { cloud: 'aws_secret_access_key=oops!' });
    expect(validationErrors(sealedSecretSchema, bad)).toEqual([
      'spec.encryptedData.cloud: "aws_secret_access_key=oops!" is not a valid byte',
    ]);
  });

  it('GIVEN a SealedSecret without encryptedData WHEN validated THEN it is rejected', () => {
    const bad = setAt(sealed, 'spec', { template: { type: 'Opaque' } });
    expect(() => new SealedSecret(bad as ISealedSecret).validate()).toThrow(
      'spec: missing required field "encryptedData"',
    );
  });
});
