import type { CsiSnapshotClass } from './csi.ts';
import { Declaration } from './declaration.ts';
import type { SealedRef } from './sealed.ts';
import type { Storage, StorageProvider } from './storage.ts';
import type { VeleroInstallation } from './velero-install.ts';

/** Container images the generated jobs run, declared once by the platform team. */
export interface ClusterImages {
  /** Image with `kubectl` and a POSIX shell, for restore runners, drills and freshness checks. */
  readonly kubectl?: string;
  /** Velero's image, for its installation (`velero`). */
  readonly velero?: string;
  /** Velero's provider plugin images, one per storage provider the cluster uses, e.g. `{ aws: '...velero-plugin-for-aws:v1.14.3' }`. */
  readonly veleroPlugins?: Readonly<Partial<Record<StorageProvider, string>>>;
}

/** How the cluster's own Argo CD reaches this repository. */
export interface ArgoCdProps {
  /** URL of this Git repository, as the cluster's Argo CD clones it. */
  readonly repoURL: string;
  /** Branch or tag to sync. @default 'main' */
  readonly targetRevision?: string;
  /** Namespace Argo CD runs in. @default 'argocd' */
  readonly namespace?: string;
}

/**
 * How this cluster's pods reach DNS: the only place a drill namespace may send traffic to. Drills
 * let DNS (port 53) out to the pods this selects, and to `addresses` when pods query a node-local
 * cache on the host network (NodeLocal DNSCache), which no pod selector matches.
 */
export interface ClusterDns {
  /** Namespace the cluster DNS pods run in. @default 'kube-system' */
  readonly namespace?: string;
  /** Labels of the cluster DNS pods. @default { 'k8s-app': 'kube-dns' } (CoreDNS and kube-dns as kubeadm, EKS, GKE and AKS deploy them) */
  readonly selector?: Readonly<Record<string, string>>;
  /** Address ranges DNS queries go to besides those pods, e.g. `['169.254.20.10/32']`. @default none */
  readonly addresses?: readonly string[];
}

/** Props of a cluster. */
export interface ClusterProps {
  /** The environment whose guardrails apply, e.g. `'production'` or `'staging'`. */
  readonly environment: string;
  /** Cloud region, shown in reports and used to tell region-loss plans apart. @default none */
  readonly region?: string;
  /**
   * Object storages this cluster writes backups to or restores from. A storage that no policy of
   * this cluster writes to becomes a ReadOnly location here (the DR side).
   */
  readonly storage: readonly Storage[];
  /**
   * The storage this cluster's own backups go to: ReadWrite and Velero's default location here, so a
   * DR cluster can back up what it restored after a failover. It must be its own (no other cluster's
   * policies write there, STO007). @default the first listed storage its policies write to, else the
   * first listed storage no other cluster writes to
   */
  readonly defaultStorage?: Storage;
  /**
   * Declares that this cluster never backs up (a restore-only sandbox): it gets no default location
   * and every location is ReadOnly. Without it, a cluster with no storage of its own is STO006.
   * @default false
   */
  readonly neverBacksUp?: boolean;
  /** CSI snapshot classes, one per driver. @default none */
  readonly snapshotClasses?: readonly CsiSnapshotClass[];
  /**
   * Public sealing certificates of this cluster's sealed-secrets controller, newest first, as paths
   * relative to the policies folder. The controller renews its key every 30 days and keeps the old
   * ones, so secrets sealed for any listed certificate still open. @default none
   */
  readonly sealingCertificates?: readonly string[];
  /**
   * How this cluster's sealing key is recovered after a rebuild (out of band: backing it up with
   * Velero would put it in the bucket in plaintext). @default none, which is a warning
   */
  readonly sealingKeyRecovery?: string;
  /** Password of Velero's file-system backup repository (encryption at rest). @default none */
  readonly repositoryPassword?: SealedRef;
  /** Images of generated workloads. @default none: required once a job needs one */
  readonly images?: ClusterImages;
  /** Namespace Velero runs in. @default 'velero' */
  readonly veleroNamespace?: string;
  /**
   * Velero's installation, compiled into the cluster's folder (CRDs, namespace, server, node-agent)
   * so Argo CD installs and upgrades Velero too. @default none: Velero is installed some other way
   */
  readonly velero?: VeleroInstallation;
  /**
   * The cluster's own Argo CD, which syncs `generated/clusters/<name>/` (a hub in a lost region would
   * take the DR path down with it). @default none: no Argo CD Application is emitted
   */
  readonly argocd?: ArgoCdProps;
  /**
   * People who may read every backup, schedule, restore and storage location of this cluster
   * (auditors, the platform team): `group:<name>` or `user:<name>`, declared once here instead of in
   * every policy's `access.view`. Nothing else: no writes, no DownloadRequests.
   * @default none
   * @example viewers: ['group:backup-auditors']
   */
  readonly viewers?: readonly string[];
  /** Where this cluster's DNS runs, the only destination a drill's pods may reach. @default CoreDNS in kube-system */
  readonly dns?: ClusterDns;
  /**
   * Whether and how this cluster's prometheus-operator loads restorable's alerts and scrapes Velero.
   * `'prometheus-operator'` alone suits an operator that selects every rule and PodMonitor (empty
   * selectors); an operator installed by kube-prometheus-stack loads only objects labelled
   * `release: <its release>`, so declare what its `ruleSelector` and `podMonitorSelector` match.
   * @default 'none'
   * @example monitoring: { operator: 'prometheus-operator', labels: { release: 'kube-prometheus-stack' } }
   */
  readonly monitoring?: 'prometheus-operator' | 'none' | PrometheusOperatorMonitoring;
}

/** What a cluster's prometheus-operator selects: the labels and namespace of rules and PodMonitors. */
export interface PrometheusOperatorMonitoring {
  readonly operator: 'prometheus-operator';
  /**
   * Labels the operator's `ruleSelector` and `podMonitorSelector` match, put on every PrometheusRule
   * and PodMonitor restorable emits (kube-prometheus-stack: `{ release: '<its release name>' }`).
   * @default none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Namespace the PrometheusRules and PodMonitors go to, when the operator's
   * `ruleNamespaceSelector`/`podMonitorNamespaceSelector` do not select the Velero namespace (the
   * PodMonitors select Velero's pods in the Velero namespace from there).
   * @default the Velero namespace
   */
  readonly namespace?: string;
}

/** A Kubernetes cluster running Velero. */
export class Cluster extends Declaration<'cluster', ClusterProps> {
  /** @internal use cluster() */
  constructor(name: string, props: ClusterProps) {
    super('cluster', name, props);
  }
}

/**
 * Declares a cluster: its environment, the storage it reaches and its platform settings.
 * Its compiled manifests land in `generated/clusters/<name>/`, synced by that cluster's Argo CD.
 *
 * @example
 * export const prodEu = cluster('prod-eu', {
 *   environment: 'production', region: 'eu-west-1',
 *   storage: [euBackups], snapshotClasses: [csi({ driver: 'ebs.csi.aws.com' })],
 *   sealingCertificates: ['clusters/prod-eu/sealing-2026-11.pem'],
 * });
 */
export function cluster(name: string, props: ClusterProps): Cluster {
  return new Cluster(name, props);
}
