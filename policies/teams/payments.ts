/**
 * Payments: the ledger's PostgreSQL database. Hourly RPO, a year of history, and volume data moved
 * to object storage so the DR region can restore it.
 */
import { backupPolicy, postgres, preSyncBackup, restorePlan, retention } from 'restorable';
import { drUs, euBackups, prodEu } from '../clusters.ts';

export const ledger = backupPolicy('ledger', {
  cluster: prodEu,
  storage: euBackups,
  namespaces: ['payments'],
  rpo: '1h',
  retention: retention.standard(),
  volumes: 'snapshot-data-mover',
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

export const ledgerRegionLoss = restorePlan('ledger-region-loss', {
  from: ledger,
  to: drUs,
  scenario: 'region-loss',
  rto: '45m',
  drill: { every: 'week' },
});

export const ledgerNamespaceLoss = restorePlan('ledger-namespace-loss', {
  from: ledger,
  to: prodEu,
  scenario: 'namespace-loss',
  rto: '15m',
  drill: { every: 'week' },
});
