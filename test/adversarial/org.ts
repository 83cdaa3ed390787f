/**
 * A fixture organisation for gate tests, described as plain data so a mutation is a function from
 * one description to another: two clusters with their own storages, a production cluster with a
 * shop (web and database apps in one namespace), a search service with a volume policy, a ledger
 * on the DR cluster, restore plans with drills, and the inventory of each cluster.
 */
import type { Side } from '../../src/diff/side.ts';
import {
  type BackupPolicy,
  type BackupPolicyProps,
  backupPolicy,
  type Cluster,
  type ClusterProps,
  cluster,
  csi,
  type Declaration,
  type ExemptionProps,
  exempt,
  type RestorePlanProps,
  restorePlan,
  type S3StorageProps,
  s3Storage,
  sealed,
} from '../../src/index.ts';
import type { LoadedInventory } from '../../src/inventory/types.ts';
import { resolve } from '../../src/model/resolve.ts';
import type { Model } from '../../src/model/types.ts';
import { data, GIB, inventory } from '../inventory/inventory-builders.ts';

/** Plain props of the organisation; references between declarations are by name. */
export interface OrgSpec {
  readonly storages: Readonly<Record<string, Omit<S3StorageProps, 'credentials'>>>;
  readonly clusters: Readonly<Record<string, Omit<ClusterProps, 'storage' | 'snapshotClasses' | 'repositoryPassword'> & { storage: readonly string[]; snapshotDrivers: readonly string[]; password: string }>>;
  readonly policies: Readonly<Record<string, Omit<BackupPolicyProps, 'cluster' | 'storage'> & { cluster: string; storage: string }>>;
  readonly plans: Readonly<Record<string, Omit<RestorePlanProps, 'from' | 'to' | 'order'> & { from: readonly string[]; to: string; order?: readonly { name: string; from?: string; after?: readonly string[] }[] }>>;
  readonly exemptions: Readonly<Record<string, ExemptionProps & { namespace: string }>>;
}

/** The runner's image, pinned as production guardrails want it. */
const IMAGES = { kubectl: 'registry.k8s.io/kubectl:v1.33.4@sha256:0b6e5e8d2d6bd4b1cc1a6b9a2f4d4d8e0f1f7b3c5a3e1d9c7b5a3f1e0d2c4b6a' };

/** The organisation as it is on main. */
export const BASE_ORG: OrgSpec = {
  storages: {
    'prod-backups': { bucket: 'acme-prod-backups', region: 'eu-west-1', prefix: 'prod', encryption: { kmsKeyId: 'alias/backups' }, replication: { bucket: 'acme-prod-backups-replica', region: 'us-east-1', kmsKeyId: 'alias/backups-replica', lag: '15m' } },
    'dr-backups': { bucket: 'acme-dr-backups', region: 'us-east-1', prefix: 'dr', encryption: { kmsKeyId: 'alias/backups' } },
  },
  clusters: {
    prod: { environment: 'production', storage: ['prod-backups'], snapshotDrivers: ['ebs.csi.aws.com'], password: 'velero-repo-credentials', monitoring: 'prometheus-operator', images: IMAGES, sealingKeyRecovery: 'exported monthly to the platform vault' },
    dr: { environment: 'production', storage: ['dr-backups', 'prod-backups'], snapshotDrivers: ['ebs.csi.aws.com'], password: 'velero-repo-credentials', monitoring: 'prometheus-operator', images: IMAGES },
  },
  policies: {
    shop: { cluster: 'prod', storage: 'prod-backups', namespaces: ['shop'], rpo: '1h', retention: { hourly: 24, daily: 14, weekly: 4 }, volumes: 'snapshot-data-mover', access: { restore: ['group:shop-oncall'] } },
    search: {
      cluster: 'prod',
      storage: 'prod-backups',
      namespaces: ['search'],
      rpo: '1h',
      retention: { hourly: 12, daily: 7 },
      volumes: 'csi-snapshot',
      volumePolicies: [{ conditions: { storageClass: ['local-cache'] }, action: 'skip' }],
    },
    ledger: { cluster: 'dr', storage: 'dr-backups', namespaces: ['ledger'], rpo: '4h', retention: { daily: 7, monthly: 6 }, volumes: 'snapshot-data-mover' },
  },
  plans: {
    'shop-loss': { from: ['shop'], to: 'prod', scenario: 'namespace-loss', rto: '1h', dataSize: '210Gi', drill: { every: 'week' } },
    'shop-region-loss': { from: ['shop'], to: 'dr', scenario: 'region-loss', rto: '4h', dataSize: '210Gi', secretsRecovery: 'sealing-key-restored-first', drill: { every: 'month' } },
  },
  exemptions: {},
};

/** Builds the declarations of an organisation. */
export function declarationsOf(spec: OrgSpec): Declaration[] {
  const storages = new Map(Object.entries(spec.storages).map(([name, props]) => [name, s3Storage(name, { ...props, credentials: sealed(`${name}-credentials`) })]));
  const storage = (name: string) => storages.get(name) ?? s3Storage(name, { bucket: name, region: 'eu-west-1', credentials: sealed(`${name}-credentials`) });
  const clusters = new Map<string, Cluster>(
    Object.entries(spec.clusters).map(([name, { storage: names, snapshotDrivers, password, ...props }]) => [
      name,
      cluster(name, { ...props, storage: names.map(storage), snapshotClasses: snapshotDrivers.map((driver) => csi({ driver, deletionPolicy: 'Retain' })), repositoryPassword: sealed(password, 'repository-password') }),
    ]),
  );
  const clusterOf = (name: string) => clusters.get(name) as Cluster;
  const policies = new Map<string, BackupPolicy>(
    Object.entries(spec.policies).map(([name, { cluster: c, storage: s, ...props }]) => [name, backupPolicy(name, { ...props, cluster: clusterOf(c), storage: storage(s) })]),
  );
  const policyOf = (name: string) => policies.get(name) as BackupPolicy;
  const plans = Object.entries(spec.plans).map(([name, { from, to, order, ...props }]) =>
    restorePlan(name, {
      ...props,
      from: from.map(policyOf),
      to: clusterOf(to),
      ...(order ? { order: order.map((step) => ({ name: step.name, after: step.after, ...(step.from ? { from: policyOf(step.from) } : {}) })) } : {}),
    }),
  );
  const exemptions = Object.values(spec.exemptions).map(({ namespace, ...props }) => exempt(namespace, props));
  return [...storages.values(), ...clusters.values(), ...policies.values(), ...plans, ...exemptions];
}

/** The resolved model of an organisation. */
export const modelOf = (spec: OrgSpec): Model => resolve(declarationsOf(spec)).model;

/** A diff side of an organisation (every declaration at policies/org.ts). */
export function sideOf(spec: OrgSpec): Side {
  return { model: modelOf(spec), locate: (source) => ({ file: source ? 'policies/org.ts' : null, line: source?.line ?? null }) };
}

const claim = (gib: number, storageClass: string, labels: Record<string, string>) => ({ requestedBytes: gib * GIB, storageClass, labels });

/** What the clusters hold: the shop's web and database claims, search's data and caches, the ledger. */
export function inventoriesOf(): LoadedInventory[] {
  const classes = { gp3: { provisioner: 'ebs.csi.aws.com', default: true }, 'local-cache': { provisioner: 'rancher.io/local-path', default: false }, efs: { provisioner: 'efs.csi.aws.com', default: false } };
  return [
    inventory(
      'prod',
      {
        shop: data(0, 0, {
          claims: { 'web-uploads': claim(10, 'gp3', { app: 'web' }), 'db-data': claim(200, 'gp3', { app: 'db' }) },
          pods: [
            { labels: { app: 'web' }, claims: ['web-uploads'] },
            { labels: { app: 'db' }, claims: ['db-data'] },
          ],
        }),
        search: data(0, 0, {
          claims: { 'data-0': claim(500, 'gp3', { app: 'search' }), 'cache-0': claim(20, 'local-cache', { app: 'search' }) },
          pods: [{ labels: { app: 'search' }, claims: ['cache-0', 'data-0'] }],
        }),
        kube: data(0, 0),
      },
      classes,
    ),
    inventory('dr', { ledger: data(0, 0, { claims: { 'ledger-db': claim(300, 'gp3', { app: 'ledger' }) }, pods: [{ labels: { app: 'ledger' }, claims: ['ledger-db'] }] }) }, classes),
  ];
}

/** A copy of `spec` with one part replaced: `patch(spec, 'policies', 'shop', { rpo: '4h' })`. */
export function patch<K extends keyof OrgSpec>(spec: OrgSpec, part: K, name: string, props: Partial<OrgSpec[K][string]> | null): OrgSpec {
  const entries = { ...(spec[part] as Record<string, unknown>) };
  if (props === null) delete entries[name];
  else entries[name] = { ...((entries[name] as object | undefined) ?? {}), ...props };
  return { ...spec, [part]: entries };
}
