/** Set to `"true"` on a SealedSecret sealed with namespace-wide scope. */
export const NAMESPACE_WIDE_ANNOTATION = 'sealedsecrets.bitnami.com/namespace-wide';

/** Set to `"true"` on a SealedSecret sealed with cluster-wide scope. */
export const CLUSTER_WIDE_ANNOTATION = 'sealedsecrets.bitnami.com/cluster-wide';

/**
 * Hex SHA-256 fingerprint of the certificate (DER) a SealedSecret was sealed with.
 * An attestation written by restorable, not a cryptographic proof: anyone can edit it.
 */
export const SEALED_WITH_CERT_ANNOTATION = 'restorable.dev/sealed-with-cert-sha256';

/**
 * Prefix of an annotation holding a salted scrypt fingerprint of one sealed value (`<prefix><key>`),
 * so values sealed separately for several clusters can be compared without the plaintext (the
 * repository password must be the same on every cluster reading one storage). Made only for keys
 * holding random secrets: it allows offline guessing at scrypt's cost, harmless for random values.
 */
export const VALUE_FINGERPRINT_ANNOTATION_PREFIX = 'restorable.dev/scrypt.';

/** Keys fingerprinted by default: Velero's repository password. */
export const FINGERPRINTED_KEYS: readonly string[] = ['repository-password'];
