import type { PolicyModel } from './types.ts';

/** How fast each volume mode restores, in bytes per second: conservative figures for the RTO estimate. */
export const RESTORE_THROUGHPUT: Readonly<Record<string, number>> = {
  'csi-snapshot': 1024 ** 3, // a volume from a snapshot is provisioned, not copied
  'native-snapshot': 1024 ** 3,
  'snapshot-data-mover': 100 * 1024 ** 2,
  filesystem: 50 * 1024 ** 2,
  none: Number.POSITIVE_INFINITY,
};

/** Fixed cost of any restore: resolving the backup, restoring objects, pods becoming ready. */
export const RESTORE_OVERHEAD_SECONDS = 300;

/**
 * The volume modes a policy's volumes may be restored with: its own, and file-system restores for
 * volumes its volume policies send to `fs-backup` (Velero decides per volume; the compiler cannot
 * tell how much data each rule catches, so every mode that may apply counts).
 */
export function restoreModes(policy: PolicyModel): string[] {
  const fileSystem = policy.volumePolicies.some((rule) => rule.action === 'fs-backup');
  return [...new Set([policy.volumes, ...(fileSystem ? ['filesystem'] : [])])];
}

/** The slowest throughput among the modes of these policies, in bytes per second (infinite when nothing is copied). */
export function slowestThroughput(policies: readonly PolicyModel[]): number {
  return Math.min(...policies.flatMap(restoreModes).map((mode) => RESTORE_THROUGHPUT[mode] ?? 1));
}

/**
 * Seconds a restore of `dataBytes` from these policies is estimated to take: the fixed overhead,
 * plus all the data at the slowest throughput any of their volumes may restore with (an upper bound:
 * volumes restored by faster modes take less).
 */
export function estimateRestoreSeconds(dataBytes: number, policies: readonly PolicyModel[]): number {
  const slowest = slowestThroughput(policies);
  return RESTORE_OVERHEAD_SECONDS + (Number.isFinite(slowest) && dataBytes > 0 ? Math.ceil(dataBytes / slowest) : 0);
}
