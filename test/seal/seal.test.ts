import { createPrivateKey } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hybridDecrypt,
  SEALING_SCOPES,
  SealError,
  type SealTarget,
  seal,
  sealingLabel,
  unseal,
} from '../../src/seal/index.ts';
import { loadVectors, referenceCert, referenceKey } from './support.ts';

const strict: SealTarget = { scope: 'strict', namespace: 'velero', name: 'cloud-credentials' };

function expectSealError(run: () => unknown, code: string): SealError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SealError);
    expect((error as SealError).code).toBe(code);
    return error as SealError;
  }
  throw new Error('expected a SealError');
}

describe('reference vectors', () => {
  for (const vector of loadVectors()) {
    it(`GIVEN the ${vector.Scope} vector WHEN unsealed with the test key THEN the plaintext matches`, () => {
      const target = { scope: vector.Scope, namespace: vector.Namespace, name: vector.Name };
      expect(sealingLabel(target).toString('utf8')).toBe(vector.Label);
      expect(unseal(vector.Ciphertext, referenceKey, target).toString('utf8')).toBe(vector.Plaintext);
    });
  }

  it('GIVEN the strict vector WHEN unsealed for another name THEN decryption fails with SEAL103', () => {
    const vector = loadVectors().find((v) => v.Scope === 'strict')!;
    expectSealError(() => unseal(vector.Ciphertext, referenceKey, { ...strict, name: 'other' }), 'SEAL103');
  });
});

describe('seal', () => {
  const scopes: SealTarget[] = [
    strict,
    { scope: 'namespace-wide', namespace: 'velero', name: 'velero-repo-credentials' },
    { scope: 'cluster-wide', namespace: 'payments', name: 'drill-db' },
  ];
  for (const target of scopes) {
    it(`GIVEN a value sealed with ${target.scope} scope WHEN unsealed with the same target THEN it round-trips`, () => {
      const plaintext = Buffer.from('p@ss w0rd é\n\u0000binary', 'utf8');
      expect(unseal(seal(plaintext, referenceCert, target), referenceKey, target)).toEqual(plaintext);
    });
  }

  it('GIVEN a sealed value WHEN its ciphertext is inspected THEN it has the 2-byte RSA length prefix and the GCM tag', () => {
    const raw = Buffer.from(seal(Buffer.from('abc'), referenceCert, strict), 'base64');
    expect(raw.readUInt16BE(0)).toBe(512);
    expect(raw.length).toBe(2 + 512 + 3 + 16);
  });

  it('GIVEN the same plaintext WHEN sealed twice THEN the ciphertexts differ', () => {
    const plaintext = Buffer.from('same');
    expect(seal(plaintext, referenceCert, strict)).not.toBe(seal(plaintext, referenceCert, strict));
  });

  it('GIVEN an empty value WHEN sealed and unsealed THEN it stays empty', () => {
    expect(unseal(seal(Buffer.alloc(0), referenceCert, strict), referenceKey, strict).length).toBe(0);
  });

  it('GIVEN a strict value WHEN unsealed with another namespace, name or scope THEN it fails with SEAL103', () => {
    const sealed = seal(Buffer.from('secret'), referenceCert, strict);
    expectSealError(() => unseal(sealed, referenceKey, { ...strict, namespace: 'other' }), 'SEAL103');
    expectSealError(() => unseal(sealed, referenceKey, { ...strict, name: 'other' }), 'SEAL103');
    expectSealError(() => unseal(sealed, referenceKey, { ...strict, scope: 'namespace-wide' }), 'SEAL103');
    expectSealError(() => unseal(sealed, referenceKey, { ...strict, scope: 'cluster-wide' }), 'SEAL103');
  });

  it('GIVEN a namespace-wide value WHEN unsealed under another name in the namespace THEN it decrypts', () => {
    const target: SealTarget = { scope: 'namespace-wide', namespace: 'velero', name: 'a' };
    const sealed = seal(Buffer.from('shared'), referenceCert, target);
    expect(unseal(sealed, referenceKey, { ...target, name: 'b' }).toString()).toBe('shared');
  });

  it('GIVEN a sealed value WHEN any byte of the key, body or tag is flipped THEN it fails with SEAL103', () => {
    const raw = Buffer.from(seal(Buffer.from('do not touch'), referenceCert, strict), 'base64');
    for (const at of [0, 1, 2, 300, 514, 520, raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[at] = (tampered[at] ?? 0) ^ 0x01;
      expectSealError(() => unseal(tampered.toString('base64'), referenceKey, strict), 'SEAL103');
    }
  });

  it('GIVEN a truncated or non-base64 ciphertext WHEN unsealed THEN it fails with SEAL103, not a crypto error', () => {
    const raw = Buffer.from(seal(Buffer.from('x'), referenceCert, strict), 'base64');
    expectSealError(() => unseal(raw.subarray(0, 1).toString('base64'), referenceKey, strict), 'SEAL103');
    expectSealError(() => unseal(raw.subarray(0, 520).toString('base64'), referenceKey, strict), 'SEAL103');
    expectSealError(() => unseal('not base64!', referenceKey, strict), 'SEAL103');
    expectSealError(
      () => hybridDecrypt(createPrivateKey(referenceKey), raw.subarray(0, 530), Buffer.from('velero/cloud-credentials')),
      'SEAL103',
    );
  });

  it('GIVEN a decryption failure WHEN its message is read THEN it names the likely causes without the value', () => {
    const error = expectSealError(() => unseal(seal(Buffer.from('hunter2'), referenceCert, strict), referenceKey, { ...strict, name: 'x' }), 'SEAL103');
    expect(error.message).toMatch(/wrong key, wrong scope\/namespace\/name, or altered ciphertext/);
    expect(error.message).not.toContain('hunter2');
  });

  it('GIVEN text that is not a certificate WHEN used to seal THEN it fails with SEAL001', () => {
    expectSealError(() => seal(Buffer.from('x'), 'hello', strict), 'SEAL001');
  });
});

describe('seal (property)', () => {
  it('GIVEN any bytes and any scope WHEN sealed and unsealed with the same target THEN the bytes come back', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2048 }),
        fc.constantFrom(...SEALING_SCOPES),
        fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/),
        (bytes, scope, name) => {
          const target = { scope, namespace: 'velero', name };
          const plaintext = Buffer.from(bytes);
          expect(unseal(seal(plaintext, referenceCert, target), referenceKey, target)).toEqual(plaintext);
        },
      ),
      { numRuns: 25 },
    );
  });
});
