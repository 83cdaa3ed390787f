/** Small policies for diff tests: one cluster, one storage, guardrails and a policy over two namespaces. */

/** The platform file with some props replaced (TypeScript source fragments). */
export function platform(options: { storage?: string; password?: string } = {}): string {
  return `import { cluster, guardrails, s3Storage, sealed } from 'restorable';

export const backups = s3Storage('backups', {
  bucket: 'acme-backups',
  region: 'eu-west-1',
  credentials: sealed('backups-credentials'),
  ${options.storage ?? "encryption: { kmsKeyId: 'alias/backups' },\n  immutable: { days: 1 },"}
});

export const prod = cluster('prod', {
  environment: 'production',
  storage: [backups],
  repositoryPassword: sealed('${options.password ?? 'velero-repo-credentials'}', 'repository-password'),
});

export const production = guardrails('production', { maxRpo: '4h', minRetention: '7d' });
`;
}

/** The team file with the policy's props replaced, and extra declarations appended. */
export function shop(options: { namespaces?: string; rpo?: string; retention?: string; extra?: string } = {}): string {
  return `import { backupPolicy, restorePlan } from 'restorable';
import { backups, prod } from '../platform.ts';

export const orders = backupPolicy('orders', {
  cluster: prod,
  storage: backups,
  namespaces: ${options.namespaces ?? "['orders', 'billing']"},
  rpo: '${options.rpo ?? '4h'}',
  retention: ${options.retention ?? '{ daily: 7, weekly: 4 }'},
  volumes: 'snapshot-data-mover',
});
${options.extra ?? ''}`;
}

/** The base commit's files. */
export const BASE_FILES: Readonly<Record<string, string>> = {
  'policies/platform.ts': platform(),
  'policies/teams/shop.ts': shop(),
  'README.md': 'backup policies\n',
};

/** A restore plan for the orders policy. */
export const PLAN = `
export const ordersNamespaceLoss = restorePlan('orders-namespace-loss', {
  from: orders,
  to: prod,
  scenario: 'namespace-loss',
  rto: '1h',
  drill: { every: 'week' },
});
`;
