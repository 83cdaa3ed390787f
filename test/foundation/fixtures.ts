/**
 * A small organisation built with the public DSL, for the resolver and rule tests: every test starts
 * from valid declarations and breaks one thing.
 */
import { readFileSync } from 'node:fs';
import {
  type BackupPolicy,
  type BackupPolicyProps,
  backupPolicy,
  type Cluster,
  type ClusterProps,
  cluster,
  csi,
  type Guardrails,
  type GuardrailsProps,
  guardrails,
  type RestorePlan,
  type RestorePlanProps,
  restorePlan,
  type S3StorageProps,
  type Storage,
  s3Storage,
  sealed,
} from '../../src/index.ts';

/** Declarations that resolve without a single diagnostic. */
export interface Org {
  readonly euBackups: Storage;
  readonly usBackups: Storage;
  readonly prodEu: Cluster;
  readonly drUs: Cluster;
  readonly production: Guardrails;
  readonly ledger: BackupPolicy;
  readonly ledgerRegionLoss: RestorePlan;
}

/** Overrides for the props of one declaration of {@link org}. */
export interface OrgChanges {
  readonly euBackups?: Partial<S3StorageProps>;
  readonly prodEu?: Partial<ClusterProps>;
  readonly production?: Partial<GuardrailsProps>;
  readonly ledger?: Partial<BackupPolicyProps>;
  readonly ledgerRegionLoss?: Partial<RestorePlanProps>;
}

/** A valid production organisation, with some props replaced. */
export function org(changes: OrgChanges = {}): Org {
  const euBackups = s3Storage('eu-backups', {
    bucket: 'acme-velero-eu',
    region: 'eu-west-1',
    credentials: sealed('velero-eu-backups-credentials'),
    encryption: { kmsKeyId: 'alias/velero-eu' },
    immutable: { days: 1 },
    ...changes.euBackups,
  });
  const usBackups = s3Storage('us-backups', {
    bucket: 'acme-velero-us',
    region: 'us-east-1',
    credentials: sealed('velero-us-backups-credentials'),
    encryption: { kmsKeyId: 'alias/velero-us' },
    immutable: { days: 1 },
  });
  const prodEu = cluster('prod-eu', {
    environment: 'production',
    storage: [euBackups],
    snapshotClasses: [csi({ driver: 'ebs.csi.aws.com' })],
    ...changes.prodEu,
  });
  const drUs = cluster('dr-us', { environment: 'production', storage: [usBackups, euBackups] });
  const production = guardrails('production', {
    maxRpo: '1h',
    minRetention: '30d',
    requireEncryption: true,
    requireImmutableStorage: true,
    snapshotDeletionPolicy: 'Retain',
    ...changes.production,
  });
  const ledger = backupPolicy('ledger', {
    cluster: prodEu,
    namespaces: ['payments'],
    rpo: '1h',
    retention: { hourly: 24, daily: 7, weekly: 4, monthly: 12 },
    ...changes.ledger,
  });
  const ledgerRegionLoss = restorePlan('ledger-region-loss', {
    from: ledger,
    to: drUs,
    scenario: 'region-loss',
    rto: '45m',
    ...changes.ledgerRegionLoss,
  });
  return { euBackups, usBackups, prodEu, drUs, production, ledger, ledgerRegionLoss };
}

/** The declarations of an organisation, as the loader hands them to the resolver. */
export function declarationsOf(o: Org): (Storage | Cluster | Guardrails | BackupPolicy | RestorePlan)[] {
  return [o.euBackups, o.usBackups, o.prodEu, o.drUs, o.production, o.ledger, o.ledgerRegionLoss];
}

/** Treats a deliberately wrong value as the type a builder expects, to test what the resolver does with it. */
export function unchecked<T>(value: unknown): T {
  return value as T;
}

/** The 1-based line of the first line of `file` that contains `marker`. */
export function lineOf(file: string, marker: string): number {
  const index = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(marker));
  if (index < 0) throw new Error(`${marker} not found in ${file}`);
  return index + 1;
}
