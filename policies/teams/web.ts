/**
 * Web: the storefront is stateless (its state lives in the ledger and in search), so only its
 * Kubernetes objects are backed up; Argo CD could redeploy them, the backup covers what Git lacks
 * (secrets made by operators, certificates, HPA state).
 */
import { backupPolicy, restorePlan } from 'restorable';
import { prodEu } from '../clusters.ts';

export const storefront = backupPolicy('storefront', {
  cluster: prodEu,
  namespaces: ['storefront', 'storefront-cms'],
  excludedResources: ['events', 'events.events.k8s.io'],
  rpo: '1h',
  retention: { hourly: 24, daily: 30 },
  volumes: 'none',
  access: { view: ['group:web'], restore: ['group:web-oncall'] },
});

export const storefrontNamespaceLoss = restorePlan('storefront-namespace-loss', {
  from: storefront,
  to: prodEu,
  scenario: 'namespace-loss',
  rto: '30m',
  drill: { every: 'week' },
});
