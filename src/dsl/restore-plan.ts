import type { VerifyCheck } from './apps/profile.ts';
import type { Cluster } from './cluster.ts';
import { Declaration } from './declaration.ts';
import type { DurationString, Frequency } from './duration.ts';
import type { BackupPolicy } from './policy.ts';
import type { Tier } from './retention.ts';

/** What a restore plan recovers from. */
export type RestoreScenario = 'namespace-loss' | 'cluster-loss' | 'region-loss';

/**
 * - `full`: every backed-up object and volume comes back;
 * - `data-only`: volumes, databases and the secrets and config maps not kept in Git come back, and
 *   Argo CD redeploys the workloads from Git. Needs CSI or data-mover volumes (Velero restores
 *   file-system backups only through restored pods), and stops when the target PVCs already exist
 *   (Velero silently skips existing PVCs).
 */
export type RestoreMode = 'full' | 'data-only';

/** A change applied to objects as they are restored (compiled into Velero resource modifiers and plugin config). */
export type RestoreTransform =
  /** Set `spec.replicas` of Deployments and StatefulSets (all, or those whose name matches `namePattern`). */
  | { readonly type: 'scale'; readonly replicas: number; readonly namePattern?: string }
  /** Replace an image registry prefix (Velero's change-image-name plugin; per target cluster). */
  | { readonly type: 'rewrite-image-registry'; readonly from: string; readonly to: string }
  /** Replace an Ingress host, when the rule at `ruleIndex` has exactly `from`. */
  | { readonly type: 'rewrite-ingress-host'; readonly from: string; readonly to: string; readonly ruleIndex?: number }
  /** Raw JSON patch on one kind; add `test` operations to patch only what you expect. */
  | {
      readonly type: 'json-patch';
      /** `resource.group`, e.g. `deployments.apps`, `services`. */
      readonly groupResource: string;
      readonly namePattern?: string;
      readonly patches: readonly {
        readonly op: 'test' | 'add' | 'remove' | 'replace' | 'copy' | 'move';
        readonly path: string;
        readonly value?: string | number | boolean;
        readonly from?: string;
      }[];
    };

/** One step of a restore: a Velero Restore restricted to part of the backup, run after its dependencies. */
export interface RestoreStep {
  /** Step name (RFC 1123); an app profile's name selects that app's pods and restore hooks. */
  readonly name: string;
  /** Steps that must complete first. @default none */
  readonly after?: readonly string[];
  /** The backup policy the step restores from. @default the plan's only (or first) policy */
  readonly from?: BackupPolicy;
  /** Restore only objects with these labels. @default the app profile's selector, if the name is one; else everything */
  readonly selector?: Readonly<Record<string, string>>;
  /** Restore only these resources (`resource.group`). @default everything (or the data-only set) */
  readonly resources?: readonly string[];
}

/** A scheduled rehearsal of the plan. */
export interface DrillProps {
  readonly every: Frequency;
  /** Checks run after the restore, besides those of the app profiles. @default none */
  readonly verify?: readonly VerifyCheck[];
  /**
   * Resources the drill leaves out besides its defaults (CronJobs, Jobs, Ingresses and Gateway API
   * routes, NetworkPolicies, HPAs and KEDA objects, Prometheus operator, cert-manager and External
   * Secrets objects), as Velero names them: `resource.group`, the core group bare.
   * @default none
   * @example exclude: ['kafkatopics.kafka.strimzi.io']
   */
  readonly exclude?: readonly string[];
}

/** How a cross-cluster plan makes the source's SealedSecrets readable on the target. */
export type SecretsRecovery = 'sealing-key-restored-first' | 'secrets-from-backup';

/** Props of a restore plan. */
export interface RestorePlanProps {
  /** The backup policies whose backups come back. */
  readonly from: BackupPolicy | readonly BackupPolicy[];
  /** The cluster they come back to. */
  readonly to: Cluster;
  readonly scenario: RestoreScenario;
  /** @default 'full' */
  readonly mode?: RestoreMode;
  /** Recovery time objective: how long the restore may take. */
  readonly rto: DurationString;
  /** Source namespace to target namespace. @default each namespace to itself */
  readonly namespaceMapping?: Readonly<Record<string, string>>;
  /** Source storage class to target storage class (Velero's change-storage-class plugin, per cluster). @default none */
  readonly storageClassMapping?: Readonly<Record<string, string>>;
  /** @default none */
  readonly transforms?: readonly RestoreTransform[];
  /** What to do with objects that already exist. @default 'skip' */
  readonly existingResources?: 'skip' | 'update';
  /** Which restore point: the newest of any tier, or the newest of one tier. @default 'latest' */
  readonly pointInTime?: 'latest' | Tier;
  /** Ordered steps (a DAG). @default one step per app profile, then the rest */
  readonly order?: readonly RestoreStep[];
  /** Volume data to restore, as a quantity (`'500Gi'`), to check the RTO against an estimate. @default none */
  readonly dataSize?: string;
  /** Cross-cluster plans: how the source's SealedSecrets become readable on the target. @default none */
  readonly secretsRecovery?: SecretsRecovery;
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
 * Declares a restore plan: which backups come back where, in which order, within which RTO, drilled
 * how often. Compiles into a suspended runner CronJob (`kubectl create job --from=cronjob/restore-<plan>`),
 * a drill CronJob, and a runbook in `generated/runbooks/<cluster>/<plan>/`.
 *
 * @example
 * export const ledgerRegionLoss = restorePlan('ledger-region-loss', {
 *   from: ledger, to: drUs, scenario: 'region-loss', rto: '45m', dataSize: '200Gi',
 *   storageClassMapping: { gp3: 'gp3' }, secretsRecovery: 'secrets-from-backup',
 *   order: [{ name: 'ledger-db' }, { name: 'ledger-api', after: ['ledger-db'] }],
 *   drill: { every: 'week' },
 * });
 */
export function restorePlan(name: string, props: RestorePlanProps): RestorePlan {
  return new RestorePlan(name, props);
}
