import type { Diagnostic } from '../model/diagnostic.ts';
import type { Model } from '../model/types.ts';

/** A check over the whole model. Rules are pure: same model, same diagnostics. */
export interface Rule {
  /** Family name, used to group results (JUnit test cases, README). */
  readonly family: string;
  readonly check: (model: Model) => Diagnostic[];
}
