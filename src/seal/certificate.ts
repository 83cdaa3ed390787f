import { createHash, type KeyObject, X509Certificate } from 'node:crypto';
import { SEALED_WITH_CERT_ANNOTATION } from './annotations.ts';
import { type CertificateFindingCode, SealError } from './errors.ts';

/** What restorable needs to know about a sealing certificate. */
export interface CertificateInfo {
  /** Lowercase hex SHA-256 of the certificate DER (what `openssl x509 -fingerprint -sha256` prints, without colons). */
  readonly fingerprintSha256: string;
  /** Start of validity. */
  readonly notBefore: Date;
  /** End of validity. */
  readonly notAfter: Date;
  /** Public key algorithm as Node names it: `rsa`, `rsa-pss`, `ec`, `ed25519`... */
  readonly keyType: string;
  /** Key size in bits (RSA modulus length, or the curve size); undefined when unknown. */
  readonly keyBits: number | undefined;
  /** Subject distinguished name, e.g. `CN=sealed-secret, O=sealed-secret`. */
  readonly subject: string;
}

/** One problem found in a sealing certificate. */
export interface CertificateFinding {
  /** Stable code: SEAL001..SEAL005. */
  readonly code: CertificateFindingCode;
  /** Errors stop sealing and the build; warnings are reported. */
  readonly severity: 'error' | 'warning';
  /** What is wrong, with the values that matter. */
  readonly message: string;
  /** What to do about it. */
  readonly hint: string;
}

/** The controller generates RSA-4096 keys; below 2048 bits RSA is considered breakable. */
export const MIN_RSA_BITS = 2048;

/** A certificate that expires within this many days gets a warning. */
export const EXPIRY_WARNING_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

const CURVE_BITS: Readonly<Record<string, number>> = {
  prime256v1: 256,
  secp384r1: 384,
  secp521r1: 521,
  secp256k1: 256,
};

const EDWARDS_BITS: Readonly<Record<string, number>> = { ed25519: 256, ed448: 448, x25519: 256, x448: 448 };

function loadX509(pem: string | Buffer): X509Certificate {
  const text = typeof pem === 'string' ? pem : pem.toString('utf8');
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new SealError('SEAL001', 'not a PEM certificate: no "-----BEGIN CERTIFICATE-----" block found');
  }
  try {
    return new X509Certificate(text);
  } catch {
    // OpenSSL's message ("header too long", "wrong tag"...) means nothing to users.
    throw new SealError('SEAL001', 'the PEM certificate block is damaged and cannot be parsed');
  }
}

function parseValidity(value: string, which: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new SealError('SEAL001', `the certificate ${which} date "${value}" cannot be read`);
  }
  return date;
}

function keyBitsOf(key: KeyObject): number | undefined {
  const details = key.asymmetricKeyDetails;
  if (details?.modulusLength !== undefined) return details.modulusLength;
  if (details?.namedCurve !== undefined) return CURVE_BITS[details.namedCurve];
  return key.asymmetricKeyType === undefined ? undefined : EDWARDS_BITS[key.asymmetricKeyType];
}

/**
 * Parse a PEM certificate (the first one if the file holds several).
 *
 * @throws SealError SEAL001 when the text is not a readable certificate
 */
export function parseCertificate(pem: string | Buffer): CertificateInfo {
  const cert = loadX509(pem);
  return {
    fingerprintSha256: createHash('sha256').update(cert.raw).digest('hex'),
    notBefore: parseValidity(cert.validFrom, 'start'),
    notAfter: parseValidity(cert.validTo, 'end'),
    keyType: cert.publicKey.asymmetricKeyType ?? 'unknown',
    keyBits: keyBitsOf(cert.publicKey),
    // Node reports an empty subject as undefined; the Sealed Secrets controller's own certificates
    // (generated at start and at every renewal, without --my-cn) have one.
    subject: (cert.subject ?? '').split('\n').join(', '),
  };
}

/**
 * The certificate's public key, checked to be usable for sealing (RSA, >= 2048 bits).
 *
 * @throws SealError SEAL001 when unparseable, SEAL002 when the key cannot seal
 */
export function sealingPublicKey(pem: string | Buffer): KeyObject {
  const cert = loadX509(pem);
  const key = cert.publicKey;
  if (key.asymmetricKeyType !== 'rsa') {
    throw new SealError('SEAL002', `the certificate has a key of type ${key.asymmetricKeyType ?? 'unknown'}; sealing needs RSA`);
  }
  const bits = keyBitsOf(key) ?? 0;
  if (bits < MIN_RSA_BITS) {
    throw new SealError('SEAL002', `the certificate has a ${bits}-bit RSA key; sealing needs at least ${MIN_RSA_BITS} bits`);
  }
  return key;
}

function days(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/**
 * Check a sealing certificate against the clock `now`. Never throws.
 *
 * @param pem - PEM text of the certificate
 * @param now - the clock the check uses (the CLI's `--now`)
 * @returns findings, empty when the certificate is fit for sealing
 */
export function checkCertificate(pem: string | Buffer, now: Date): CertificateFinding[] {
  let info: CertificateInfo;
  try {
    info = parseCertificate(pem);
  } catch (error) {
    return [
      {
        code: 'SEAL001',
        severity: 'error',
        message: error instanceof SealError ? error.message : 'the certificate cannot be parsed',
        hint: 'fetch the certificate again with `kubeseal --fetch-cert` and store the PEM text unchanged',
      },
    ];
  }
  const findings: CertificateFinding[] = [];
  if (info.keyType !== 'rsa' || (info.keyBits ?? 0) < MIN_RSA_BITS) {
    const key = info.keyType === 'rsa' ? `a ${info.keyBits ?? '?'}-bit RSA key` : `a key of type ${info.keyType}`;
    findings.push({
      code: 'SEAL002',
      severity: 'error',
      message: `the certificate (${info.subject}) has ${key}; sealing needs RSA with at least ${MIN_RSA_BITS} bits`,
      hint: 'use the certificate the sealed-secrets controller publishes (`kubeseal --fetch-cert`)',
    });
  }
  const nowMs = now.getTime();
  if (nowMs > info.notAfter.getTime()) {
    findings.push({
      code: 'SEAL003',
      severity: 'error',
      message: `the certificate expired on ${info.notAfter.toISOString()} (${days(nowMs - info.notAfter.getTime())} days ago)`,
      hint: 'fetch the controller’s current certificate, then re-seal the values with `restorable seal`',
    });
  } else if (info.notAfter.getTime() - nowMs < EXPIRY_WARNING_DAYS * DAY_MS) {
    findings.push({
      code: 'SEAL004',
      severity: 'warning',
      message: `the certificate expires on ${info.notAfter.toISOString()} (in ${days(info.notAfter.getTime() - nowMs)} days)`,
      hint: 'renew the sealing key and add the new certificate before this one expires',
    });
  }
  if (nowMs < info.notBefore.getTime()) {
    findings.push({
      code: 'SEAL005',
      severity: 'error',
      message: `the certificate is not valid before ${info.notBefore.toISOString()}`,
      hint: 'check the clock (`--now`) or that this is the certificate the controller currently uses',
    });
  }
  return findings;
}

/**
 * The certificate fingerprint a SealedSecret claims it was sealed with
 * (`restorable.dev/sealed-with-cert-sha256`), or undefined when absent.
 */
export function readSealedSecretAttestation(obj: unknown): string | undefined {
  if (typeof obj !== 'object' || obj === null) return undefined;
  const metadata: unknown = (obj as { metadata?: unknown }).metadata;
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const annotations: unknown = (metadata as { annotations?: unknown }).annotations;
  if (typeof annotations !== 'object' || annotations === null) return undefined;
  const value: unknown = (annotations as Record<string, unknown>)[SEALED_WITH_CERT_ANNOTATION];
  return typeof value === 'string' ? value : undefined;
}
