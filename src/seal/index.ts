/**
 * kubeseal-compatible sealing: seal values for a cluster's certificate, build and read
 * SealedSecrets, and check sealing certificates.
 */
export { CLUSTER_WIDE_ANNOTATION, NAMESPACE_WIDE_ANNOTATION, SEALED_WITH_CERT_ANNOTATION } from './annotations.ts';
export {
  type CertificateFinding,
  type CertificateInfo,
  checkCertificate,
  EXPIRY_WARNING_DAYS,
  MIN_RSA_BITS,
  parseCertificate,
  readSealedSecretAttestation,
  sealingPublicKey,
} from './certificate.ts';
export { type CertificateFindingCode, SealError, type SealErrorCode } from './errors.ts';
export { hybridDecrypt, hybridEncrypt } from './hybrid.ts';
export {
  isSealingScope,
  SEALING_SCOPES,
  type SealingScope,
  type SealTarget,
  scopeAnnotations,
  scopeFromAnnotations,
  sealingLabel,
} from './scope.ts';
export { seal, unseal } from './seal.ts';
export { parseSealedSecret, readSealedFile, type SealedFile } from './sealed-file.ts';
export {
  type BuildSealedSecretProps,
  buildSealedSecret,
  SEALED_SECRET_API_VERSION,
  SEALED_SECRET_KIND,
  type SealedSecret,
  type SealedSecretMetadata,
} from './sealed-secret.ts';
export { renderSealedSecret, sealedSecretPath, writeSealedSecret } from './store.ts';
