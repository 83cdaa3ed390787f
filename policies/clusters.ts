/**
 * Clusters and storage, owned by the platform team.
 *
 * prod-eu runs the production workloads and writes its backups to the EU bucket, which S3
 * Replication copies to a bucket in us-east-1. dr-us is the disaster-recovery cluster in that
 * region: for its region-loss plan it reads the replica (ReadOnly there), which outlives the EU
 * region with its own KMS key, and it writes its own backups to the US bucket.
 *
 * Images use version tags: digests cannot be looked up from here and must not be invented. Pin
 * them to digests before relying on this in production.
 */
import { cluster, csi, s3Storage, sealed } from 'restorable';

export const euBackups = s3Storage('eu-backups', {
  bucket: 'acme-velero-eu',
  region: 'eu-west-1',
  prefix: 'velero',
  credentials: sealed('velero-eu-backups-credentials'),
  encryption: { kmsKeyId: 'alias/velero-eu' },
  // Object lock covers the longest TTL written here (the ledger's monthly backups, 372 days and an
  // hour). Velero still expires backups on time: its deletes leave delete markers, and the locked
  // versions go 7 days after their lock ends, by the bucket's noncurrent-version lifecycle rule.
  immutable: { days: 373 },
  versioning: { noncurrentExpiryDays: 7 },
  // Copied within 15 minutes (S3 Replication Time Control), encrypted with a key of the replica's region.
  replication: { bucket: 'acme-velero-eu-replica', region: 'us-east-1', kmsKeyId: 'alias/velero-eu-replica', lag: '15m' },
});

export const usBackups = s3Storage('us-backups', {
  bucket: 'acme-velero-us',
  region: 'us-east-1',
  prefix: 'velero',
  credentials: sealed('velero-us-backups-credentials'),
  encryption: { kmsKeyId: 'alias/velero-us' },
  // The DR cluster's longest TTL: 93 days and an hour (monthly backups of its observability stack).
  immutable: { days: 94 },
  versioning: { noncurrentExpiryDays: 7 },
});

const platformImages = {
  kubectl: 'docker.io/alpine/k8s:1.33.4',
  velero: 'docker.io/velero/velero:v1.18.1',
  veleroPlugins: { aws: 'docker.io/velero/velero-plugin-for-aws:v1.14.3' },
};

/**
 * Velero itself, installed and upgraded by each cluster's Argo CD (the same objects as `velero
 * install` for these settings). Data-mover pods read from read-only snapshot clones and two run per
 * node at most; repositories are maintained daily.
 */
const velero = {
  version: 'v1.18.1',
  nodeAgent: {
    loadConcurrency: 2,
    resources: { cpuRequest: '500m', memoryRequest: '512Mi', memoryLimit: '2Gi' },
    backupPVC: { gp3: { storageClass: 'gp3', readOnly: true } },
  },
  repositoryMaintenance: { frequency: '24h', keepLatestJobs: 3, resources: { cpuRequest: '100m', memoryRequest: '256Mi', memoryLimit: '1Gi' } },
} as const;

/**
 * Each cluster's kube-prometheus-stack (release "monitoring", in namespace monitoring) loads only
 * rules and PodMonitors labelled with its release, from its own namespace.
 */
const prometheus = { operator: 'prometheus-operator', labels: { release: 'monitoring' }, namespace: 'monitoring' } as const;

/** Each cluster's own Argo CD syncs its folder of this repository. */
const gitops = { repoURL: 'https://git.acme.example/platform/backup-policies.git', targetRevision: 'main' };

export const prodEu = cluster('prod-eu', {
  environment: 'production',
  region: 'eu-west-1',
  storage: [euBackups],
  snapshotClasses: [csi({ driver: 'ebs.csi.aws.com', deletionPolicy: 'Retain' })],
  sealingCertificates: ['clusters/prod-eu/sealing-2026-11.pem'],
  sealingKeyRecovery: 'sealing keys exported monthly to the platform team vault (secret/platform/sealed-secrets/prod-eu)',
  repositoryPassword: sealed('velero-repo-credentials', 'repository-password'),
  // Auditors read every backup of the cluster; policies name their own teams.
  viewers: ['group:backup-auditors'],
  images: platformImages,
  velero,
  monitoring: prometheus,
  argocd: gitops,
});

export const drUs = cluster('dr-us', {
  environment: 'production',
  region: 'us-east-1',
  storage: [usBackups, euBackups],
  snapshotClasses: [csi({ driver: 'ebs.csi.aws.com', deletionPolicy: 'Retain' })],
  sealingCertificates: ['clusters/dr-us/sealing-2026-11.pem'],
  sealingKeyRecovery: 'sealing keys exported monthly to the platform team vault (secret/platform/sealed-secrets/dr-us)',
  repositoryPassword: sealed('velero-repo-credentials', 'repository-password'),
  images: platformImages,
  velero,
  monitoring: prometheus,
  argocd: gitops,
});
