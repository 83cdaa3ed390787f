import type { Diagnostic } from '../model/diagnostic.ts';
import type { Model } from '../model/types.ts';

/** What rules may read besides the model: the one clock of the run (`--now`). */
export interface RuleEnv {
  readonly now: Date;
}

/** A check over the whole model. Rules are pure: same model and clock, same diagnostics. */
export interface Rule {
  /** Family name, used to group results (JUnit test cases, README). */
  readonly family: string;
  readonly check: (model: Model, env: RuleEnv) => Diagnostic[];
}
