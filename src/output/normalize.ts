/**
 * Keys whose empty value means something to Kubernetes: `emptyDir: {}` asks for a volume,
 * `podSelector: {}` and `namespaceSelector: {}` select everything. They are kept when empty, and so
 * is an empty object inside a list (a NetworkPolicy's `ingress: [{}]` is a rule that allows all).
 */
const MEANINGFUL_EMPTY = new Set(['emptyDir', 'podSelector', 'namespaceSelector']);

/** The first keys of a manifest, in the order Kubernetes users read them; the rest follow sorted. */
const LEADING_KEYS = ['apiVersion', 'kind', 'metadata'];

/** A JSON value as it goes into a manifest. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Canonical form of a manifest: no null or undefined fields, no empty optional lists or maps,
 * keys in a stable order (at the top, apiVersion, kind, metadata first; everything else sorted),
 * list order kept as the API server keeps it. Returns undefined when nothing is left.
 */
export function normalize(value: unknown, key = '', depth = 0): JsonValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items: JsonValue[] = [];
    for (const item of value) {
      const normalized = normalize(item, '', depth + 1) ?? (isObject(item) ? {} : undefined);
      if (normalized !== undefined) items.push(normalized);
    }
    return items.length > 0 || MEANINGFUL_EMPTY.has(key) ? items : undefined;
  }
  if (typeof value === 'object') {
    const source = value as Record<string, unknown>;
    const keys = Object.keys(source).sort(depth === 0 ? compareKeys : compareNames);
    const result: { [key: string]: JsonValue } = {};
    for (const k of keys) {
      const normalized = normalize(source[k], k, depth + 1);
      if (normalized !== undefined) result[k] = normalized;
    }
    return Object.keys(result).length > 0 || MEANINGFUL_EMPTY.has(key) ? result : undefined;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new Error(`cannot write the non-finite number ${value} into a manifest (field "${key}")`);
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  throw new Error(`cannot write a ${typeof value} into a manifest (field "${key}")`);
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function compareKeys(a: string, b: string): number {
  const ia = LEADING_KEYS.indexOf(a);
  const ib = LEADING_KEYS.indexOf(b);
  if (ia !== -1 || ib !== -1) return (ia === -1 ? LEADING_KEYS.length : ia) - (ib === -1 ? LEADING_KEYS.length : ib);
  return compareNames(a, b);
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
