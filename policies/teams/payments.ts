/**
 * Payments: the ledger's PostgreSQL database. Hourly RPO, a year of history, and volume data moved
 * to object storage so the DR region can restore it.
 */
import { backupPolicy, httpCheck, postgres, preSyncBackup, restorePlan, retention, sqlCheck } from 'restorable';
import { drUs, euBackups, prodEu } from '../clusters.ts';

export const ledger = backupPolicy('ledger', {
  cluster: prodEu,
  storage: euBackups,
  namespaces: ['payments'],
  rpo: '1h',
  retention: retention.standard(),
  volumes: 'snapshot-data-mover',
  access: { view: ['group:payments'], restore: ['group:payments-oncall'], backup: ['group:payments-oncall'] },
  apps: [
    postgres({
      name: 'ledger-db',
      selector: { 'app.kubernetes.io/name': 'ledger-db' },
      container: 'postgres',
      database: 'ledger',
      dumpDir: '/var/lib/postgresql/data/restorable',
    }),
  ],
});

/** Every deploy of the ledger waits for a fresh restore point (the payments Application includes generated/hooks/ledger). */
export const ledgerPreSync = preSyncBackup(ledger);

/**
 * Region loss: the EU region is gone, with the EU bucket and its key. The DR cluster reads the EU
 * bucket's replica in us-east-1 (ReadOnly), restores the newest backup completed more than the
 * replication lag ago, the database first, then the API, with images pulled from the US registry mirror.
 */
export const ledgerRegionLoss = restorePlan('ledger-region-loss', {
  from: ledger,
  to: drUs,
  scenario: 'region-loss',
  rto: '45m',
  dataSize: '200Gi',
  storageClassMapping: { gp3: 'gp3-us' },
  transforms: [{ type: 'rewrite-image-registry', from: 'registry.eu.acme.example', to: 'registry.us.acme.example' }],
  // The DR cluster's controller has its own sealing key; the ledger's Secrets come back with the backup.
  secretsRecovery: 'secrets-from-backup',
  order: [
    { name: 'ledger-db' },
    { name: 'ledger-api', after: ['ledger-db'], selector: { 'app.kubernetes.io/name': 'ledger-api' } },
    { name: 'ledger-rest', after: ['ledger-api'] },
  ],
  drill: {
    every: 'week',
    verify: [
      sqlCheck('accounts-present', 'select 1 from accounts limit 1', { app: 'ledger-db' }),
      httpCheck('api-ready', { service: 'ledger-api', port: 8080, path: '/readyz' }),
    ],
  },
});

/** Namespace loss: someone deleted the payments namespace; it comes back in place. */
export const ledgerNamespaceLoss = restorePlan('ledger-namespace-loss', {
  from: ledger,
  to: prodEu,
  scenario: 'namespace-loss',
  rto: '15m',
  dataSize: '20Gi',
  drill: { every: 'week' },
});
