/** RFC 1123 label: what Kubernetes requires of namespace names and most object names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Why `name` is not a valid RFC 1123 label of at most `max` characters, or undefined. */
export function dnsLabelError(name: unknown, max = 63): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return `expected a name, got ${JSON.stringify(name)}`;
  if (name.length > max) return `"${name.slice(0, max)}…" is ${name.length} characters long; at most ${max} are allowed`;
  if (!DNS_LABEL.test(name)) {
    return `"${name}" is not a valid Kubernetes name: use lower-case letters, digits and '-', starting and ending with a letter or digit`;
  }
  return undefined;
}

/** RFC 1123 subdomain: dot-separated labels, what Kubernetes requires of most cluster-scoped object names. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `name` is not a valid RFC 1123 subdomain (at most 253 characters), or undefined. */
export function dnsSubdomainError(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return `expected a name, got ${JSON.stringify(name)}`;
  if (name.length > 253) return `"${name.slice(0, 253)}…" is ${name.length} characters long; at most 253 are allowed`;
  if (!DNS_SUBDOMAIN.test(name)) {
    return `"${name}" is not a valid Kubernetes name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit`;
  }
  return undefined;
}
