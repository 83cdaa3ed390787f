import { Declaration } from './declaration.ts';
import type { DeletionPolicy } from './csi.ts';
import type { DurationString, Frequency } from './duration.ts';
import type { BackupPolicy } from './policy.ts';

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
  /**
   * Storage written to must declare object lock of at least this many days (GRD004); setting it
   * requires object lock. A lock shorter than a backup's TTL protects only its first days.
   * @default any lock period
   */
  readonly minImmutableDays?: number;
  /** Deletion policy CSI snapshot classes must use. @default any */
  readonly snapshotDeletionPolicy?: DeletionPolicy;
  /** Every policy must be covered by a restore plan drilled at least this often. @default no drills required */
  readonly drillEvery?: Frequency;
  /** Images of generated jobs must be pinned by digest (`image@sha256:...`). @default false */
  readonly requireImageDigests?: boolean;
  /**
   * Every policy must be restored by some restore plan (GRD009): `true` makes a policy without one
   * an error, `false` turns the check off. @default a warning in the environment named `production`,
   * nothing elsewhere
   */
  readonly requireRestorePlan?: boolean;
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
 *   requireImmutableStorage: true, minImmutableDays: 30, snapshotDeletionPolicy: 'Retain',
 * });
 */
export function guardrails(environment: string, props: GuardrailsProps): Guardrails {
  return new Guardrails(environment, props);
}

/** Guardrails a single policy may be excepted from, by their field name. */
export type WaivableGuardrail = (typeof WAIVABLE_GUARDRAILS)[number];

/** Every {@link WaivableGuardrail}: the guardrails checked per policy. */
export const WAIVABLE_GUARDRAILS = ['maxRpo', 'minRetention', 'drillEvery', 'requireRestorePlan'] as const;

/** Props of a guardrail exception. */
export interface GuardrailExceptionProps {
  /** The guardrail the policy does not meet, by its field name. */
  readonly guardrail: WaivableGuardrail;
  /** Why the policy need not meet it (shown in `validate` and `diff`). */
  readonly reason: string;
  /** ISO date (YYYY-MM-DD) after which the exception lapses and the guardrail applies again (GRD010). */
  readonly until: string;
}

/** A policy excepted from one guardrail of its environment, for a reason, until a date. */
export class GuardrailException extends Declaration<'guardrailException', GuardrailExceptionProps & { readonly policy: BackupPolicy }> {
  /** @internal use guardrailException() */
  constructor(policy: BackupPolicy, props: GuardrailExceptionProps) {
    super('guardrailException', `${policy?.name}/${props?.guardrail}`, { ...props, policy });
  }
}

/**
 * Excepts one policy from one guardrail of its environment, with a reason and an end date: the
 * guardrail's finding is waived, `validate` lists the exception, `diff` shows it when it is added,
 * and after `until` it is an error (GRD010) until renewed or removed.
 *
 * @example
 * export const webNoDrill = guardrailException(web, {
 *   guardrail: 'drillEvery', reason: 'stateless: redeployed from Git, nothing to restore', until: '2027-06-30',
 * });
 */
export function guardrailException(policy: BackupPolicy, props: GuardrailExceptionProps): GuardrailException {
  return new GuardrailException(policy, props);
}
