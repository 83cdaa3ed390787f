/** Guardrail exceptions: a policy excepted from a minimum of its environment, for a reason, until a date. */
import type { GuardrailExceptionModel } from '../model/types.ts';
import type { Side } from './side.ts';
import type { Change } from './types.ts';
import { change, type Target } from './values.ts';

const key = (e: GuardrailExceptionModel): string => `${e.policy}\u0000${e.guardrail}`;
const value = (e: GuardrailExceptionModel) => ({ until: e.until, reason: e.reason });

/**
 * An added exception is a risk (a guardrail stops protecting the policy), a longer or re-reasoned
 * one is for review, a shorter one and a removed one are safe (the guardrail applies again).
 */
export function compareGuardrailExceptions(base: Side, head: Side): Change[] {
  const changes: Change[] = [];
  const before = new Map((base.model.guardrailExceptions ?? []).map((e) => [key(e), e]));
  const after = new Map((head.model.guardrailExceptions ?? []).map((e) => [key(e), e]));
  const target = (e: GuardrailExceptionModel, side: Side): Target => ({
    cluster: side.model.policies.find((p) => p.name === e.policy)?.cluster ?? null,
    subject: 'policy',
    name: e.policy,
    ...side.locate(e.source),
  });
  for (const [k, exception] of after) {
    const old = before.get(k);
    const field = `guardrailExceptions.${exception.guardrail}`;
    if (!old) {
      changes.push(change(target(exception, head), 'risk', 'policy.guardrail-exception', field, null, value(exception), `policy ${exception.policy} is excepted from guardrail ${exception.guardrail} until ${exception.until}: ${exception.reason}`));
    } else if (old.until !== exception.until || old.reason !== exception.reason) {
      const shorter = exception.until < old.until && exception.reason === old.reason;
      changes.push(change(target(exception, head), shorter ? 'safe' : 'review', 'policy.guardrail-exception', field, value(old), value(exception), `exception of policy ${exception.policy} from ${exception.guardrail} now lasts until ${exception.until} (was ${old.until}): ${exception.reason}`));
    }
  }
  for (const [k, exception] of before) {
    if (after.has(k)) continue;
    changes.push(change(target(exception, base), 'safe', 'policy.guardrail-exception', `guardrailExceptions.${exception.guardrail}`, value(exception), null, `exception of policy ${exception.policy} from ${exception.guardrail} removed: the guardrail applies again`));
  }
  return changes;
}
