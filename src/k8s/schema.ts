/**
 * A small JSON Schema vocabulary for the hand-written schemas of the kinds restorable emits, plus
 * builders that keep those schemas short. Every object built with {@link obj} is closed
 * (`additionalProperties: false`) because a misspelt field in a GitOps manifest is silently pruned
 * by the API server, and we would rather fail at compile time than ship a backup that does nothing.
 */

/** JSON types that the schemas use. */
export type JsonType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

/**
 * The subset of JSON Schema (draft-07, as understood by Ajv) used by the project's schemas.
 * A type alias (not an interface) so it is assignable to Ajv's `SchemaObject`.
 */
export type JsonSchema = {
  type?: JsonType;
  description?: string;
  properties?: Readonly<Record<string, JsonSchema>>;
  required?: readonly string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: readonly (string | number | boolean)[];
  const?: string | number | boolean;
  pattern?: string;
  format?: string;
  minItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
};

/** Extra keywords that may be added to a scalar or array schema. */
export type SchemaExtras = Omit<JsonSchema, 'type' | 'properties' | 'items' | 'additionalProperties'>;

/** A string schema. */
export function str(extras: SchemaExtras = {}): JsonSchema {
  return { type: 'string', ...extras };
}

/** A string schema restricted to the given values. */
export function oneOf(values: readonly string[]): JsonSchema {
  return { type: 'string', enum: values };
}

/** A boolean schema. */
export function bool(): JsonSchema {
  return { type: 'boolean' };
}

/** An integer schema. */
export function int(extras: SchemaExtras = {}): JsonSchema {
  return { type: 'integer', ...extras };
}

/** An array schema. */
export function arr(items: JsonSchema, extras: SchemaExtras = {}): JsonSchema {
  return { type: 'array', items, ...extras };
}

/** An array of strings. */
export function strings(extras: SchemaExtras = {}): JsonSchema {
  return arr(str(), extras);
}

/** A map with string keys and values of one schema (labels, annotations, provider config). */
export function mapOf(values: JsonSchema = str()): JsonSchema {
  return { type: 'object', additionalProperties: values };
}

/** A closed object: only the listed properties are allowed. */
export function obj(properties: Readonly<Record<string, JsonSchema>>, required: readonly string[] = []): JsonSchema {
  return {
    type: 'object',
    properties,
    additionalProperties: false,
    ...(required.length > 0 ? { required } : {}),
  };
}

/** Identity of a Kubernetes kind: its apiVersion and kind strings. */
export interface KindId {
  /** `group/version`, or just `version` for the core group. */
  readonly apiVersion: string;
  /** The kind name, in CamelCase. */
  readonly kind: string;
}

/**
 * The schema of a whole top-level object: `apiVersion` and `kind` are pinned with `const`, the rest
 * of the top-level fields come from `properties`.
 */
export function kindSchema(
  id: KindId,
  properties: Readonly<Record<string, JsonSchema>>,
  required: readonly string[],
): JsonSchema {
  return obj(
    { apiVersion: str({ const: id.apiVersion }), kind: str({ const: id.kind }), ...properties },
    ['apiVersion', 'kind', ...required],
  );
}
