/** Set to `"true"` on a SealedSecret sealed with namespace-wide scope. */
export const NAMESPACE_WIDE_ANNOTATION = 'sealedsecrets.bitnami.com/namespace-wide';

/** Set to `"true"` on a SealedSecret sealed with cluster-wide scope. */
export const CLUSTER_WIDE_ANNOTATION = 'sealedsecrets.bitnami.com/cluster-wide';

/**
 * Hex SHA-256 fingerprint of the certificate (DER) a SealedSecret was sealed with.
 * An attestation written by restorable, not a cryptographic proof: anyone can edit it.
 */
export const SEALED_WITH_CERT_ANNOTATION = 'restorable.dev/sealed-with-cert-sha256';
