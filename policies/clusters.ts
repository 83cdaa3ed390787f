/**
 * Clusters and storage, owned by the platform team.
 *
 * prod-eu runs the production workloads and writes its backups to the EU bucket. dr-us is the
 * disaster-recovery cluster in another region: it reads the EU bucket (ReadOnly there) to restore
 * after a region loss, and writes its own backups to the US bucket.
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
  // Object lock must not outlive the shortest TTL, or Velero cannot expire hourly backups.
  immutable: { days: 1 },
});

export const usBackups = s3Storage('us-backups', {
  bucket: 'acme-velero-us',
  region: 'us-east-1',
  prefix: 'velero',
  credentials: sealed('velero-us-backups-credentials'),
  encryption: { kmsKeyId: 'alias/velero-us' },
  immutable: { days: 1 },
});

const platformImages = { kubectl: 'docker.io/alpine/k8s:1.33.4' };

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
  monitoring: prometheus,
  argocd: gitops,
});
