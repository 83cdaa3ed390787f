/**
 * Typed models and strict JSON schemas of every kind restorable emits, and run-time validation of
 * objects by apiVersion/kind.
 */
export * as argocd from './argocd/index.ts';
export { formatAjvError, formatAjvErrors, jsonTypeOf, pointerToPath } from './errors.ts';
export * from './meta.ts';
export { describeObject, KindModel } from './model.ts';
export * as monitoring from './monitoring/index.ts';
export { knownKinds, schemaFor, validateObject } from './schema-registry.ts';
export type { JsonSchema, JsonType, KindId } from './schema.ts';
export * as sealedSecrets from './sealed-secrets/index.ts';
export * as snapshot from './snapshot/index.ts';
export { assertValid, compiledValidator, K8sValidationError, validationErrors } from './validation.ts';
export * as velero from './velero/index.ts';
