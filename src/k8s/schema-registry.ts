/**
 * Run-time validation of any object restorable emits, picked by apiVersion and kind. This is what
 * `restorable validate` uses: the project's own strict schemas ship with it, the upstream CRDs do not.
 * Each schema is compiled by Ajv the first time an object of its kind is validated, then cached.
 */
import { AppProject, Application, appProjectSchema, applicationSchema } from './argocd/index.ts';
import { jsonTypeOf, ROOT_PATH } from './errors.ts';
import { PodMonitor, PrometheusRule, podMonitorSchema, prometheusRuleSchema } from './monitoring/index.ts';
import type { JsonSchema, KindId } from './schema.ts';
import { SealedSecret, sealedSecretSchema } from './sealed-secrets/index.ts';
import { VolumeSnapshotClass, volumeSnapshotClassSchema } from './snapshot/index.ts';
import { validationErrors } from './validation.ts';
import {
  Backup,
  BackupStorageLocation,
  backupSchema,
  backupStorageLocationSchema,
  DeleteBackupRequest,
  deleteBackupRequestSchema,
  Restore,
  restoreSchema,
  Schedule,
  scheduleSchema,
  VolumeSnapshotLocation,
  volumeSnapshotLocationSchema,
} from './velero/index.ts';

/** A kind restorable can validate, with its schema. */
interface Entry extends KindId {
  readonly schema: JsonSchema;
}

const entries: readonly Entry[] = [
  { ...kindOf(Schedule), schema: scheduleSchema },
  { ...kindOf(Backup), schema: backupSchema },
  { ...kindOf(Restore), schema: restoreSchema },
  { ...kindOf(BackupStorageLocation), schema: backupStorageLocationSchema },
  { ...kindOf(VolumeSnapshotLocation), schema: volumeSnapshotLocationSchema },
  { ...kindOf(DeleteBackupRequest), schema: deleteBackupRequestSchema },
  { ...kindOf(SealedSecret), schema: sealedSecretSchema },
  { ...kindOf(VolumeSnapshotClass), schema: volumeSnapshotClassSchema },
  { ...kindOf(PrometheusRule), schema: prometheusRuleSchema },
  { ...kindOf(PodMonitor), schema: podMonitorSchema },
  { ...kindOf(Application), schema: applicationSchema },
  { ...kindOf(AppProject), schema: appProjectSchema },
];

/** Copies only apiVersion and kind, so no other static of a model class leaks into an entry. */
function kindOf(id: KindId): KindId {
  return { apiVersion: id.apiVersion, kind: id.kind };
}

const byKey = new Map(entries.map((e) => [`${e.apiVersion} ${e.kind}`, e]));

/** Every apiVersion/kind pair that {@link validateObject} knows, sorted. */
export function knownKinds(): KindId[] {
  return entries
    .map(kindOf)
    .sort((a, b) => a.apiVersion.localeCompare(b.apiVersion) || a.kind.localeCompare(b.kind));
}

/** The project's schema for an apiVersion/kind, or undefined when restorable does not emit it. */
export function schemaFor(apiVersion: string, kind: string): JsonSchema | undefined {
  return byKey.get(`${apiVersion} ${kind}`)?.schema;
}

/**
 * Validates one object against the schema of its apiVersion/kind. Returns one sentence per problem
 * (e.g. `spec.template.ttl: expected string, got number`), empty when valid; an object of a kind
 * restorable does not emit is itself an error.
 */
export function validateObject(obj: unknown): string[] {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return [`${ROOT_PATH}: expected object, got ${jsonTypeOf(obj)}`];
  }
  const { apiVersion, kind } = obj as Record<string, unknown>;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return [`${ROOT_PATH}: apiVersion and kind must be strings, got ${jsonTypeOf(apiVersion)} and ${jsonTypeOf(kind)}`];
  }
  const schema = schemaFor(apiVersion, kind);
  if (schema === undefined) {
    const sameKind = knownKinds().filter((k) => k.kind === kind);
    const hint =
      sameKind.length > 0
        ? ` (${kind} is known as ${sameKind.map((k) => k.apiVersion).join(', ')})`
        : '';
    return [`${ROOT_PATH}: unknown kind ${JSON.stringify(`${apiVersion} ${kind}`)}${hint}`];
  }
  return validationErrors(schema, obj);
}
