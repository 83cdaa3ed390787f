/**
 * Small builders shared by the Velero backend tests: a storage, a cluster and a policy with
 * defaults, and one function that runs the in-process pipeline (resolve -> rules -> lower -> object
 * rules) the way `compile()` does, without loading files.
 */
import type { Declaration } from '../../src/dsl/declaration.ts';
import {
  type BackupPolicyProps,
  backupPolicy,
  type Cluster,
  type ClusterProps,
  cluster,
  type S3StorageProps,
  type Storage,
  s3Storage,
  sealed,
} from '../../src/dsl/index.ts';
import type { IBackupSpec } from '../../src/k8s/velero/backup-spec.ts';
import type { ISchedule } from '../../src/k8s/velero/schedule.ts';
import { lower } from '../../src/lower/index.ts';
import type { Diagnostic } from '../../src/model/diagnostic.ts';
import { resolve } from '../../src/model/resolve.ts';
import type { Model } from '../../src/model/types.ts';
import type { PlacedObject } from '../../src/output/layout.ts';
import { checkModel } from '../../src/rules/index.ts';
import { checkObjects } from '../../src/rules/objects.ts';

/** Everything the pipeline makes of some declarations. */
export interface Built {
  readonly model: Model;
  /** Resolver diagnostics followed by model-rule diagnostics. */
  readonly diagnostics: readonly Diagnostic[];
  readonly objects: readonly PlacedObject[];
  readonly objectDiagnostics: readonly Diagnostic[];
}

/** Resolves, checks and lowers declarations in process. */
export function build(declarations: readonly Declaration[]): Built {
  const { model, diagnostics } = resolve(declarations);
  const objects = lower(model);
  return {
    model,
    diagnostics: [...diagnostics, ...checkModel(model)],
    objects,
    objectDiagnostics: checkObjects(objects, model),
  };
}

/**
 * Codes of the error diagnostics, leaving out the families a test does not declare: guardrails
 * (GRD) and sealed credentials (SEC, SEAL), which need files under `policies/` that in-process
 * models do not have.
 */
export function errorCodes(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.filter((d) => d.severity === 'error' && !/^(GRD|SEC|SEAL)\d/.test(d.code)).map((d) => d.code);
}

/** An S3 storage with sealed credentials named after it. */
export function storage(name: string, props: Partial<S3StorageProps> = {}): Storage {
  return s3Storage(name, { bucket: `bucket-${name}`, region: 'eu-west-1', credentials: sealed(`${name}-credentials`), ...props });
}

/** A staging cluster writing to the given storages. */
export function clusterWith(name: string, storages: readonly Storage[], props: Partial<ClusterProps> = {}): Cluster {
  return cluster(name, { environment: 'staging', storage: storages, ...props });
}

/** A policy backing up one namespace every hour, kept a week. */
export function policy(name: string, target: Cluster, props: Partial<BackupPolicyProps> = {}) {
  return backupPolicy(name, { cluster: target, namespaces: [name], rpo: '1h', retention: { hourly: 24, daily: 7 }, ...props });
}

/** The lowered objects of one kind, typed by the caller. */
export function ofKind<T>(objects: readonly PlacedObject[], kind: string, cluster?: string): T[] {
  return objects
    .filter((placed) => placed.object.kind === kind && (cluster === undefined || placed.cluster === cluster))
    .map((placed) => placed.object as unknown as T);
}

/** The lowered Schedules. */
export function schedules(objects: readonly PlacedObject[], cluster?: string): ISchedule[] {
  return ofKind<ISchedule>(objects, 'Schedule', cluster);
}

/** The Backup template of the Schedule named `name`. */
export function templateOf(objects: readonly PlacedObject[], name: string): IBackupSpec {
  const found = schedules(objects).find((s) => s.metadata?.name === name);
  if (found === undefined) throw new Error(`no Schedule named ${name}`);
  return found.spec.template;
}
