import { scryptSync } from 'node:crypto';

/**
 * A fingerprint of a secret value that is equal for equal values sealed for different clusters:
 * scrypt (N=2^15, r=8, p=1) salted with the secret's name and key, so it cannot be matched against
 * fingerprints of other secrets. Recorded only for random values (see FINGERPRINTED_KEYS).
 */
export function valueFingerprint(name: string, key: string, value: Buffer): string {
  return scryptSync(value, `restorable/${name}/${key}`, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }).toString('hex');
}
