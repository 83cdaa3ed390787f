/** Resolves a policy's exception from one guardrail. */
import { type GuardrailException, WAIVABLE_GUARDRAILS } from '../../dsl/guardrails.ts';
import { BackupPolicy } from '../../dsl/policy.ts';
import type { Diagnostic } from '../diagnostic.ts';
import type { GuardrailExceptionModel } from '../types.ts';
import { at, describe } from './fields.ts';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The exception as the model holds it, or nothing with a diagnostic: REF004 for a policy that is not
 * one, GRD010 for an unknown guardrail, a missing reason or an end date that is not YYYY-MM-DD.
 */
export function resolveGuardrailException(e: GuardrailException, diagnostics: Diagnostic[]): GuardrailExceptionModel[] {
  const p = e.props;
  const found: Diagnostic[] = [];
  if (!(p.policy instanceof BackupPolicy)) {
    found.push(at(e, 'policy', { code: 'REF004', message: `expected a backup policy, got ${describe(p.policy)}`, hint: 'pass a value made by backupPolicy()' }));
  }
  if (!(WAIVABLE_GUARDRAILS as readonly unknown[]).includes(p.guardrail)) {
    found.push(at(e, 'guardrail', { code: 'GRD010', message: `cannot except a policy from ${JSON.stringify(p.guardrail)}`, hint: `name one of ${WAIVABLE_GUARDRAILS.join(', ')}` }));
  }
  if (typeof p.reason !== 'string' || p.reason.trim() === '') {
    found.push(at(e, 'reason', { code: 'GRD010', message: 'an exception needs a reason, got none', hint: "say why the policy need not meet the guardrail, e.g. reason: 'stateless: redeployed from Git'" }));
  }
  if (typeof p.until !== 'string' || !ISO_DATE.test(p.until) || Number.isNaN(Date.parse(`${p.until}T00:00:00Z`))) {
    found.push(at(e, 'until', { code: 'GRD010', message: `expected an end date as YYYY-MM-DD, got ${JSON.stringify(p.until)}`, hint: "every exception ends, e.g. until: '2027-06-30'" }));
  }
  diagnostics.push(...found);
  if (found.length > 0) return [];
  return [{ policy: (p.policy as BackupPolicy).name, guardrail: p.guardrail, reason: p.reason, until: p.until, source: e.source }];
}
