/**
 * restorable: the public policy language. Policy files import everything from here:
 * `import { cluster, s3Storage, backupPolicy } from 'restorable'`.
 */
export * from './dsl/index.ts';
