import type { Cluster } from './cluster.ts';
import { Declaration } from './declaration.ts';
import type { DurationString, Frequency } from './duration.ts';
import type { BackupPolicy } from './policy.ts';

/** What a restore plan recovers from. */
export type RestoreScenario = 'namespace-loss' | 'cluster-loss' | 'region-loss';

/** How often a plan is rehearsed. */
export interface DrillProps {
  readonly every: Frequency;
}

/** Props of a restore plan. */
export interface RestorePlanProps {
  /** The backup policies whose backups come back. */
  readonly from: BackupPolicy | readonly BackupPolicy[];
  /** The cluster they come back to. */
  readonly to: Cluster;
  readonly scenario: RestoreScenario;
  /** Recovery time objective: how long the restore may take. */
  readonly rto: DurationString;
  /** Source namespace to target namespace. @default each namespace to itself */
  readonly namespaceMapping?: Readonly<Record<string, string>>;
  /** Scheduled rehearsal. @default none */
  readonly drill?: DrillProps;
}

/** How backups come back after a failure. */
export class RestorePlan extends Declaration<'restorePlan', RestorePlanProps> {
  /** @internal use restorePlan() */
  constructor(name: string, props: RestorePlanProps) {
    super('restorePlan', name, props);
  }
}

/**
 * Declares a restore plan: which backups come back where, within which RTO, drilled how often.
 *
 * @example
 * export const ledgerRegionLoss = restorePlan('ledger-region-loss', {
 *   from: ledger, to: drUs, scenario: 'region-loss', rto: '45m', drill: { every: 'week' },
 * });
 */
export function restorePlan(name: string, props: RestorePlanProps): RestorePlan {
  return new RestorePlan(name, props);
}
