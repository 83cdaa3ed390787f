/**
 * Compiles the project's JSON schemas with Ajv, once each and only when first needed (compiling all
 * kinds up front would slow down every CLI start for kinds a run may never touch).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { formatAjvErrors } from './errors.ts';
import type { JsonSchema } from './schema.ts';

let ajv: Ajv | undefined;
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

/** Creates the shared Ajv instance on first use. */
function getAjv(): Ajv {
  if (ajv === undefined) {
    // allErrors: report every problem in one go; verbose: keep the offending value for "got ..." sentences.
    ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
    // ajv-formats is CommonJS; under NodeNext its default export is typed as the module object.
    ajvFormats.default(ajv, ['byte', 'date-time']);
  }
  return ajv;
}

/** The compiled validator for a schema, compiled on the first call and cached by schema identity. */
export function compiledValidator(schema: JsonSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (fn === undefined) {
    fn = getAjv().compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

/** Validates `data` against `schema`; returns one sentence per problem, empty when valid. */
export function validationErrors(schema: JsonSchema, data: unknown): string[] {
  const fn = compiledValidator(schema);
  return fn(data) ? [] : formatAjvErrors(fn.errors);
}

/** Thrown by a model's `validate()`; carries every problem found, one sentence each. */
export class K8sValidationError extends Error {
  /** The problems, one sentence each. */
  readonly errors: readonly string[];

  /** @param subject names the object, e.g. `velero.io/v1 Schedule "daily"`. */
  constructor(subject: string, errors: readonly string[]) {
    super(`${subject} is invalid:\n  ${errors.join('\n  ')}`);
    this.name = 'K8sValidationError';
    this.errors = errors;
  }
}

/** Throws a {@link K8sValidationError} if `data` does not match `schema`. */
export function assertValid(schema: JsonSchema, data: unknown, subject: string): void {
  const errors = validationErrors(schema, data);
  if (errors.length > 0) throw new K8sValidationError(subject, errors);
}
