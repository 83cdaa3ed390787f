/**
 * Names an inventory holds, checked as the API server checks them, and lookups that only see an
 * inventory's own entries: a namespace may be called `constructor` or `hasOwnProperty`, and must
 * never be confused with what every JavaScript object inherits.
 */

/** RFC 1123 label: what a namespace name must be (at most 63 characters). */
const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** RFC 1123 subdomain: what a PersistentVolumeClaim, StatefulSet or StorageClass name must be. */
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** True when `name` can name a namespace. */
export function isNamespaceName(name: string): boolean {
  return LABEL.test(name);
}

/** True when `name` can name a namespaced object such as a claim (at most 253 characters). */
export function isObjectName(name: string): boolean {
  return name.length <= 253 && SUBDOMAIN.test(name);
}

/** The value of a record's own key, never an inherited one (`constructor`, `toString`). */
export function ownEntry<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
