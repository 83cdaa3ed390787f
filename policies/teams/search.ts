/**
 * Search: OpenSearch with large data volumes (2 TiB). The index can be rebuilt from the ledger,
 * so in-cluster CSI snapshots (fast, incremental in EBS) are enough; nothing moves cross-region.
 */
import { backupPolicy, restorePlan } from 'restorable';
import { prodEu } from '../clusters.ts';

export const searchIndex = backupPolicy('search', {
  cluster: prodEu,
  namespaces: ['search'],
  rpo: '1h',
  retention: { hourly: 12, daily: 30 },
  volumes: 'csi-snapshot',
  volumePolicies: [
    // Node-local caches are rebuilt on start; snapshotting them only costs time and money.
    { conditions: { storageClass: ['local-cache'] }, action: 'skip' },
  ],
});

export const searchIndexNamespaceLoss = restorePlan('search-namespace-loss', {
  from: searchIndex,
  to: prodEu,
  scenario: 'namespace-loss',
  rto: '2h',
  dataSize: '2Ti',
  drill: { every: 'week' },
});
