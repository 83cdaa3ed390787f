/**
 * Scrubbing of credentials from text that may reach a terminal or a log.
 * isomorphic-git puts request URLs, server responses and headers into its
 * errors, so every message that leaves the push path goes through here.
 */

const MASK = '***';

/** Strips `user:password@` from every URL in `text`. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, `$1${MASK}@`);
}

/**
 * Returns `text` with every secret removed: the raw values, their URL-encoded
 * and Basic-auth (base64) forms, and any credentials embedded in URLs.
 * @param text - text to clean
 * @param secrets - values that must never be shown; empty strings are ignored
 * @param username - when given with a secret, also masks `base64(username:secret)`
 */
export function redactSecrets(text: string, secrets: readonly string[], username?: string): string {
  let out = redactUrlCredentials(text);
  for (const secret of secrets) {
    if (secret === '') continue;
    const forms = new Set([secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]);
    if (username !== undefined) forms.add(Buffer.from(`${username}:${secret}`).toString('base64'));
    // Longest first, so a form that contains another is masked whole.
    for (const form of [...forms].sort((a, b) => b.length - a.length)) {
      out = out.split(form).join(MASK);
    }
  }
  return out;
}
