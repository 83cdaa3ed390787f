import type { Diagnostic } from '../model/diagnostic.ts';
import type { Model } from '../model/types.ts';
import type { PlacedObject } from '../output/layout.ts';

/**
 * A check over the lowered objects: what a backend produced, not what the policy said. These guard
 * the invariants the lowering code is meant to keep, so a regression in a backend fails the build
 * instead of reaching a cluster.
 */
export interface ObjectRule {
  readonly family: string;
  readonly check: (objects: readonly PlacedObject[], model: Model) => Diagnostic[];
}
