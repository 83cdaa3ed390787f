/** Resolves an environment's guardrails, with their defaults. */
import type { Guardrails } from '../../dsl/guardrails.ts';
import type { Diagnostic } from '../diagnostic.ts';
import type { GuardrailsModel } from '../types.ts';
import { at, duration } from './fields.ts';

/** An environment's guardrails as the model holds them: durations parsed, every requirement off unless set. */
export function resolveGuardrails(g: Guardrails, diagnostics: Diagnostic[]): GuardrailsModel {
  const p = g.props;
  return {
    environment: g.name,
    maxRpo: duration(g, 'maxRpo', p.maxRpo, diagnostics),
    minRetention: duration(g, 'minRetention', p.minRetention, diagnostics),
    requireEncryption: p.requireEncryption ?? false,
    requireImmutableStorage: p.requireImmutableStorage ?? p.minImmutableDays !== undefined,
    minImmutableDays: lockDays(g, diagnostics),
    snapshotDeletionPolicy: p.snapshotDeletionPolicy,
    drillEvery: p.drillEvery,
    requireImageDigests: p.requireImageDigests ?? false,
    requireRestorePlan: typeof p.requireRestorePlan === 'boolean' ? p.requireRestorePlan : undefined,
    source: g.source,
  };
}

/** `minImmutableDays`, or undefined with GRD012 when it is not a whole number of days above zero. */
function lockDays(g: Guardrails, diagnostics: Diagnostic[]): number | undefined {
  const days: unknown = g.props.minImmutableDays;
  if (days === undefined) return undefined;
  if (typeof days === 'number' && Number.isInteger(days) && days > 0) return days;
  diagnostics.push(at(g, 'minImmutableDays', { code: 'GRD012', message: `expected a whole number of days above zero, got ${JSON.stringify(days)}`, hint: 'e.g. minImmutableDays: 30 (object lock is set in whole days)' }));
  return undefined;
}
