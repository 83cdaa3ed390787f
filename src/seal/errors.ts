/** Codes of certificate findings: SEAL001 unparseable, SEAL002 unusable key, SEAL003 expired, SEAL004 expires soon, SEAL005 not yet valid. */
export type CertificateFindingCode = 'SEAL001' | 'SEAL002' | 'SEAL003' | 'SEAL004' | 'SEAL005';

/**
 * Stable codes for sealing failures, so callers and tests can tell them apart
 * without parsing messages.
 */
export type SealErrorCode =
  | CertificateFindingCode
  | 'SEAL101' // invalid name, namespace or data key
  | 'SEAL102' // encryption failed
  | 'SEAL103' // decryption failed
  | 'SEAL104' // not a SealedSecret
  | 'SEAL105' // command-line usage
  | 'SEAL106'; // reading input or writing output failed

/**
 * A sealing failure with a user-facing message. Messages never contain plaintext;
 * `exitCode` lets the CLI exit with 1 without printing a stack trace.
 */
export class SealError extends Error {
  /** Stable code of the failure. */
  readonly code: SealErrorCode;
  /** Process exit code the CLI uses for this failure. */
  readonly exitCode = 1;

  /**
   * @param code - stable code of the failure
   * @param message - what went wrong, without any secret value
   */
  constructor(code: SealErrorCode, message: string) {
    super(message);
    this.name = 'SealError';
    this.code = code;
  }
}
