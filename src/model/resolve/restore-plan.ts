/** Resolves restore plans against the resolved policies (the plan's own rules are in ../restore-plan.ts). */
import type { RestorePlan } from '../../dsl/restore-plan.ts';
import type { Diagnostic } from '../diagnostic.ts';
import { isAppProfile } from '../app-profile.ts';
import { resolveRestorePlan } from '../restore-plan.ts';
import type { PolicyModel, RestorePlanModel } from '../types.ts';
import { at, duration } from './fields.ts';

/**
 * Each restore plan as the model holds it. Plans read the policies' app profiles; one that is not
 * what a profile builder makes is APP004's to report, not theirs, so it is left out here.
 */
export function resolveRestorePlans(plans: readonly RestorePlan[], policies: readonly PolicyModel[], diagnostics: Diagnostic[]): RestorePlanModel[] {
  const policyByName = new Map(policies.map((p) => [p.name, { ...p, apps: p.apps.filter(isAppProfile) }]));
  return plans.map((plan) =>
    resolveRestorePlan(
      plan,
      policyByName,
      (path, d) => at(plan, path, d),
      (path, value) => (path === 'rto' && value === undefined ? missingRto(plan, diagnostics) : duration(plan, path, value, diagnostics)),
      diagnostics,
    ),
  );
}


/** DUR001 for a restore plan without an RTO: every runner and drill job is bounded by it. */
function missingRto(plan: RestorePlan, diagnostics: Diagnostic[]): undefined {
  diagnostics.push(
    at(plan, 'rto', {
      code: 'DUR001',
      message: "expected a duration such as '1h', got none",
      hint: "give the plan its recovery time objective, e.g. rto: '4h'",
    }),
  );
  return undefined;
}
