/**
 * Turns Ajv errors into short sentences a person can act on, e.g.
 * `spec.template.ttl: expected string, got number` or `spec.template: unknown field "ttlx"`.
 * Shared by the run-time validator and the test helper that checks against the real CRDs, so both
 * report problems in the same words.
 */
import type { ErrorObject } from 'ajv';

/** The path shown for errors about the object itself. */
export const ROOT_PATH = '(root)';

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/**
 * Renders an Ajv JSON pointer (`/spec/groups/0/rules`) as a dotted path (`spec.groups[0].rules`).
 * Keys that are not plain identifiers (label keys like `app.kubernetes.io/name`) are quoted.
 */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return ROOT_PATH;
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (/^\d+$/.test(segment)) out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** The JSON type of a value as a person would name it: `null` and `array` are told apart from `object`. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function quoteList(values: unknown): string {
  return Array.isArray(values) ? values.map((v) => JSON.stringify(v)).join(', ') : JSON.stringify(values);
}

function typeList(type: unknown): string {
  return Array.isArray(type) ? type.join(' or ') : String(type);
}

/** One Ajv error as one sentence. Needs the Ajv `verbose` option so `error.data` is present. */
export function formatAjvError(error: ErrorObject): string {
  const at = pointerToPath(error.instancePath);
  const params: Record<string, unknown> = error.params;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${at}: unknown field ${JSON.stringify(params['additionalProperty'])}`;
    case 'required':
      return `${at}: missing required field ${JSON.stringify(params['missingProperty'])}`;
    case 'type':
      return `${at}: expected ${typeList(params['type'])}, got ${jsonTypeOf(error.data)}`;
    case 'const':
      return `${at}: expected ${JSON.stringify(params['allowedValue'])}, got ${JSON.stringify(error.data)}`;
    case 'enum':
      return `${at}: expected one of ${quoteList(params['allowedValues'])}, got ${JSON.stringify(error.data)}`;
    case 'pattern':
      return `${at}: ${JSON.stringify(error.data)} does not match the pattern ${JSON.stringify(params['pattern'])}`;
    case 'format':
      return `${at}: ${JSON.stringify(error.data)} is not a valid ${String(params['format'])}`;
    default:
      return `${at}: ${error.message ?? `fails the ${error.keyword} rule`}`;
  }
}

/** All errors as sentences, without duplicates (Ajv may report the same thing twice via anyOf branches). */
export function formatAjvErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  return [...new Set((errors ?? []).map(formatAjvError))];
}
