import type { WaivableGuardrail } from '../dsl/guardrails.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { GuardrailExceptionModel, Model } from '../model/types.ts';

/** The code of each guardrail a policy may be excepted from. */
export const WAIVED_CODE: Readonly<Record<WaivableGuardrail, string>> = {
  maxRpo: 'GRD001',
  minRetention: 'GRD002',
  drillEvery: 'GRD007',
  requireRestorePlan: 'GRD009',
};

/** Whether an exception still holds on the run's day (its `until` day included). */
export function isActive(exception: Pick<GuardrailExceptionModel, 'until'>, now: Date): boolean {
  return exception.until >= now.toISOString().slice(0, 10);
}

/**
 * Applies the policies' guardrail exceptions to the findings of every rule: an active exception
 * drops its guardrail's finding on its policy. GRD010: an expired exception (the finding stands
 * again). GRD011 (warning): an active exception that waives nothing (the policy meets the
 * guardrail, or its environment does not ask for it): remove it, so it cannot hide a later change.
 */
export function applyGuardrailExceptions(model: Model, diagnostics: readonly Diagnostic[], now: Date): Diagnostic[] {
  const active = model.guardrailExceptions.filter((e) => isActive(e, now));
  const waives = (d: Diagnostic, e: GuardrailExceptionModel) => d.code === WAIVED_CODE[e.guardrail] && d.declaration === e.policy;
  const kept = diagnostics.filter((d) => !active.some((e) => waives(d, e)));
  const at = (e: GuardrailExceptionModel, d: Pick<Diagnostic, 'code' | 'severity' | 'message' | 'hint'>): Diagnostic => ({ declaration: `${e.policy}/${e.guardrail}`, path: 'until', source: e.source, ...d });
  for (const e of model.guardrailExceptions) {
    if (!isActive(e, now)) {
      kept.push(at(e, { code: 'GRD010', severity: 'error', message: `the exception of policy "${e.policy}" from ${e.guardrail} ended on ${e.until}: the guardrail applies again`, hint: 'meet the guardrail and remove the exception, or renew it with a new reason and date after review' }));
    } else if (!diagnostics.some((d) => waives(d, e))) {
      kept.push({ ...at(e, { code: 'GRD011', severity: 'warning', message: `policy "${e.policy}" is excepted from ${e.guardrail}, which it does not break`, hint: 'remove the exception: left in place it would hide a later change that breaks the guardrail' }), path: 'guardrail' });
    }
  }
  return kept;
}
