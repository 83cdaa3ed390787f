/**
 * bitnami.com/v1alpha1 SealedSecret: a Secret encrypted for one cluster's sealed-secrets controller,
 * safe to commit to Git. The controller decrypts it into a Secret built from `spec.template`.
 */
import { createTypeMetaGuard, type ModelData } from '@kubernetes-models/base';
import { type IObjectMeta, objectMetaSchema } from '../meta.ts';
import { KindModel } from '../model.ts';
import { bool, type JsonSchema, kindSchema, mapOf, obj, str } from '../schema.ts';

/** apiVersion of SealedSecret. */
export const SEALED_SECRETS_API_VERSION = 'bitnami.com/v1alpha1';

/** Metadata given to the Secret the controller creates. */
export interface ISealedSecretTemplateMetadata {
  /** Secret name (defaults to the SealedSecret's). */
  name?: string;
  /** Secret namespace (defaults to the SealedSecret's). */
  namespace?: string;
  /** Secret labels. */
  labels?: Record<string, string>;
  /** Secret annotations, including the sealing-scope ones. */
  annotations?: Record<string, string>;
}

/** The shape of the Secret the controller creates, minus its data. */
export interface ISealedSecretTemplate {
  /** Secret type, e.g. `Opaque`. */
  type?: string;
  /** Secret metadata. */
  metadata?: ISealedSecretTemplateMetadata;
  /** Make the Secret immutable. */
  immutable?: boolean;
}

/** bitnami.com/v1alpha1 SealedSecretSpec. */
export interface ISealedSecretSpec {
  /** Secret key to base64 ciphertext (`kubeseal` output). */
  encryptedData: Record<string, string>;
  /** The Secret to create. */
  template?: ISealedSecretTemplate;
}

/** A bitnami.com/v1alpha1 SealedSecret object. */
export interface ISealedSecret {
  /** Always `bitnami.com/v1alpha1`. */
  apiVersion: 'bitnami.com/v1alpha1';
  /** Always `SealedSecret`. */
  kind: 'SealedSecret';
  /** Name and namespace: with the default (strict) scope they are bound into the ciphertext. */
  metadata: IObjectMeta;
  /** The ciphertexts and the Secret template. */
  spec: ISealedSecretSpec;
}

/** Schema of {@link ISealedSecretSpec}. Ciphertexts must be non-empty standard base64. */
export const sealedSecretSpecSchema: JsonSchema = obj(
  {
    encryptedData: mapOf(str({ format: 'byte', minLength: 1 })),
    template: obj({
      type: str(),
      metadata: obj({ name: str(), namespace: str(), labels: mapOf(), annotations: mapOf() }),
      immutable: bool(),
    }),
  },
  ['encryptedData'],
);

/** Schema of a whole {@link ISealedSecret}. */
export const sealedSecretSchema: JsonSchema = kindSchema(
  { apiVersion: SEALED_SECRETS_API_VERSION, kind: 'SealedSecret' },
  { metadata: objectMetaSchema, spec: sealedSecretSpecSchema },
  ['metadata', 'spec'],
);

/** Model of a bitnami.com/v1alpha1 SealedSecret; `validate()` throws a `K8sValidationError`. */
export class SealedSecret extends KindModel<ISealedSecret> implements ISealedSecret {
  /** `bitnami.com/v1alpha1`. */
  static readonly apiVersion = 'bitnami.com/v1alpha1';
  /** `SealedSecret`. */
  static readonly kind = 'SealedSecret';
  /** Whether a value is an {@link ISealedSecret} (by apiVersion and kind only). */
  static readonly is = createTypeMetaGuard<ISealedSecret>(SealedSecret);
  declare apiVersion: ISealedSecret['apiVersion'];
  declare kind: ISealedSecret['kind'];
  declare metadata: IObjectMeta;
  declare spec: ISealedSecretSpec;

  /** Builds a SealedSecret; apiVersion and kind are filled in. */
  constructor(data: ModelData<ISealedSecret>) {
    super(SealedSecret, data);
  }

  /** Checks the object against {@link sealedSecretSchema}. */
  override validate(): void {
    this.assertSchema(sealedSecretSchema);
  }
}
