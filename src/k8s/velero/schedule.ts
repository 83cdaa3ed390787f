/** velero.io/v1 Schedule: a cron expression plus the Backup to create each time it fires. */
import { createTypeMetaGuard, type ModelData } from '@kubernetes-models/base';
import { type IObjectMeta, objectMetaSchema } from '../meta.ts';
import { KindModel } from '../model.ts';
import { bool, type JsonSchema, kindSchema, obj, str } from '../schema.ts';
import { backupSpecSchema, type IBackupSpec } from './backup-spec.ts';
import { VELERO_API_VERSION } from './common.ts';

/** velero.io/v1 ScheduleSpec. */
export interface IScheduleSpec {
  /** Cron expression (five fields, or `@every 6h` style). */
  schedule: string;
  /** The Backup to create on each run. */
  template: IBackupSpec;
  /** Put an owner reference to the Schedule on the Backups it creates. */
  useOwnerReferencesInBackup?: boolean;
  /** Stop creating Backups. */
  paused?: boolean;
  /** Do not run at once when the schedule is created or unpaused. */
  skipImmediately?: boolean;
}

/** A velero.io/v1 Schedule object. */
export interface ISchedule {
  /** Always `velero.io/v1`. */
  apiVersion: 'velero.io/v1';
  /** Always `Schedule`. */
  kind: 'Schedule';
  /** Name, namespace (Velero's), labels, annotations. */
  metadata: IObjectMeta;
  /** The schedule. */
  spec: IScheduleSpec;
}

/** Schema of {@link IScheduleSpec}. */
export const scheduleSpecSchema: JsonSchema = obj(
  {
    schedule: str({ minLength: 1 }),
    template: backupSpecSchema,
    useOwnerReferencesInBackup: bool(),
    paused: bool(),
    skipImmediately: bool(),
  },
  ['schedule', 'template'],
);

/** Schema of a whole {@link ISchedule}. */
export const scheduleSchema: JsonSchema = kindSchema(
  { apiVersion: VELERO_API_VERSION, kind: 'Schedule' },
  { metadata: objectMetaSchema, spec: scheduleSpecSchema },
  ['metadata', 'spec'],
);

/** Model of a velero.io/v1 Schedule; `validate()` throws a `K8sValidationError`. */
export class Schedule extends KindModel<ISchedule> implements ISchedule {
  /** `velero.io/v1`. */
  static readonly apiVersion = 'velero.io/v1';
  /** `Schedule`. */
  static readonly kind = 'Schedule';
  /** Whether a value is an {@link ISchedule} (by apiVersion and kind only). */
  static readonly is = createTypeMetaGuard<ISchedule>(Schedule);
  declare apiVersion: ISchedule['apiVersion'];
  declare kind: ISchedule['kind'];
  declare metadata: IObjectMeta;
  declare spec: IScheduleSpec;

  /** Builds a Schedule; apiVersion and kind are filled in. */
  constructor(data: ModelData<ISchedule>) {
    super(Schedule, data);
  }

  /** Checks the object against {@link scheduleSchema}. */
  override validate(): void {
    this.assertSchema(scheduleSchema);
  }
}
