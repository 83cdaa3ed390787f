/**
 * Base class for the models of the kinds restorable emits, on top of `@kubernetes-models/base`.
 * The base `Model` handles construction and `toJSON()` (dropping undefined values); this class pins
 * apiVersion/kind and gives subclasses a one-line `validate()` against their hand-written schema.
 */
import { Model, type ModelData, type TypeMeta } from '@kubernetes-models/base';
import type { JsonSchema, KindId } from './schema.ts';
import { assertValid } from './validation.ts';

/** Names an object in error messages: `velero.io/v1 Schedule "daily"`. */
export function describeObject(data: unknown): string {
  const o = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const meta = o['metadata'];
  const name =
    typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>)['name'] : undefined;
  const kind = `${String(o['apiVersion'] ?? '?')} ${String(o['kind'] ?? '?')}`;
  return typeof name === 'string' ? `${kind} ${JSON.stringify(name)}` : kind;
}

/**
 * A model of one kind. Subclasses pass their {@link KindId} and override `validate()` with
 * `this.assertSchema(theirSchema)`; fields are declared with `declare` so that no undefined own
 * properties end up in serialised YAML.
 */
export abstract class KindModel<T extends TypeMeta> extends Model<T> {
  /** Builds the model from everything but apiVersion/kind, which come from `id`. */
  protected constructor(id: KindId, data: ModelData<T>) {
    super();
    this.setDefinedProps({ apiVersion: id.apiVersion, kind: id.kind, ...data } as ModelData<T>);
  }

  /** Throws a `K8sValidationError` listing every way this object fails `schema`. */
  protected assertSchema(schema: JsonSchema): void {
    const json: unknown = this.toJSON();
    assertValid(schema, json, describeObject(json));
  }
}
