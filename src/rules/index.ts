import type { Diagnostic } from '../model/diagnostic.ts';
import type { Model } from '../model/types.ts';
import { accessRule } from './access.ts';
import { appsRule } from './apps.ts';
import { imagesRule } from './images.ts';
import { defaultLocationRule } from './default-location.ts';
import { enumsRule } from './enums.ts';
import { applyGuardrailExceptions } from './guardrail-exceptions.ts';
import { guardrailsRule } from './guardrails.ts';
import { namesRule } from './names.ts';
import { objectLockRule } from './object-lock.ts';
import { portabilityRule } from './portability.ts';
import { restorePlansRule } from './restore-plans.ts';
import { retentionRule } from './retention.ts';
import { rpoRule } from './rpo.ts';
import type { Rule, RuleEnv } from './rule.ts';
import { scopeRule } from './scope.ts';
import { sealingRule } from './sealing.ts';
import { storageConnectionRule } from './storage-connection.ts';

/** Every rule, in the order their findings are reported. */
export const RULES: readonly Rule[] = [
  namesRule,
  scopeRule,
  rpoRule,
  retentionRule,
  guardrailsRule,
  storageConnectionRule,
  objectLockRule,
  defaultLocationRule,
  appsRule,
  portabilityRule,
  restorePlansRule,
  sealingRule,
  imagesRule,
  accessRule,
  enumsRule,
];

/** Runs every rule over the model, then applies the policies' guardrail exceptions. */
export function checkModel(model: Model, env: RuleEnv = { now: new Date() }, rules: readonly Rule[] = RULES): Diagnostic[] {
  return applyGuardrailExceptions(model, rules.flatMap((rule) => rule.check(model, env)), env.now);
}

export type { Rule, RuleEnv } from './rule.ts';
