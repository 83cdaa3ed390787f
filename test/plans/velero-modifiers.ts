/**
 * Velero v1.18.1's resource modifiers (internal/resourcemodifiers), read into TypeScript so unit
 * tests can apply a compiled rule document to an object the way Velero does: conditions matched on
 * the object as backed up (its namespace not yet mapped), `matches` as JSON-patch `test`s where a
 * failing test or a missing path means no match, JSON-patch values written into the patch as they
 * are unless quoted, empty or not JSON-like (`addQuotes`), a failing `test` skipping its patch, a
 * missing path failing it (an error: the Restore ends PartiallyFailed), merge patches as RFC 7386.
 * The real-systems tests (test/e2e/drill.e2e.test.ts) run the real Velero.
 */

export interface Rule {
  readonly conditions: {
    readonly groupResource: string;
    readonly namespaces?: readonly string[];
    readonly resourceNameRegex?: string;
    readonly labelSelector?: { readonly matchExpressions: readonly { readonly key: string; readonly operator: string; readonly values: readonly string[] }[] };
    readonly matches?: readonly { readonly path: string; readonly value: string }[];
  };
  readonly patches?: readonly { readonly operation: string; readonly path: string; readonly value?: string; readonly from?: string }[];
  readonly mergePatches?: readonly { readonly patchData: string }[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

class Missing extends Error {}
class TestFailed extends Error {}

/** Velero's JSONPatch.ToString: the value as it lands in the patch document. */
export function veleroPatchValue(value: string | undefined): Json {
  const raw = value ?? '';
  if (raw === '') return '';
  if (raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2) return JSON.parse(`"${raw.slice(1, -1)}"`) as string;
  if (raw === 'null' || raw.toLowerCase() === 'true' || raw.toLowerCase() === 'false' || raw.startsWith('{') || raw.startsWith('[') || (raw.trim() !== '' && Number.isFinite(Number(raw)))) {
    return JSON.parse(raw.toLowerCase() === 'true' || raw.toLowerCase() === 'false' ? raw.toLowerCase() : raw) as Json;
  }
  return raw;
}

const tokens = (pointer: string) => pointer.split('/').slice(1).map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));

/** The container of the last token, or throws Missing (evanphx/json-patch findObject). */
function parentOf(doc: Json, pointer: string): { parent: JsonObject | Json[]; key: string } {
  const parts = tokens(pointer);
  let node: Json = doc;
  for (const part of parts.slice(0, -1)) {
    if (Array.isArray(node)) {
      const index = Number(part);
      if (!Number.isInteger(index) || index < 0 || index >= node.length) throw new Missing(pointer);
      node = node[index]!;
    } else if (node !== null && typeof node === 'object' && part in node) {
      node = (node as JsonObject)[part]!;
    } else {
      throw new Missing(pointer);
    }
    if (node === null || typeof node !== 'object') throw new Missing(pointer);
  }
  return { parent: node as JsonObject | Json[], key: parts[parts.length - 1] ?? '' };
}

function get(doc: Json, pointer: string): Json | undefined {
  const { parent, key } = parentOf(doc, pointer);
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= parent.length) throw new Missing(pointer);
    return parent[index];
  }
  return key in parent ? parent[key] : undefined;
}

function applyJsonPatch(doc: Json, patches: NonNullable<Rule['patches']>): Json {
  const copy = structuredClone(doc);
  for (const patch of patches) {
    const value = veleroPatchValue(patch.value);
    if (patch.operation === 'test') {
      const found = get(copy, patch.path);
      if (JSON.stringify(found ?? null) !== JSON.stringify(value)) throw new TestFailed(patch.path);
      continue;
    }
    const { parent, key } = parentOf(copy, patch.path);
    if (Array.isArray(parent)) throw new Error('array operations are not read here');
    if (patch.operation === 'add') parent[key] = value;
    else if (patch.operation === 'replace' || patch.operation === 'remove') {
      if (!(key in parent)) throw new Missing(`${patch.operation} ${patch.path}`);
      if (patch.operation === 'replace') parent[key] = value;
      else delete parent[key];
    } else throw new Error(`operation ${patch.operation} is not read here`);
  }
  return copy;
}

function mergePatch(target: Json, patch: Json): Json {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const result: JsonObject = target !== null && typeof target === 'object' && !Array.isArray(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key] ?? null, value);
  }
  return result;
}

function matches(rule: Rule, object: JsonObject, groupResource: string): boolean {
  const metadata = object.metadata as { name: string; namespace?: string; labels?: Record<string, string> };
  if (metadata.namespace && rule.conditions.namespaces && rule.conditions.namespaces.length > 0 && !rule.conditions.namespaces.includes(metadata.namespace)) return false;
  if (rule.conditions.groupResource !== groupResource) return false;
  if (rule.conditions.resourceNameRegex && !new RegExp(rule.conditions.resourceNameRegex).test(metadata.name)) return false;
  for (const e of rule.conditions.labelSelector?.matchExpressions ?? []) {
    const value = metadata.labels?.[e.key];
    if (e.operator !== 'NotIn') throw new Error(`operator ${e.operator} is not read here`);
    if (value !== undefined && e.values.includes(value)) return false;
  }
  try {
    applyJsonPatch(object, (rule.conditions.matches ?? []).map((m) => ({ operation: 'test', path: m.path, value: m.value })));
    return true;
  } catch (error) {
    if (error instanceof TestFailed || error instanceof Missing) return false;
    throw error;
  }
}

/**
 * Applies a rule document to one object as Velero restores it; `errors` are what Velero would add
 * to the Restore's errors (each one makes the Restore PartiallyFailed).
 */
export function applyModifiers(rules: readonly Rule[], input: object, groupResource: string): { object: Record<string, unknown>; errors: string[] } {
  const object = input as JsonObject;
  const origin = structuredClone(object);
  let current: Json = structuredClone(object);
  const errors: string[] = [];
  for (const rule of rules) {
    if (!matches(rule, origin, groupResource)) continue;
    try {
      if (rule.patches && rule.patches.length > 0) current = applyJsonPatch(current, rule.patches);
      for (const patch of rule.mergePatches ?? []) current = mergePatch(current, JSON.parse(patch.patchData) as Json);
    } catch (error) {
      if (error instanceof TestFailed) continue;
      errors.push(error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error));
    }
  }
  return { object: current as Record<string, unknown>, errors };
}
