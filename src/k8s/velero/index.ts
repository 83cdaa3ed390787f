/** Models and schemas of the Velero kinds restorable emits (velero.io/v1). */
export * from './backup.ts';
export * from './backup-spec.ts';
export * from './backup-storage-location.ts';
export * from './common.ts';
export * from './delete-backup-request.ts';
export * from './restore.ts';
export * from './schedule.ts';
export * from './volume-snapshot-location.ts';
