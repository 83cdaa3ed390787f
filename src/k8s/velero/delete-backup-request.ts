/** velero.io/v1 DeleteBackupRequest: asks Velero to delete a backup and its stored data. */
import { createTypeMetaGuard, type ModelData } from '@kubernetes-models/base';
import { type IObjectMeta, objectMetaSchema } from '../meta.ts';
import { KindModel } from '../model.ts';
import { type JsonSchema, kindSchema, obj, str } from '../schema.ts';
import { VELERO_API_VERSION } from './common.ts';

/** velero.io/v1 DeleteBackupRequestSpec. */
export interface IDeleteBackupRequestSpec {
  /** Name of the Backup to delete. */
  backupName: string;
}

/** A velero.io/v1 DeleteBackupRequest object. */
export interface IDeleteBackupRequest {
  /** Always `velero.io/v1`. */
  apiVersion: 'velero.io/v1';
  /** Always `DeleteBackupRequest`. */
  kind: 'DeleteBackupRequest';
  /** Name, namespace (Velero's), labels, annotations. */
  metadata: IObjectMeta;
  /** Which backup to delete. */
  spec: IDeleteBackupRequestSpec;
}

/** Schema of a whole {@link IDeleteBackupRequest}. */
export const deleteBackupRequestSchema: JsonSchema = kindSchema(
  { apiVersion: VELERO_API_VERSION, kind: 'DeleteBackupRequest' },
  { metadata: objectMetaSchema, spec: obj({ backupName: str({ minLength: 1 }) }, ['backupName']) },
  ['metadata', 'spec'],
);

/** Model of a velero.io/v1 DeleteBackupRequest; `validate()` throws a `K8sValidationError`. */
export class DeleteBackupRequest extends KindModel<IDeleteBackupRequest> implements IDeleteBackupRequest {
  /** `velero.io/v1`. */
  static readonly apiVersion = 'velero.io/v1';
  /** `DeleteBackupRequest`. */
  static readonly kind = 'DeleteBackupRequest';
  /** Whether a value is an {@link IDeleteBackupRequest} (by apiVersion and kind only). */
  static readonly is = createTypeMetaGuard<IDeleteBackupRequest>(DeleteBackupRequest);
  declare apiVersion: IDeleteBackupRequest['apiVersion'];
  declare kind: IDeleteBackupRequest['kind'];
  declare metadata: IObjectMeta;
  declare spec: IDeleteBackupRequestSpec;

  /** Builds a DeleteBackupRequest; apiVersion and kind are filled in. */
  constructor(data: ModelData<IDeleteBackupRequest>) {
    super(DeleteBackupRequest, data);
  }

  /** Checks the object against {@link deleteBackupRequestSchema}. */
  override validate(): void {
    this.assertSchema(deleteBackupRequestSchema);
  }
}
