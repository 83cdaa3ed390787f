export * from './apps/index.ts';
export { type ArgoCdProps, type Cluster, type ClusterDns, type ClusterImages, type ClusterProps, cluster, type PrometheusOperatorMonitoring } from './cluster.ts';
export type { BackupPvcSettings, ContainerResources, NodeAgentSettings, RepositoryMaintenanceSettings, VeleroInstallation } from './velero-install.ts';
export { type CsiSnapshotClass, type CsiSnapshotClassProps, csi, type DeletionPolicy } from './csi.ts';
export { type Declaration, type DeclarationKind, isDeclaration } from './declaration.ts';
export type { DurationString, DurationUnit, Frequency } from './duration.ts';
export { type Exemption, type ExemptionProps, exempt } from './exempt.ts';
export {
  type GuardrailException,
  type GuardrailExceptionProps,
  type Guardrails,
  type GuardrailsProps,
  guardrailException,
  guardrails,
  type WaivableGuardrail,
} from './guardrails.ts';
export {
  type AccessProps,
  type BackupPolicy,
  type BackupPolicyProps,
  backupPolicy,
  type LabelSelector,
  type Subject,
  type VolumeMode,
} from './policy.ts';
export { type PreSyncBackup, type PreSyncBackupProps, preSyncBackup } from './pre-sync-backup.ts';
export {
  type DrillProps,
  type RestoreMode,
  type RestorePlan,
  type RestorePlanProps,
  type RestoreScenario,
  type RestoreStep,
  type RestoreTransform,
  restorePlan,
  type SecretsRecovery,
} from './restore-plan.ts';
export { type Retention, retention, TIERS, type Tier } from './retention.ts';
export { type SealedRef, sealed } from './sealed.ts';
export type { SourceLocation } from './source.ts';
export {
  type AzureGeoRedundancy,
  type AzureGeoRedundancyProps,
  type AzureStorageProps,
  azureStorage,
  type GcsGeoLocation,
  type GcsGeoRedundancyProps,
  type GcsStorageProps,
  gcsStorage,
  type ImmutabilityProps,
  type S3ChecksumAlgorithm,
  type S3ReplicaProps,
  type S3StorageProps,
  type Storage,
  type StorageCommonProps,
  type StorageProvider,
  s3Storage,
  type VersioningProps,
} from './storage.ts';
export type { VolumeAction, VolumeConditions, VolumePolicy } from './volume-policies.ts';
