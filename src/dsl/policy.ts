import type { AppProfile } from './apps/profile.ts';
import type { Cluster } from './cluster.ts';
import { Declaration } from './declaration.ts';
import type { DurationString } from './duration.ts';
import type { Retention } from './retention.ts';
import type { Storage } from './storage.ts';
import type { VolumePolicy } from './volume-policies.ts';

/**
 * How volume data is captured:
 * - `csi-snapshot`: CSI snapshots that stay in the cluster's own storage system (fast, not portable);
 * - `snapshot-data-mover`: CSI snapshots whose data Velero moves to object storage (portable across clusters and regions);
 * - `native-snapshot`: the cloud provider's disk snapshots through Velero's provider plugin and a
 *   VolumeSnapshotLocation (not portable across regions);
 * - `filesystem`: file-level copy by Velero's node agent into the backup repository (portable, slower);
 * - `none`: Kubernetes objects only, for stateless namespaces.
 */
export type VolumeMode = 'csi-snapshot' | 'snapshot-data-mover' | 'native-snapshot' | 'filesystem' | 'none';

/** A Kubernetes label selector. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    readonly values?: readonly string[];
  }[];
}

/** Who an access entry names: `group:<name>` or `user:<name>`; system groups are refused. */
export type Subject = `group:${string}` | `user:${string}`;

/**
 * Who may do what with a policy's backups. Nobody gets Velero's own CRDs to write (creating a
 * Restore equals cluster-admin, since Velero runs privileged): restorers run the plan's runner,
 * backup triggers run an on-demand backup job, both admitted only as copies of their CronJob.
 */
export interface AccessProps {
  /** May read backups, schedules, restores and storage locations in Velero's namespace. @default nobody */
  readonly view?: readonly Subject[];
  /** May run the restore runners of the plans restoring this policy. @default nobody */
  readonly restore?: readonly Subject[];
  /** May take an on-demand backup of this policy. @default nobody */
  readonly backup?: readonly Subject[];
}

/** Props of a backup policy. */
export interface BackupPolicyProps {
  /** The cluster whose namespaces are backed up. */
  readonly cluster: Cluster;
  /** Where backups go. @default the first storage of the cluster */
  readonly storage?: Storage;
  /** Namespaces to back up. @default none: then `selector` must be set */
  readonly namespaces?: readonly string[];
  /** Back up only objects with these labels. @default all objects of the namespaces */
  readonly selector?: LabelSelector;
  /** Resources to include, as `resource.group` names (`persistentvolumeclaims`, `deployments.apps`). @default all */
  readonly includedResources?: readonly string[];
  /** Resources to leave out. @default none */
  readonly excludedResources?: readonly string[];
  /** Recovery point objective: the most data, in time, that a restore may lose. */
  readonly rpo: DurationString;
  /** Restore points kept per retention tier. */
  readonly retention: Retention;
  /** How volume data is captured. @default 'csi-snapshot' */
  readonly volumes?: VolumeMode;
  /** IANA time zone the tier schedules run in (`CRON_TZ`). @default UTC */
  readonly timeZone?: string;
  /** Application profiles: database-consistent hooks, restore hooks and drill checks. @default none */
  readonly apps?: readonly AppProfile[];
  /** Who may view, restore and trigger backups. @default nobody but cluster administrators */
  readonly access?: AccessProps;
  /** Per-volume decisions (skip scratch volumes, file-system copy for some classes). @default none */
  readonly volumePolicies?: readonly VolumePolicy[];
  /**
   * Volume data the policy backs up (`'200Gi'`): each Backup's `csiSnapshotTimeout` and
   * `itemOperationTimeout` are derived from it. @default unknown: Velero's defaults (10m and 4h)
   */
  readonly dataSize?: string;
  /**
   * Files the uploader (Kopia) sends in parallel, for file-system backups and the data mover
   * (the Backup's `uploaderConfig.parallelFilesUpload`). @default Velero's (the node's CPU count)
   */
  readonly uploaderParallelism?: number;
  /**
   * Cron expression for the finest tier, replacing the one derived from the RPO (for example to
   * back up outside business hours). Checked against the RPO. @default derived from the RPO
   */
  readonly schedule?: string;
}

/** What to back up in one cluster, how often and for how long. */
export class BackupPolicy extends Declaration<'backupPolicy', BackupPolicyProps> {
  /** @internal use backupPolicy() */
  constructor(name: string, props: BackupPolicyProps) {
    super('backupPolicy', name, props);
  }
}

/**
 * Declares a backup policy. Each retention tier becomes a Velero Schedule whose cron and TTL are
 * derived from the RPO and the tier counts.
 *
 * @example
 * export const ledger = backupPolicy('ledger', {
 *   cluster: prodEu, namespaces: ['payments'],
 *   rpo: '1h', retention: { hourly: 24, daily: 7, weekly: 4, monthly: 12 },
 *   volumes: 'snapshot-data-mover',
 * });
 */
export function backupPolicy(name: string, props: BackupPolicyProps): BackupPolicy {
  return new BackupPolicy(name, props);
}
