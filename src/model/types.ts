/**
 * The resolved model: the contract between the stages (rules, lowering, diff, explain) and between
 * capabilities. Plain, serialisable data: every reference is resolved to a name, every default
 * applied, every duration parsed. Lists are sorted by name so later stages are deterministic.
 */
import type { AppProfile } from '../dsl/apps/profile.ts';
import type { DeletionPolicy } from '../dsl/csi.ts';
import type { Frequency } from '../dsl/duration.ts';
import type { WaivableGuardrail } from '../dsl/guardrails.ts';
import type { LabelSelector, VolumeMode } from '../dsl/policy.ts';
import type { RestoreScenario, RestoreTransform } from '../dsl/restore-plan.ts';
import type { Tier } from '../dsl/retention.ts';
import type { SourceLocation } from '../dsl/source.ts';
import type { AzureGeoRedundancy, StorageProvider } from '../dsl/storage.ts';
import type { VolumePolicy } from '../dsl/volume-policies.ts';
import type { Duration } from './duration.ts';
import type { VeleroInstallModel } from './velero-install.ts';

/** A reference to a key of a sealed credential kept in `policies/sealed/<cluster>/<name>.yaml`. */
export interface SealedRefModel {
  readonly name: string;
  readonly key: string;
}

/** A CSI VolumeSnapshotClass to emit on a cluster. */
export interface SnapshotClassModel {
  readonly name: string;
  readonly driver: string;
  readonly deletionPolicy: DeletionPolicy;
  readonly parameters: Readonly<Record<string, string>>;
}

/** A cluster with its platform settings. */
export interface ClusterModel {
  readonly name: string;
  readonly environment: string;
  readonly region?: string;
  readonly veleroNamespace: string;
  /** Names of the storages it reaches, in declaration order. */
  readonly storage: readonly string[];
  /** The declared `defaultStorage` (see model/default-location.ts for the effective one). */
  readonly defaultStorage?: string;
  /** Declared never to back up: no default location. */
  readonly neverBacksUp: boolean;
  readonly snapshotClasses: readonly SnapshotClassModel[];
  /** Certificate paths relative to the policies folder, newest first. */
  readonly sealingCertificates: readonly string[];
  readonly sealingKeyRecovery?: string;
  readonly repositoryPassword?: SealedRefModel;
  /** People who may read all of Velero's objects on this cluster (`group:`/`user:` subjects). */
  readonly viewers: readonly string[];
  readonly images: Readonly<Record<string, string>>;
  readonly monitoring: 'prometheus-operator' | 'none';
  /** Where rules and PodMonitors go and the labels the operator selects them by (with `prometheus-operator`). */
  readonly monitoringTarget: { readonly namespace: string; readonly labels: Readonly<Record<string, string>> };
  /** The cluster DNS, with defaults applied: namespace and labels of its pods, extra address ranges. */
  readonly dns: { readonly namespace: string; readonly selector: Readonly<Record<string, string>>; readonly addresses: readonly string[] };
  /** Velero's installation, when the cluster declares it (restorable then owns the Velero namespace). */
  readonly velero?: VeleroInstallModel;
  /** The cluster's own Argo CD, with defaults applied. */
  readonly argocd?: { readonly repoURL: string; readonly targetRevision: string; readonly namespace: string };
  readonly source?: SourceLocation;
}

/** Provider-side encryption declared on a storage. */
export type EncryptionModel =
  | { readonly provider: 'aws'; readonly kmsKeyId: string }
  | { readonly provider: 'gcp'; readonly kmsKeyName: string }
  | { readonly provider: 'azure'; readonly keyVaultKeyUri: string };

/** An object storage location. */
export interface StorageModel {
  readonly name: string;
  readonly provider: StorageProvider;
  /** Bucket (S3, GCS) or container (Azure). */
  readonly bucket: string;
  readonly prefix?: string;
  /** Velero provider config, without encryption keys (see `encryption`). */
  readonly config: Readonly<Record<string, string>>;
  readonly credentials: SealedRefModel;
  readonly encryption?: EncryptionModel;
  /** PEM of the CA that signs the endpoint's certificate (S3). */
  readonly caCert?: string;
  /** Declared object-lock days. */
  readonly immutableDays?: number;
  /** Whether the bucket keeps noncurrent versions: declared `versioning`, or object lock on S3. */
  readonly versioned: boolean;
  /** Declared days before noncurrent versions expire. */
  readonly noncurrentExpiryDays?: number;
  /** The bucket's replica in another region (S3), which region-loss plans read. */
  readonly replica?: ReplicaModel;
  /** The bucket's or account's own copy in another region (GCS, Azure), which region-loss plans read through the same URL. */
  readonly geoRedundancy?: GeoRedundancyModel;
  readonly source?: SourceLocation;
}

/**
 * A GCS bucket in a multi-region or dual-region location, or an Azure account replicated to its
 * secondary region, with how long the asynchronous copy may take: restores after a region loss
 * choose backups at least that old.
 */
export type GeoRedundancyModel =
  | { readonly provider: 'gcp'; readonly location: string; readonly lag: Duration }
  | { readonly provider: 'azure'; readonly redundancy: AzureGeoRedundancy; readonly lag: Duration };

/** A storage's replica: where a cluster reads it from when the storage's region is gone. */
export interface ReplicaModel {
  readonly bucket: string;
  readonly region: string;
  readonly kmsKeyId?: string;
  /** How long replication may take: restores from the replica choose backups at least this old. */
  readonly lag: Duration;
  /** Endpoint of an S3-compatible replica (the storage's when not declared). */
  readonly endpoint?: string;
  /** Credentials for the replica (the storage's when not declared). */
  readonly credentials: SealedRefModel;
}

/** One Velero Schedule of a policy: a retention tier with its cron and TTL. */
export interface TierSchedule {
  readonly tier: Tier;
  /** Schedule name: `<policy>-<tier>`. */
  readonly name: string;
  /** Cron expression, prefixed with `CRON_TZ=<zone> ` when the policy has a time zone. */
  readonly cron: string;
  /** How long each backup of this tier lives. */
  readonly ttl: Duration;
  /** Restore points of this tier the policy asked for. */
  readonly keep: number;
  /** Longest time between two runs of this schedule. */
  readonly interval: Duration;
  /** Finer tiers that leave out the moments this tier runs at: its backups count among their restore points. */
  readonly replaces: readonly Tier[];
}

/** A backup policy with its references resolved and its schedules computed. */
export interface PolicyModel {
  readonly name: string;
  readonly cluster: string;
  readonly storage: string;
  readonly namespaces: readonly string[];
  readonly selector?: LabelSelector;
  readonly includedResources: readonly string[];
  readonly excludedResources: readonly string[];
  readonly rpo: Duration;
  /** Counts per tier exactly as declared (checked by rules, not here). */
  readonly retention: Readonly<Partial<Record<Tier, number>>>;
  readonly volumes: VolumeMode;
  /** Application profiles, as declared (already plain data). */
  readonly apps: readonly AppProfile[];
  readonly volumePolicies: readonly VolumePolicy[];
  /** Declared volume data, in bytes (undefined when not declared or not a quantity). */
  readonly dataSizeBytes?: number;
  /** Files the uploader sends in parallel, when declared and valid. */
  readonly uploaderParallelism?: number;
  /** Subjects (`group:x`, `user:y`) per right, as declared. */
  readonly access: { readonly view: readonly string[]; readonly restore: readonly string[]; readonly backup: readonly string[] };
  readonly timeZone?: string;
  /** Cron of the finest tier when the policy overrides it. */
  readonly scheduleOverride?: string;
  /** One per tier with a count above zero, finest first. Empty when retention is invalid. */
  readonly schedules: readonly TierSchedule[];
  readonly source?: SourceLocation;
}

/**
 * Why a step is in a plan: declared in `order` (or made from an app profile when there is no
 * order), the first step that brings back configuration and storage for every later one, or the
 * last step that brings back what no declared step restored.
 */
export type RestoreStepOrigin = 'declared' | 'config-and-storage' | 'remainder';

/** One step of a restore plan: one Velero Restore per run. */
export interface RestoreStepModel {
  /** 1-based position in execution order (topologically sorted, ties in declaration order). */
  readonly index: number;
  readonly name: string;
  readonly origin: RestoreStepOrigin;
  /** Where the plan declares the step (`order[2]`), or what an automatic step is made from (`from`). */
  readonly path: string;
  /** The policy whose backup the step restores from. */
  readonly policy: string;
  readonly after: readonly string[];
  readonly selector?: Readonly<Record<string, string>>;
  /** Resources to include; empty means every resource. */
  readonly resources: readonly string[];
  /** Resources left out: those the configuration-and-storage step already restored. */
  readonly excludedResources: readonly string[];
  /** Source namespaces restored by this step. */
  readonly namespaces: readonly string[];
  /** Restore exec hooks of the app profile this step is named after. */
  readonly hooks: readonly { readonly container?: string; readonly command: readonly string[]; readonly waitTimeout: Duration; readonly execTimeout: Duration }[];
  /** Pod labels the hooks run in. */
  readonly hookSelector?: Readonly<Record<string, string>>;
}

/** A check the runner and drills run after restoring. */
export type CheckModel =
  | {
      readonly type: 'exec';
      readonly name: string;
      /** Source namespace (the runner maps it). */
      readonly namespace: string;
      readonly selector: Readonly<Record<string, string>>;
      readonly container?: string;
      readonly argv: readonly string[];
      /** Pass only when the command also prints something (a query that returned rows). */
      readonly requireOutput?: boolean;
      /** Pass only when the command prints a whole number at least this big (a counted query). */
      readonly minRows?: number;
    }
  | {
      readonly type: 'http';
      readonly name: string;
      readonly namespace: string;
      readonly service: string;
      readonly port: number;
      readonly path: string;
    };

/** A restore transform, as declared. */
export type TransformModel = RestoreTransform;

/** A restore plan with its steps ordered and its checks resolved. */
export interface RestorePlanModel {
  readonly name: string;
  readonly from: readonly string[];
  readonly to: string;
  readonly scenario: RestoreScenario;
  readonly mode: 'full' | 'data-only';
  readonly rto: Duration;
  /** Every source namespace of the plan's policies to its target namespace. */
  readonly namespaceMapping: Readonly<Record<string, string>>;
  /** The mapping as declared (for checks that only concern declared keys). */
  readonly declaredNamespaceMapping: Readonly<Record<string, string>>;
  readonly storageClassMapping: Readonly<Record<string, string>>;
  readonly transforms: readonly TransformModel[];
  readonly existingResources: 'skip' | 'update';
  readonly pointInTime: 'latest' | Tier;
  readonly steps: readonly RestoreStepModel[];
  /** Declared volume data, in bytes. */
  readonly dataSizeBytes?: number;
  /**
   * The least time restore hooks get to wait for their pod and to run: the estimated restore time
   * (from `dataSize`), or the RTO without one, with a margin. Declared hook timeouts below it are raised.
   */
  readonly hookTimeout: { readonly seconds: number; readonly basis: 'estimate' | 'rto' };
  readonly secretsRecovery?: 'sealing-key-restored-first' | 'secrets-from-backup';
  /**
   * What happens to the source's SealedSecrets: `mark-managed` when the target's controller can open
   * them (the same cluster and namespaces, or the source's sealing key restored first), so restored
   * Secrets are handed back to their SealedSecret; `leave-out` otherwise.
   */
  readonly sealedSecrets: 'mark-managed' | 'leave-out';
  /** Checks from the app profiles, run by the runner and the drill. */
  readonly checks: readonly CheckModel[];
  readonly drill?: {
    readonly every: Frequency;
    readonly checks: readonly CheckModel[];
    /** Resources the drill leaves out besides the defaults (`resource.group`). */
    readonly exclude: readonly string[];
    /**
     * Whether the backups hold volume data (any policy's `volumes` is not `'none'`). Without it a
     * restored claim could only bind to the live volume, or to the source's disk restored as is.
     */
    readonly volumeData: boolean;
  };
  readonly source?: SourceLocation;
}

/** A backup taken before every Argo CD sync of a team application. */
export interface PreSyncBackupModel {
  /** The policy whose finest tier the backup copies. */
  readonly policy: string;
  /** Namespace of the hook Job. */
  readonly namespace: string;
  readonly timeout: Duration;
  readonly source?: SourceLocation;
}

/** A namespace deliberately left without backups, until a date. */
export interface ExemptionModel {
  readonly namespace: string;
  /** Cluster it applies to; undefined for every cluster. */
  readonly cluster?: string;
  readonly reason: string;
  /** ISO date (YYYY-MM-DD or a full timestamp) the exemption lapses. */
  readonly until: string;
  readonly source?: SourceLocation;
}

/** A policy excepted from one guardrail, for a reason, until a date. */
export interface GuardrailExceptionModel {
  readonly policy: string;
  /** The guardrail's field name (`drillEvery`...). */
  readonly guardrail: WaivableGuardrail;
  readonly reason: string;
  /** ISO date the exception lapses. */
  readonly until: string;
  readonly source?: SourceLocation;
}

/** Guardrails of one environment. */
export interface GuardrailsModel {
  readonly environment: string;
  readonly maxRpo?: Duration;
  readonly minRetention?: Duration;
  readonly requireEncryption: boolean;
  readonly requireImmutableStorage: boolean;
  /** Least object-lock days storage written to must declare (implies `requireImmutableStorage`). */
  readonly minImmutableDays?: number;
  readonly snapshotDeletionPolicy?: DeletionPolicy;
  readonly drillEvery?: Frequency;
  readonly requireImageDigests: boolean;
  /** Declared `requireRestorePlan`; undefined applies the default (a warning in `production`). */
  readonly requireRestorePlan?: boolean;
  readonly source?: SourceLocation;
}

/** A SealedSecret kept in `policies/sealed/<cluster>/`, summarised (the ciphertext stays opaque). */
export interface SealedSecretModel {
  readonly cluster: string;
  /** Path of the file, relative to the working directory. */
  readonly file: string;
  readonly name: string;
  readonly namespace: string;
  readonly scope: string;
  readonly keys: readonly string[];
  /** sha256 of the certificate it says it was sealed with. */
  readonly fingerprint?: string;
  /** scrypt fingerprints of random values by key, comparable across clusters. */
  readonly valueFingerprints: Readonly<Record<string, string>>;
  /** The object, copied unchanged into the output. */
  readonly object: Readonly<Record<string, unknown>>;
}

/** A sealing certificate a cluster declares, read from the policies folder. */
export interface CertificateModel {
  readonly cluster: string;
  /** Path as declared (relative to the policies folder). */
  readonly path: string;
  /** Index in the cluster's `sealingCertificates`. */
  readonly index: number;
  /** PEM text, or undefined when the file could not be read. */
  readonly pem?: string;
  readonly readError?: string;
}

/** Everything the policies declare, resolved. */
export interface Model {
  readonly clusters: readonly ClusterModel[];
  readonly storages: readonly StorageModel[];
  readonly policies: readonly PolicyModel[];
  readonly restorePlans: readonly RestorePlanModel[];
  readonly guardrails: readonly GuardrailsModel[];
  readonly preSyncBackups: readonly PreSyncBackupModel[];
  readonly exemptions: readonly ExemptionModel[];
  /** Policies excepted from a guardrail, sorted by policy and guardrail. */
  readonly guardrailExceptions: readonly GuardrailExceptionModel[];
  /** Sealed credentials found under `policies/sealed/`; filled in by the compiler after loading. */
  readonly sealedSecrets: readonly SealedSecretModel[];
  /** Sealing certificates the clusters declare; filled in by the compiler after loading. */
  readonly certificates: readonly CertificateModel[];
}
