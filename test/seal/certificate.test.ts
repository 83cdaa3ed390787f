import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkCertificate,
  parseCertificate,
  readSealedSecretAttestation,
  SEALED_WITH_CERT_ANNOTATION,
  SealError,
  sealingPublicKey,
} from '../../src/seal/index.ts';
import { opensslCertificate, opensslFingerprint, referenceCert, referenceKey, repoRoot, sealedSecretsReference, tempDir } from './support.ts';

const DAY = 24 * 60 * 60 * 1000;

let dir: string;
let cleanup: () => Promise<void>;
let shortKey: ReturnType<typeof opensslCertificate>;
let ecKey: ReturnType<typeof opensslCertificate>;
let edKey: ReturnType<typeof opensslCertificate>;
let tenDays: ReturnType<typeof opensslCertificate>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  shortKey = opensslCertificate(dir, 'rsa-1024', ['rsa:1024']);
  ecKey = opensslCertificate(dir, 'ec-p256', ['ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1']);
  edKey = opensslCertificate(dir, 'ed25519', ['ed25519']);
  tenDays = opensslCertificate(dir, 'rsa-2048-10d', ['rsa:2048'], 10);
});

afterAll(() => cleanup());

describe('parseCertificate', () => {
  it('GIVEN the reference certificate WHEN parsed THEN key, subject and validity are read', () => {
    const info = parseCertificate(referenceCert);
    expect(info.keyType).toBe('rsa');
    expect(info.keyBits).toBe(4096);
    expect(info.subject).toBe('CN=sealed-secret, O=sealed-secret');
    expect(info.notBefore.toISOString()).toBe('2026-11-25T20:05:34.000Z');
    expect(info.notAfter.toISOString()).toBe('2036-11-22T20:05:34.000Z');
  });

  it('GIVEN a certificate with an empty subject, as the controller publishes after a key renewal, WHEN parsed and checked THEN it is read and fit for sealing', () => {
    const pem = readFileSync(join(repoRoot, 'test', 'fixtures', 'certs', 'empty-subject.pem'));
    expect(parseCertificate(pem)).toMatchObject({ keyType: 'rsa', keyBits: 2048, subject: '' });
    expect(checkCertificate(pem, new Date('2030-01-01T00:00:00Z'))).toEqual([]);
  });

  it('GIVEN a certificate WHEN its fingerprint is computed THEN it equals openssl x509 -fingerprint -sha256', () => {
    const path = join(sealedSecretsReference, 'test-cert.pem');
    expect(parseCertificate(referenceCert).fingerprintSha256).toBe(opensslFingerprint(path));
    expect(parseCertificate(readFileSync(shortKey.certPath)).fingerprintSha256).toBe(opensslFingerprint(shortKey.certPath));
  });

  it('GIVEN EC and Ed25519 certificates WHEN parsed THEN the key type and size are reported', () => {
    expect(parseCertificate(ecKey.pem)).toMatchObject({ keyType: 'ec', keyBits: 256 });
    expect(parseCertificate(edKey.pem)).toMatchObject({ keyType: 'ed25519', keyBits: 256 });
  });

  it('GIVEN a damaged PEM block WHEN parsed THEN a SealError SEAL001 explains it, not an OpenSSL error', () => {
    const damaged = referenceCert.replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!');
    expect(() => parseCertificate(damaged)).toThrow(SealError);
    expect(() => parseCertificate(damaged)).toThrow('the PEM certificate block is damaged and cannot be parsed');
  });
});

describe('checkCertificate', () => {
  const validNow = new Date('2027-06-01T00:00:00Z');

  it('GIVEN a valid RSA-4096 certificate WHEN checked THEN there are no findings', () => {
    expect(checkCertificate(referenceCert, validNow)).toEqual([]);
  });

  it('GIVEN text without a certificate WHEN checked THEN SEAL001 is an error', () => {
    const findings = checkCertificate('hello', validNow);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ code: 'SEAL001', severity: 'error' });
    expect(findings[0]?.message).toContain('no "-----BEGIN CERTIFICATE-----" block');
  });

  it('GIVEN a private key instead of a certificate WHEN checked THEN SEAL001 is an error and the key is not echoed', () => {
    const findings = checkCertificate(referenceKey, validNow);
    expect(findings.map((f) => f.code)).toEqual(['SEAL001']);
    expect(JSON.stringify(findings)).not.toContain(referenceKey.split('\n')[1]);
  });

  it('GIVEN a certificate with a broken body WHEN checked THEN SEAL001 is an error', () => {
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    expect(checkCertificate(broken, validNow)).toMatchObject([{ code: 'SEAL001', severity: 'error' }]);
  });

  it('GIVEN a 1024-bit RSA certificate WHEN checked THEN SEAL002 is an error naming the size', () => {
    const findings = checkCertificate(shortKey.pem, new Date());
    expect(findings).toMatchObject([{ code: 'SEAL002', severity: 'error' }]);
    expect(findings[0]?.message).toContain('1024-bit RSA key');
  });

  it('GIVEN EC and Ed25519 certificates WHEN checked THEN SEAL002 says sealing needs RSA', () => {
    for (const pem of [ecKey.pem, edKey.pem]) {
      const findings = checkCertificate(pem, new Date());
      expect(findings).toMatchObject([{ code: 'SEAL002', severity: 'error' }]);
      expect(findings[0]?.message).toContain('sealing needs RSA');
    }
  });

  it('GIVEN a clock after notAfter WHEN checked THEN SEAL003 is an error', () => {
    const findings = checkCertificate(referenceCert, new Date('2037-01-01T00:00:00Z'));
    expect(findings).toMatchObject([{ code: 'SEAL003', severity: 'error' }]);
    expect(findings[0]?.message).toContain('expired on 2036-11-22T20:05:34.000Z');
  });

  it('GIVEN a certificate made to last 10 days WHEN checked now THEN SEAL004 warns about the expiry', () => {
    const findings = checkCertificate(tenDays.pem, new Date());
    expect(findings).toMatchObject([{ code: 'SEAL004', severity: 'warning' }]);
    expect(findings[0]?.message).toMatch(/in (9|10) days/);
  });

  it('GIVEN a clock 31 and 29 days before notAfter WHEN checked THEN only the later one warns', () => {
    const notAfter = parseCertificate(referenceCert).notAfter.getTime();
    expect(checkCertificate(referenceCert, new Date(notAfter - 31 * DAY))).toEqual([]);
    expect(checkCertificate(referenceCert, new Date(notAfter - 29 * DAY))).toMatchObject([{ code: 'SEAL004' }]);
  });

  it('GIVEN a clock before notBefore WHEN checked THEN SEAL005 is an error', () => {
    expect(checkCertificate(referenceCert, new Date('2026-01-01T00:00:00Z'))).toMatchObject([
      { code: 'SEAL005', severity: 'error' },
    ]);
  });

  it('GIVEN any finding WHEN read THEN it carries a hint', () => {
    for (const finding of checkCertificate(shortKey.pem, new Date('2099-01-01T00:00:00Z'))) {
      expect(finding.hint.length).toBeGreaterThan(10);
    }
  });
});

describe('sealingPublicKey', () => {
  it('GIVEN a 1024-bit or EC certificate WHEN its sealing key is requested THEN SealError SEAL002 is thrown', () => {
    for (const pem of [shortKey.pem, ecKey.pem]) {
      try {
        sealingPublicKey(pem);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(SealError);
        expect((error as SealError).code).toBe('SEAL002');
      }
    }
  });
});

describe('readSealedSecretAttestation', () => {
  it('GIVEN a SealedSecret with the annotation WHEN read THEN the fingerprint is returned', () => {
    const obj = { metadata: { annotations: { [SEALED_WITH_CERT_ANNOTATION]: 'abc123' } } };
    expect(readSealedSecretAttestation(obj)).toBe('abc123');
  });

  it('GIVEN objects without the annotation WHEN read THEN undefined is returned', () => {
    for (const obj of [undefined, null, 'x', {}, { metadata: {} }, { metadata: { annotations: { other: 'x' } } }]) {
      expect(readSealedSecretAttestation(obj)).toBeUndefined();
    }
    expect(readSealedSecretAttestation({ metadata: { annotations: { [SEALED_WITH_CERT_ANNOTATION]: 42 } } })).toBeUndefined();
  });
});
