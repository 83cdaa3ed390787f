/**
 * A small organisation with one cross-region restore plan, built with the public DSL, for the
 * restore-plan tests: every test starts from declarations that raise no restore-plan diagnostic and
 * changes one thing.
 */
import type { Declaration } from '../../src/dsl/declaration.ts';
import {
  type BackupPolicy,
  type BackupPolicyProps,
  backupPolicy,
  type Cluster,
  type ClusterProps,
  cluster,
  type Guardrails,
  type GuardrailsProps,
  guardrails,
  httpCheck,
  postgres,
  type RestorePlan,
  type RestorePlanProps,
  restorePlan,
  type S3StorageProps,
  type Storage,
  s3Storage,
  sealed,
  sqlCheck,
} from '../../src/index.ts';
import type { Diagnostic } from '../../src/model/diagnostic.ts';
import { resolve } from '../../src/model/resolve.ts';
import type { Model } from '../../src/model/types.ts';
import { checkModel } from '../../src/rules/index.ts';

/** The clock of every check: after the example certificates' start, long before their end. */
export const NOW = new Date('2026-12-01T12:00:00Z');

/** The declarations of {@link planOrg}. */
export interface PlanOrg {
  readonly eu: Storage;
  readonly us: Storage;
  readonly prod: Cluster;
  readonly dr: Cluster;
  readonly production: Guardrails;
  readonly ledger: BackupPolicy;
  readonly plan: RestorePlan;
}

/** Props replaced in one declaration of {@link planOrg}. */
export interface PlanOrgChanges {
  readonly eu?: Partial<S3StorageProps>;
  readonly prod?: Partial<ClusterProps>;
  readonly dr?: Partial<ClusterProps>;
  readonly production?: Partial<GuardrailsProps>;
  readonly ledger?: Partial<BackupPolicyProps>;
  readonly plan?: Partial<RestorePlanProps>;
  /** Name of the plan. @default 'ledger-dr' */
  readonly planName?: string;
}

/** The postgres profile of the ledger: step `ledger-db`, its restore hooks and its own check. */
export const ledgerDb = postgres({
  name: 'ledger-db',
  selector: { 'app.kubernetes.io/name': 'ledger-db' },
  container: 'postgres',
  database: 'ledger',
  dumpDir: '/var/lib/postgresql/data/restorable',
});

/**
 * prod (EU bucket, replicated to us-east-1) and dr (US bucket, EU bucket's replica read-only), both with a kubectl image and a
 * sealing-key recovery path; the ledger backed up with the data mover; a region-loss plan into dr
 * with ordered steps and a weekly drill; production guardrails asking for weekly drills.
 */
export function planOrg(changes: PlanOrgChanges = {}): PlanOrg {
  const eu = s3Storage('eu-backups', {
    bucket: 'acme-velero-eu',
    region: 'eu-west-1',
    credentials: sealed('velero-eu-credentials'),
    replication: { bucket: 'acme-velero-eu-replica', region: 'us-east-1', lag: '15m' },
    ...changes.eu,
  });
  const us = s3Storage('us-backups', { bucket: 'acme-velero-us', region: 'us-east-1', credentials: sealed('velero-us-credentials') });
  const images = { kubectl: 'registry.example/kubectl:1.33' };
  const prod = cluster('prod', { environment: 'production', storage: [eu], images, sealingKeyRecovery: 'exported to the vault monthly', ...changes.prod });
  const dr = cluster('dr', { environment: 'production', storage: [us, eu], images, sealingKeyRecovery: 'exported to the vault monthly', ...changes.dr });
  const production = guardrails('production', { drillEvery: 'week', ...changes.production });
  const ledger = backupPolicy('ledger', {
    cluster: prod,
    storage: eu,
    namespaces: ['payments'],
    rpo: '1h',
    retention: { hourly: 24, daily: 7, weekly: 4, monthly: 12 },
    volumes: 'snapshot-data-mover',
    apps: [ledgerDb],
    ...changes.ledger,
  });
  const plan = restorePlan(changes.planName ?? 'ledger-dr', {
    from: ledger,
    to: dr,
    scenario: 'region-loss',
    rto: '45m',
    dataSize: '200Gi',
    secretsRecovery: 'secrets-from-backup',
    order: [
      { name: 'ledger-api', after: ['ledger-db'], selector: { 'app.kubernetes.io/name': 'ledger-api' } },
      { name: 'ledger-db' },
      { name: 'ledger-rest', after: ['ledger-api'] },
    ],
    drill: {
      every: 'week',
      verify: [
        sqlCheck('accounts-present', 'select 1 from accounts limit 1', { app: 'ledger-db' }),
        httpCheck('api-ready', { service: 'ledger-api', port: 8080, path: '/readyz' }),
      ],
    },
    ...changes.plan,
  });
  return { eu, us, prod, dr, production, ledger, plan };
}

/** The declarations of an organisation, as the loader hands them to the resolver. */
export function declarationsOf(o: PlanOrg): Declaration[] {
  return [o.eu, o.us, o.prod, o.dr, o.production, o.ledger, o.plan];
}

/** The resolved model of some declarations, failing loudly on resolution errors. */
export function modelOf(declarations: readonly Declaration[]): Model {
  const { model, diagnostics } = resolve(declarations);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`fixture does not resolve: ${errors.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  return model;
}

/** What the resolver and every rule find, at {@link NOW}. */
export function diagnose(declarations: readonly Declaration[]): Diagnostic[] {
  const { model, diagnostics } = resolve(declarations);
  return [...diagnostics, ...checkModel(model, { now: NOW })];
}

/** `<declaration>.<path>` of every diagnostic with `code`. */
export function sites(diagnostics: readonly Diagnostic[], code: string): string[] {
  return diagnostics.filter((d) => d.code === code).map((d) => `${d.declaration}.${d.path}`);
}

/** Treats a deliberately wrong value as the type a builder expects, as an untyped policy file could. */
export function unchecked<T>(value: unknown): T {
  return value as T;
}
