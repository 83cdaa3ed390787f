/** velero.io/v1 Backup: a one-off backup (restore drills and pre-change backups). */
import { createTypeMetaGuard, type ModelData } from '@kubernetes-models/base';
import { type IObjectMeta, objectMetaSchema } from '../meta.ts';
import { KindModel } from '../model.ts';
import { type JsonSchema, kindSchema } from '../schema.ts';
import { backupSpecSchema, type IBackupSpec } from './backup-spec.ts';
import { VELERO_API_VERSION } from './common.ts';

/** A velero.io/v1 Backup object. */
export interface IBackup {
  /** Always `velero.io/v1`. */
  apiVersion: 'velero.io/v1';
  /** Always `Backup`. */
  kind: 'Backup';
  /** Name, namespace (Velero's), labels, annotations. */
  metadata: IObjectMeta;
  /** What to back up; the same structure as a Schedule's template. */
  spec: IBackupSpec;
}

/** Schema of a whole {@link IBackup}. */
export const backupSchema: JsonSchema = kindSchema(
  { apiVersion: VELERO_API_VERSION, kind: 'Backup' },
  { metadata: objectMetaSchema, spec: backupSpecSchema },
  ['metadata', 'spec'],
);

/** Model of a velero.io/v1 Backup; `validate()` throws a `K8sValidationError`. */
export class Backup extends KindModel<IBackup> implements IBackup {
  /** `velero.io/v1`. */
  static readonly apiVersion = 'velero.io/v1';
  /** `Backup`. */
  static readonly kind = 'Backup';
  /** Whether a value is an {@link IBackup} (by apiVersion and kind only). */
  static readonly is = createTypeMetaGuard<IBackup>(Backup);
  declare apiVersion: IBackup['apiVersion'];
  declare kind: IBackup['kind'];
  declare metadata: IObjectMeta;
  declare spec: IBackupSpec;

  /** Builds a Backup; apiVersion and kind are filled in. */
  constructor(data: ModelData<IBackup>) {
    super(Backup, data);
  }

  /** Checks the object against {@link backupSchema}. */
  override validate(): void {
    this.assertSchema(backupSchema);
  }
}
