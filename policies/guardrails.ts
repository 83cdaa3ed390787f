/** Minimums per environment, owned by the platform team. */
import { guardrails } from 'restorable';

export const production = guardrails('production', {
  maxRpo: '1h',
  minRetention: '30d',
  requireEncryption: true,
  requireImmutableStorage: true,
  // A lock of a few days protects only the newest restore points from a stolen credential.
  minImmutableDays: 30,
  snapshotDeletionPolicy: 'Retain',
  drillEvery: 'week',
});

export const staging = guardrails('staging', {
  maxRpo: '24h',
  minRetention: '7d',
});
