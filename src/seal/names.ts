import { SealError } from './errors.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * Check a Secret name (RFC 1123 subdomain, at most 253 characters). The name also
 * becomes a file name, so this keeps paths inside `policies/sealed/`.
 *
 * @throws SealError SEAL101
 */
export function assertSecretName(name: string): void {
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    throw new SealError(
      'SEAL101',
      `invalid Secret name "${name}": use lowercase letters, digits, "-" and "." (at most 253 characters)`,
    );
  }
}

/**
 * Check a namespace or cluster name (RFC 1123 label, at most 63 characters).
 *
 * @param what - how the value is called in the message, e.g. `namespace`
 * @throws SealError SEAL101
 */
export function assertDnsLabel(value: string, what: string): void {
  if (value.length > 63 || !DNS_LABEL.test(value)) {
    throw new SealError(
      'SEAL101',
      `invalid ${what} "${value}": use lowercase letters, digits and "-" (at most 63 characters)`,
    );
  }
}

/**
 * Check a Secret data key (letters, digits, `-`, `_`, `.`; not `.` or `..`).
 *
 * @throws SealError SEAL101
 */
export function assertSecretKey(key: string): void {
  if (key.length > 253 || !SECRET_KEY.test(key) || key === '.' || key === '..') {
    throw new SealError(
      'SEAL101',
      `invalid data key "${key}": use letters, digits, "-", "_" and "." (at most 253 characters)`,
    );
  }
}
