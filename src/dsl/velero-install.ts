/**
 * Velero's own installation on a cluster, declared next to the cluster: restorable compiles it into
 * the same objects `velero install --dry-run -o yaml` renders for the same settings (CRDs,
 * namespace, ServiceAccount, ClusterRoleBinding, the server Deployment, the node-agent DaemonSet),
 * plus the ConfigMaps the node-agent and repository maintenance read. Never a credentials Secret:
 * storage locations name their sealed credentials.
 */
import type { DurationString } from './duration.ts';

/** CPU and memory of a container or of the pods Velero starts (Kubernetes quantities). */
export interface ContainerResources {
  readonly cpuRequest?: string;
  readonly memoryRequest?: string;
  readonly cpuLimit?: string;
  readonly memoryLimit?: string;
}

/** The PVC the data mover creates from a snapshot to read it (Velero's `backupPVC` node-agent setting). */
export interface BackupPvcSettings {
  /** Storage class of the backup PVC (e.g. a cheaper or read-only-capable class). @default the source volume's class */
  readonly storageClass?: string;
  /** Mount the backup PVC read-only (faster on some drivers; needs a class that supports it). @default false */
  readonly readOnly?: boolean;
  /** Skip SELinux relabeling of the read-only backup PVC. @default false */
  readonly spcNoRelabeling?: boolean;
}

/** Settings of Velero's node-agent (file-system backups and the CSI snapshot data mover). */
export interface NodeAgentSettings {
  /** Data-mover and file-system operations one node runs at once (`loadConcurrency.globalConfig`). @default 1, Velero's */
  readonly loadConcurrency?: number;
  /** Resources of the node-agent pods themselves. @default none (velero install's default: unbounded) */
  readonly resources?: ContainerResources;
  /** Resources of the data-mover pods the node-agent starts (`podResources`). @default none */
  readonly dataMoverResources?: ContainerResources;
  /** Backup PVC settings per storage class of the source volumes. @default none */
  readonly backupPVC?: Readonly<Record<string, BackupPvcSettings>>;
}

/** Settings of the Jobs Velero runs to maintain backup repositories (kopia). */
export interface RepositoryMaintenanceSettings {
  /** How often each repository is maintained (`--default-repo-maintain-frequency`). @default Velero's (1h quick, full every 24h) */
  readonly frequency?: DurationString;
  /** Finished maintenance Jobs kept per repository (`keepLatestMaintenanceJobs`). @default Velero's, 3 */
  readonly keepLatestJobs?: number;
  /** Resources of the maintenance Jobs (`podResources`). @default none */
  readonly resources?: ContainerResources;
}

/**
 * Velero's installation. The image comes from the cluster's `images.velero`, and one plugin per
 * storage provider the cluster uses from `images.veleroPlugins` (init containers, as `--plugins`).
 * Features follow the policies: `EnableCSI` where CSI snapshots are taken; the node-agent is
 * installed where file-system backups or the data mover are used; the uploader is kopia.
 */
export interface VeleroInstallation {
  /** Velero's version; the CRDs restorable ships are this version's. Only `v1.18.1` is known. */
  readonly version: 'v1.18.1';
  /** Resources of the Velero server. @default velero install's: 500m/128Mi requested, 1 CPU/512Mi limit */
  readonly serverResources?: ContainerResources;
  /** Settings of the node-agent, where it is installed. @default Velero's */
  readonly nodeAgent?: NodeAgentSettings;
  /** Settings of repository maintenance. @default Velero's */
  readonly repositoryMaintenance?: RepositoryMaintenanceSettings;
}
