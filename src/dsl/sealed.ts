/**
 * A reference to a sealed credential: a SealedSecret made once with `restorable seal --write`
 * and kept in `policies/sealed/<cluster>/<name>.yaml`. Synth copies the ciphertext; plaintext never
 * passes through restorable.
 */
export interface SealedRef {
  readonly sealedSecret: string;
  /** The key inside the secret. */
  readonly key: string;
}

/**
 * Refers to a sealed credential by the name it was sealed under.
 *
 * @param name the SealedSecret's name (`--name` given to `restorable seal`)
 * @param key the data key inside it
 * @default key `'cloud'` (Velero's convention for provider credential files)
 * @example
 * s3Storage('eu-backups', { ..., credentials: sealed('velero-eu-backups-credentials') })
 */
export function sealed(name: string, key = 'cloud'): SealedRef {
  return { sealedSecret: name, key };
}
