import { createPrivateKey, type KeyObject } from 'node:crypto';
import { sealingPublicKey } from './certificate.ts';
import { SealError } from './errors.ts';
import { hybridDecrypt, hybridEncrypt } from './hybrid.ts';
import { type SealTarget, sealingLabel } from './scope.ts';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Seal one value for a Secret, exactly as `kubeseal` would.
 *
 * @param plaintext - the secret bytes
 * @param certificate - the controller's PEM certificate, or its RSA public key
 * @param target - scope, namespace and name the value is bound to
 * @returns base64 ciphertext, the value for `spec.encryptedData[key]`
 * @example
 * const value = seal(Buffer.from('s3cr3t'), pem, { scope: 'strict', namespace: 'velero', name: 'creds' });
 */
export function seal(plaintext: Buffer, certificate: string | Buffer | KeyObject, target: SealTarget): string {
  const key = isKeyObject(certificate) ? certificate : sealingPublicKey(certificate);
  return hybridEncrypt(key, plaintext, sealingLabel(target)).toString('base64');
}

/**
 * Decrypt one sealed value. For tests and verification only: in a cluster the
 * controller unseals.
 *
 * @param ciphertext - base64 value from `spec.encryptedData`
 * @param privateKey - the controller's private key (PEM) or a KeyObject
 * @param target - scope, namespace and name the value was sealed for
 * @throws SealError SEAL103 when the key, scope, namespace or name does not match
 */
export function unseal(ciphertext: string, privateKey: string | Buffer | KeyObject, target: SealTarget): Buffer {
  if (!BASE64.test(ciphertext)) {
    throw new SealError('SEAL103', 'decryption failed: the sealed value is not base64');
  }
  return hybridDecrypt(loadPrivateKey(privateKey), Buffer.from(ciphertext, 'base64'), sealingLabel(target));
}

function isKeyObject(value: string | Buffer | KeyObject): value is KeyObject {
  return typeof value === 'object' && !Buffer.isBuffer(value);
}

function loadPrivateKey(key: string | Buffer | KeyObject): KeyObject {
  if (isKeyObject(key)) return key;
  try {
    return createPrivateKey(key);
  } catch {
    throw new SealError('SEAL103', 'decryption failed: the private key PEM cannot be read');
  }
}
