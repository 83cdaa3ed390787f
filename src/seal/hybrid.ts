import {
  createCipheriv,
  createDecipheriv,
  constants,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import { SealError } from './errors.ts';

const SESSION_KEY_BYTES = 32;
const GCM_TAG_BYTES = 16;
const LENGTH_PREFIX_BYTES = 2;
// A fixed all-zero nonce is safe only because every message gets a fresh session key;
// it is what the controller expects, so it is part of the format.
const ZERO_NONCE = Buffer.alloc(12);

/**
 * Encrypt like sealed-secrets' `HybridEncrypt`:
 * `uint16be(len(rsa)) || RSA-OAEP-SHA256(label, sessionKey) || AES-256-GCM(sessionKey, zero nonce, plaintext) || tag`.
 *
 * @param publicKey - the controller's RSA public key
 * @param plaintext - bytes to seal
 * @param label - the OAEP label that binds the ciphertext to its scope
 * @returns the raw ciphertext (base64 it for `spec.encryptedData`)
 */
export function hybridEncrypt(publicKey: KeyObject, plaintext: Buffer, label: Buffer): Buffer {
  const sessionKey = randomBytes(SESSION_KEY_BYTES);
  try {
    const wrappedKey = publicEncrypt(
      { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: label },
      sessionKey,
    );
    const prefix = Buffer.alloc(LENGTH_PREFIX_BYTES);
    prefix.writeUInt16BE(wrappedKey.length);
    const cipher = createCipheriv('aes-256-gcm', sessionKey, ZERO_NONCE);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([prefix, wrappedKey, body, cipher.getAuthTag()]);
  } catch {
    // The crypto error could only say which primitive failed; the cause is the key.
    throw new SealError('SEAL102', 'encryption failed: the certificate key cannot be used for RSA-OAEP sealing');
  } finally {
    sessionKey.fill(0);
  }
}

/**
 * Decrypt a sealed-secrets ciphertext. For tests and verification only: the controller
 * does this in the cluster.
 *
 * @param privateKey - the controller's RSA private key
 * @param ciphertext - raw ciphertext as produced by {@link hybridEncrypt}
 * @param label - the OAEP label the value was sealed with
 * @throws SealError SEAL103 when the key, label or ciphertext does not match
 */
export function hybridDecrypt(privateKey: KeyObject, ciphertext: Buffer, label: Buffer): Buffer {
  const failed = (why: string): SealError =>
    new SealError('SEAL103', `decryption failed: ${why} (wrong key, wrong scope/namespace/name, or altered ciphertext)`);
  if (ciphertext.length < LENGTH_PREFIX_BYTES) throw failed('ciphertext too short');
  const wrappedLength = ciphertext.readUInt16BE(0);
  const bodyStart = LENGTH_PREFIX_BYTES + wrappedLength;
  if (ciphertext.length < bodyStart + GCM_TAG_BYTES) throw failed('ciphertext truncated');
  let sessionKey: Buffer;
  try {
    sessionKey = privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: label },
      ciphertext.subarray(LENGTH_PREFIX_BYTES, bodyStart),
    );
  } catch {
    throw failed('the session key does not unwrap');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', sessionKey, ZERO_NONCE);
    decipher.setAuthTag(ciphertext.subarray(ciphertext.length - GCM_TAG_BYTES));
    return Buffer.concat([decipher.update(ciphertext.subarray(bodyStart, ciphertext.length - GCM_TAG_BYTES)), decipher.final()]);
  } catch {
    throw failed('the data does not authenticate');
  } finally {
    sessionKey.fill(0);
  }
}
