import { Declaration } from './declaration.ts';

/** Props of a coverage exemption. */
export interface ExemptionProps {
  /** Why this namespace's data needs no backup. */
  readonly reason: string;
  /** ISO date after which the exemption lapses (an expired exemption is an error). */
  readonly until: string;
  /** Cluster the namespace is in. @default every cluster */
  readonly cluster?: string;
}

/** A namespace holding data that deliberately has no backup policy. */
export class Exemption extends Declaration<'exemption', ExemptionProps> {
  /** @internal use exempt() */
  constructor(namespace: string, props: ExemptionProps) {
    super('exemption', namespace, props);
  }
}

/**
 * Exempts a namespace from the coverage check (`validate` reports every namespace with
 * PersistentVolumeClaims that no policy covers). Exemptions expire, so they are revisited.
 *
 * @example
 * export const ciCache = exempt('ci-cache', { reason: 'build cache, rebuilt on demand', until: '2027-03-31' });
 */
export function exempt(namespace: string, props: ExemptionProps): Exemption {
  return new Exemption(namespace, props);
}
