import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { SealingScope } from '../../src/seal/index.ts';
import { referenceCrdPath, sealedSecretsVectorsDir } from '../support/crd.ts';

/** The repository root. */
export const repoRoot = resolve(import.meta.dirname, '..', '..');

/** Sealed Secrets test vectors and their key pair. */
export const sealedSecretsReference = sealedSecretsVectorsDir;

/** The real SealedSecret CRD. */
export const sealedSecretCrd = referenceCrdPath('sealed-secrets/bitnami.com_sealedsecrets.yaml');

/** One ciphertext produced by Go code doing what sealed-secrets' HybridEncrypt does. */
export interface Vector {
  readonly Scope: SealingScope;
  readonly Namespace: string;
  readonly Name: string;
  readonly Key: string;
  readonly Label: string;
  readonly Plaintext: string;
  readonly Ciphertext: string;
}

/** The reference vectors. */
export function loadVectors(): Vector[] {
  return JSON.parse(readFileSync(join(sealedSecretsReference, 'vectors.json'), 'utf8')) as Vector[];
}

/** PEM text of the reference certificate and its private key. */
export const referenceCert = readFileSync(join(sealedSecretsReference, 'test-cert.pem'), 'utf8');
/** Private key of {@link referenceCert}. */
export const referenceKey = readFileSync(join(sealedSecretsReference, 'test-key.pem'), 'utf8');

/** A temporary directory, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'restorable-seal-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A self-signed certificate made by the real openssl.
 *
 * @param newkey - the `-newkey` value and its options, e.g. `['rsa:1024']`
 */
export function opensslCertificate(
  dir: string,
  name: string,
  newkey: readonly string[],
  days = 365,
): { certPath: string; keyPath: string; pem: string } {
  const certPath = join(dir, `${name}.pem`);
  const keyPath = join(dir, `${name}.key.pem`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', ...newkey, '-nodes', '-days', String(days), '-subj', `/CN=${name}`, '-keyout', keyPath, '-out', certPath],
    { stdio: 'pipe' },
  );
  return { certPath, keyPath, pem: readFileSync(certPath, 'utf8') };
}

/** The SHA-256 fingerprint openssl prints, as lowercase hex without colons. */
export function opensslFingerprint(certPath: string): string {
  const out = execFileSync('openssl', ['x509', '-in', certPath, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
  return (out.split('=')[1] ?? '').trim().replaceAll(':', '').toLowerCase();
}
