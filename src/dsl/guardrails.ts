import { Declaration } from './declaration.ts';
import type { DeletionPolicy } from './csi.ts';
import type { DurationString, Frequency } from './duration.ts';

/** Minimums every cluster of one environment must meet. Each field is checked by a GRD rule. */
export interface GuardrailsProps {
  /** Largest RPO a policy may declare. @default no limit */
  readonly maxRpo?: DurationString;
  /** The oldest restore point must be at least this old (longest retention). @default no limit */
  readonly minRetention?: DurationString;
  /** Storage must declare provider-side encryption with a customer-managed key. @default false */
  readonly requireEncryption?: boolean;
  /** Storage written to must declare object lock. @default false */
  readonly requireImmutableStorage?: boolean;
  /** Deletion policy CSI snapshot classes must use. @default any */
  readonly snapshotDeletionPolicy?: DeletionPolicy;
  /** Every policy must be covered by a restore plan drilled at least this often. @default no drills required */
  readonly drillEvery?: Frequency;
  /** Images of generated jobs must be pinned by digest (`image@sha256:...`). @default false */
  readonly requireImageDigests?: boolean;
}

/** Guardrails for one environment. */
export class Guardrails extends Declaration<'guardrails', GuardrailsProps> {
  /** @internal use guardrails() */
  constructor(environment: string, props: GuardrailsProps) {
    super('guardrails', environment, props);
  }
}

/**
 * Declares the minimums for every cluster whose `environment` is `environment`.
 *
 * @example
 * export const production = guardrails('production', {
 *   maxRpo: '1h', minRetention: '30d', requireEncryption: true,
 *   requireImmutableStorage: true, snapshotDeletionPolicy: 'Retain',
 * });
 */
export function guardrails(environment: string, props: GuardrailsProps): Guardrails {
  return new Guardrails(environment, props);
}
