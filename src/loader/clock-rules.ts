/**
 * Which rules read the clock, noticed while they run. The synth cache stores what those rules
 * found and runs only them again on a hit; noting it during the compile's own rule run (instead
 * of running every rule a second time when storing the entry) keeps the costly rules (RPO001
 * simulates every policy's schedules) to one run per synth.
 */
import type { Rule, RuleEnv } from '../rules/rule.ts';

/** A rule that read the clock: its index in the rule list, its family and what it found (JSON). */
export interface ClockVerdict {
  readonly index: number;
  readonly family: string;
  readonly found: string;
}

/** An env whose clock reading is noticed. */
export function watchedClock(now: Date): { env: RuleEnv; read: () => boolean } {
  let read = false;
  return {
    env: {
      get now() {
        read = true;
        return now;
      },
    },
    read: () => read,
  };
}

/**
 * The same rules, each given its own watched clock: every rule that reads it adds its verdict to
 * `verdicts` (in the rules' order, as they run). Findings are returned unchanged.
 */
export function noticingClockReads(rules: readonly Rule[], verdicts: ClockVerdict[]): Rule[] {
  return rules.map((rule, index) => ({
    family: rule.family,
    check: (model, env) => {
      const clock = watchedClock(env.now);
      const found = rule.check(model, clock.env);
      if (clock.read()) verdicts.push({ index, family: rule.family, found: JSON.stringify(found) });
      return found;
    },
  }));
}
