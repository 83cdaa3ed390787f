/** Platform: the DR cluster's own observability stack, backed up to the US bucket. */
import { backupPolicy, restorePlan, retention } from 'restorable';
import { drUs, usBackups } from '../clusters.ts';

export const drObservability = backupPolicy('dr-observability', {
  cluster: drUs,
  storage: usBackups,
  namespaces: ['observability'],
  rpo: '1h',
  retention: { hourly: 24, ...retention.gfs({ daily: 30, weekly: 4, monthly: 3 }) },
  volumes: 'snapshot-data-mover',
});

export const drObservabilityNamespaceLoss = restorePlan('dr-observability-namespace-loss', {
  from: drObservability,
  to: drUs,
  scenario: 'namespace-loss',
  // Its claims request 300Gi (inventory dr-us), which the data mover brings back in about 57 minutes.
  rto: '1h',
  drill: { every: 'week' },
});
