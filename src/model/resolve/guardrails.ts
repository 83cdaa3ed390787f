/** Resolves an environment's guardrails, with their defaults. */
import type { Guardrails } from '../../dsl/guardrails.ts';
import type { Diagnostic } from '../diagnostic.ts';
import type { GuardrailsModel } from '../types.ts';
import { duration } from './fields.ts';

/** An environment's guardrails as the model holds them: durations parsed, every requirement off unless set. */
export function resolveGuardrails(g: Guardrails, diagnostics: Diagnostic[]): GuardrailsModel {
  const p = g.props;
  return {
    environment: g.name,
    maxRpo: duration(g, 'maxRpo', p.maxRpo, diagnostics),
    minRetention: duration(g, 'minRetention', p.minRetention, diagnostics),
    requireEncryption: p.requireEncryption ?? false,
    requireImmutableStorage: p.requireImmutableStorage ?? false,
    snapshotDeletionPolicy: p.snapshotDeletionPolicy,
    drillEvery: p.drillEvery,
    requireImageDigests: p.requireImageDigests ?? false,
    requireRestorePlan: typeof p.requireRestorePlan === 'boolean' ? p.requireRestorePlan : undefined,
    source: g.source,
  };
}
