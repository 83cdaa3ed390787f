import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import yaml from 'js-yaml';

type Schema = Record<string, unknown>;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Make a CRD's openAPIV3Schema strict the way the API server prunes: an object schema
 * with `properties` accepts no other field unless it preserves unknown fields. The
 * `x-kubernetes-*` keywords are dropped because Ajv does not know them.
 */
export function strictSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (!isSchema(schema)) return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!key.startsWith('x-kubernetes-')) out[key] = strictSchema(value);
  }
  if (isSchema(schema.properties) && schema['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties ??= false;
  }
  return out;
}

/** A strict validator for the first version of a CRD file. */
export function crdValidator(crdPath: string): ValidateFunction {
  const crd = yaml.load(readFileSync(crdPath, 'utf8')) as {
    spec: { versions: Array<{ schema: { openAPIV3Schema: unknown } }> };
  };
  const version = crd.spec.versions[0];
  if (version === undefined) throw new Error(`${crdPath}: no versions`);
  const ajv = new Ajv({ strict: true, allErrors: true });
  // ajv-formats is CommonJS; under NodeNext its default import is the module object.
  addFormats.default(ajv);
  return ajv.compile(strictSchema(version.schema.openAPIV3Schema) as Schema);
}
