import { shannonEntropy } from './entropy.ts';

/** What kind of credential a finding looks like. */
export type SecretKind = 'aws-access-key-id' | 'private-key' | 'gcp-service-account-key' | 'high-entropy-base64';

/** A credential-looking string in a file. The message never contains the value itself. */
export interface SecretFinding {
  /** The file, as passed to {@link scanForSecrets}. */
  readonly file: string;
  /** 1-based line of the start of the value. */
  readonly line: number;
  /** What it looks like. */
  readonly kind: SecretKind;
  /** What was found and what to do, showing at most the first 4 characters of the value. */
  readonly message: string;
}

/** Tokens this long or longer are checked for entropy; an AWS secret access key has 40. */
export const MIN_HIGH_ENTROPY_LENGTH = 40;

/**
 * Bits per character from which a base64 token counts as random. Measured on 200,000
 * random 40-character base64 strings: mean 4.78, below 4.2 for 0.007% of them (none of
 * 100,000 at 60 characters). Hex digests, which are not secrets, cannot exceed
 * log2(16) = 4.0; long paths and identifiers score 4.0–4.4, so tokens must also mix
 * upper case, lower case and digits (which 99.9% of random 40-character tokens do).
 */
export const HIGH_ENTROPY_BITS_PER_CHAR = 4.2;

const PEM_BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/g;
const GCP_PRIVATE_KEY = /"private_key"\s*:\s*"-----BEGIN/g;
// AWS documentation's sample ids all end in EXAMPLE (AKIAIOSFODNN7EXAMPLE); they are not keys.
const AWS_ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g;
// Standard base64 only: adding url-safe "-" and "_" would match kebab- and snake-case names.
const BASE64_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') BASE64_CHAR[c.charCodeAt(0)] = 1;

/**
 * Every match of `/[A-Za-z0-9+/]{40,}={0,2}/g` in `text`, with its offset, found by one walk over
 * the characters: the regular expression starts a match attempt at every character and rescans
 * each short word it meets, which made it most of the time of scanning a synth's output (0.5 s
 * for 10,000 files). A match can only start where a run of base64 characters starts, and takes
 * the whole run and up to two "=".
 */
export function* base64Tokens(text: string): Generator<[index: number, token: string]> {
  const length = text.length;
  for (let i = 0; i < length; ) {
    const code = text.charCodeAt(i);
    if (code >= 128 || BASE64_CHAR[code] === 0) {
      i++;
      continue;
    }
    const start = i;
    while (i < length && text.charCodeAt(i) < 128 && BASE64_CHAR[text.charCodeAt(i)] === 1) i++;
    if (i - start < MIN_HIGH_ENTROPY_LENGTH) continue;
    let end = i;
    while (end < length && end - i < 2 && text.charCodeAt(end) === 61) end++;
    yield [start, text.slice(start, end)];
    i = end;
  }
}
const ENCRYPTED_DATA_KEY = /["']?\bencryptedData["']?[ \t]*:/g;
const YAML_DOCUMENT_SEPARATOR = /^---(?:[ \t].*)?$/gm;

type Span = readonly [start: number, end: number];

/**
 * Find credential-looking strings in a file's text: AWS access key ids, PEM private keys,
 * GCP service account keys, and long high-entropy base64 values. Sealed ciphertext in a
 * SealedSecret's `encryptedData`, certificates and public keys are not reported.
 *
 * @param text - the file content
 * @param file - the file name, copied into findings and used for nothing else
 * @returns findings ordered by line
 */
export function scanForSecrets(text: string, file: string): SecretFinding[] {
  const lines = lineIndex(text);
  const found: Array<{ offset: number; kind: SecretKind; message: string }> = [];
  const skipped: Span[] = [...encryptedDataSpans(text)];

  const gcpKeyStarts = new Set<number>();
  for (const match of text.matchAll(GCP_PRIVATE_KEY)) {
    gcpKeyStarts.add(match.index + match[0].length - '-----BEGIN'.length);
    found.push({
      offset: match.index,
      kind: 'gcp-service-account-key',
      message: 'GCP service account key ("private_key" field): remove the key file and seal it with `restorable seal`',
    });
  }

  for (const match of text.matchAll(PEM_BEGIN)) {
    const label = match[1] ?? '';
    const end = text.indexOf(`-----END ${label}-----`, match.index);
    const span: Span = [match.index, end === -1 ? text.length : end + label.length + 14];
    // Reported even inside encryptedData: ciphertext is base64 and never holds a PEM header.
    if (label.includes('PRIVATE KEY') && !gcpKeyStarts.has(match.index)) {
      found.push({
        offset: match.index,
        kind: 'private-key',
        message: `PEM private key block (${label}): remove it and seal the key with \`restorable seal\``,
      });
    }
    // Certificate and public key bodies are public; a private key body is already reported once.
    skipped.push(span);
  }

  for (const match of text.matchAll(AWS_ACCESS_KEY_ID)) {
    if (inside(skipped, match.index) || match[0].endsWith('EXAMPLE')) continue;
    found.push({
      offset: match.index,
      kind: 'aws-access-key-id',
      message: `AWS access key id "${redact(match[0])}": deactivate the key and seal the credentials with \`restorable seal\``,
    });
  }

  for (const [index, token] of base64Tokens(text)) {
    if (inside(skipped, index)) continue;
    const finding = classifyBase64(token);
    if (finding !== undefined) found.push({ offset: index, ...finding });
  }

  return found
    .sort((a, b) => a.offset - b.offset)
    .map(({ offset, kind, message }) => ({ file, line: lineOf(lines, offset), kind, message }));
}

/** Show at most the first 4 characters of a value, so a finding never leaks it. */
function redact(value: string): string {
  return `${value.slice(0, 4)}…`;
}

function classifyBase64(token: string): { kind: SecretKind; message: string } | undefined {
  const decoded = Buffer.from(token, 'base64').toString('latin1');
  if (decoded.includes('"service_account"') && decoded.includes('"private_key"')) {
    return {
      kind: 'gcp-service-account-key',
      message: `base64-encoded GCP service account key "${redact(token)}": remove it and seal it with \`restorable seal\``,
    };
  }
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY/.test(decoded)) {
    return {
      kind: 'private-key',
      message: `base64-encoded PEM private key "${redact(token)}": remove it and seal the key with \`restorable seal\``,
    };
  }
  // A base64 certificate (a caBundle, say) is public.
  if (decoded.startsWith('-----BEGIN ')) return undefined;
  const entropy = shannonEntropy(token.replace(/=+$/, ''));
  const mixed = /[A-Z]/.test(token) && /[a-z]/.test(token) && /[0-9]/.test(token);
  if (!mixed || entropy < HIGH_ENTROPY_BITS_PER_CHAR) return undefined;
  return {
    kind: 'high-entropy-base64',
    message:
      `high-entropy base64 value "${redact(token)}" (${token.length} characters, ${entropy.toFixed(2)} bits/char): ` +
      'if it is a credential, seal it with `restorable seal`',
  };
}

/**
 * Spans holding a SealedSecret's `encryptedData` values: a `{...}` mapping (YAML flow,
 * JSON, TypeScript) or an indented YAML block. Only in documents that mention SealedSecret,
 * so an unrelated `encryptedData` key cannot hide a credential.
 */
function encryptedDataSpans(text: string): Span[] {
  const spans: Span[] = [];
  for (const [docStart, docEnd] of yamlDocuments(text)) {
    const doc = text.slice(docStart, docEnd);
    if (!/\bSealedSecret\b/.test(doc)) continue;
    for (const match of doc.matchAll(ENCRYPTED_DATA_KEY)) {
      const keyStart = docStart + match.index;
      const valueStart = docStart + match.index + match[0].length;
      spans.push([keyStart, valueEnd(text, keyStart, valueStart, docEnd)]);
    }
  }
  return spans;
}

function valueEnd(text: string, keyStart: number, valueStart: number, limit: number): number {
  let i = valueStart;
  while (i < limit && (text[i] === ' ' || text[i] === '\t')) i++;
  if (text[i] === '{') return matchingBrace(text, i, limit);
  const lineEnd = endOfLine(text, i, limit);
  if (text.slice(i, lineEnd).trim() !== '' && !text.slice(i, lineEnd).trim().startsWith('#')) return lineEnd;
  // YAML block: every following line indented deeper than the key (or blank) belongs to it.
  const keyColumn = keyStart - startOfLine(text, keyStart);
  let end = lineEnd;
  while (end < limit) {
    const next = endOfLine(text, end + 1, limit);
    const line = text.slice(end + 1, next);
    const indent = line.length - line.trimStart().length;
    if (line.trim() !== '' && indent <= keyColumn) break;
    end = next;
  }
  return end;
}

function matchingBrace(text: string, open: number, limit: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < limit; i++) {
    const char = text[i];
    if (quote !== undefined) {
      if (char === '\\') i++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'" || char === '`') {
      quote = char;
    } else if (char === '{') {
      depth++;
    } else if (char === '}' && --depth === 0) {
      return i + 1;
    }
  }
  return limit;
}

function yamlDocuments(text: string): Span[] {
  const starts = [0, ...[...text.matchAll(YAML_DOCUMENT_SEPARATOR)].map((m) => m.index)];
  return starts.map((start, i) => [start, starts[i + 1] ?? text.length] as const);
}

function inside(spans: readonly Span[], offset: number): boolean {
  return spans.some(([start, end]) => offset >= start && offset < end);
}

function startOfLine(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function endOfLine(text: string, offset: number, limit: number): number {
  const end = text.indexOf('\n', offset);
  return end === -1 || end > limit ? limit : end;
}

function lineIndex(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineOf(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return low + 1;
}
