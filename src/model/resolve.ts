import { Cluster } from '../dsl/cluster.ts';
import { Exemption } from '../dsl/exempt.ts';
import type { AppProfile } from '../dsl/apps/profile.ts';
import type { CsiSnapshotClass } from '../dsl/csi.ts';
import { type Declaration, isDeclaration } from '../dsl/declaration.ts';
import { Guardrails } from '../dsl/guardrails.ts';
import { BackupPolicy } from '../dsl/policy.ts';
import { PreSyncBackup } from '../dsl/pre-sync-backup.ts';
import { RestorePlan } from '../dsl/restore-plan.ts';
import { TIERS, type Tier } from '../dsl/retention.ts';
import type { SealedRef } from '../dsl/sealed.ts';
import { Storage } from '../dsl/storage.ts';
import { cronError, isTimeZone, timeZoneSpelling } from './cron.ts';
import type { Diagnostic } from './diagnostic.ts';
import { type Duration, parseDuration } from './duration.ts';
import { resolveRestorePlan } from './restore-plan.ts';
import { expandTiers } from './tiers.ts';
import { nonFiniteNumbers } from './values.ts';
import type {
  ClusterModel,
  EncryptionModel,
  GuardrailsModel,
  Model,
  PolicyModel,
  PreSyncBackupModel,
  SealedRefModel,
  StorageModel,
} from './types.ts';

/** The resolver's result: a model of everything that resolved, and what did not. */
export interface Resolution {
  readonly model: Model;
  readonly diagnostics: readonly Diagnostic[];
}

const byName = <T extends { readonly name: string }>(a: T, b: T): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/**
 * Resolves declarations into the model: references become names, defaults are applied, durations
 * parsed and tier schedules computed. Never throws on user input: what cannot be resolved becomes a
 * diagnostic, and the rest of the model is still built so every mistake is reported in one run.
 */
export function resolve(declarations: readonly Declaration[]): Resolution {
  const diagnostics: Diagnostic[] = [];
  const unique = dedupeByName(declarations, diagnostics).map(readable);
  const of = <T>(type: abstract new (...args: never[]) => T) => unique.filter((d): d is Declaration & T => d instanceof type);

  const storages = of(Storage).map((s) => resolveStorage(s, diagnostics));
  const clusters = of(Cluster).map((c) => resolveCluster(c, diagnostics));
  const clusterByName = new Map(clusters.map((c) => [c.name, c]));
  const policies = of(BackupPolicy).map((p) => resolvePolicy(p, clusterByName, diagnostics));
  // Plans read the policies' app profiles; one that is not what a profile builder makes is APP004's, not theirs.
  const policyByName = new Map(policies.map((p) => [p.name, { ...p, apps: p.apps.filter(isProfile) }]));
  const restorePlans = of(RestorePlan).map((plan) =>
    resolveRestorePlan(
      plan,
      policyByName,
      (path, d) => at(plan, path, d),
      (path, value) => (path === 'rto' && value === undefined ? missingRto(plan, diagnostics) : duration(plan, path, value, diagnostics)),
      diagnostics,
    ),
  );
  const guardrails = of(Guardrails).map((g) => resolveGuardrails(g, diagnostics));
  const preSyncBackups = of(PreSyncBackup).flatMap((b) => resolvePreSyncBackup(b, diagnostics));
  const exemptions = of(Exemption).map((e) => ({
    namespace: e.name,
    cluster: e.props.cluster,
    reason: e.props.reason,
    until: e.props.until,
    source: e.source,
  }));
  for (const declaration of unique) reportNonFiniteNumbers(declaration, diagnostics);
  return {
    model: {
      clusters: clusters.sort(byName),
      storages: storages.sort(byName),
      policies: policies.sort(byName),
      restorePlans: restorePlans.sort(byName),
      guardrails: guardrails.sort((a, b) => byName({ name: a.environment }, { name: b.environment })),
      preSyncBackups: preSyncBackups.sort((a, b) => byName({ name: a.policy }, { name: b.policy })),
      exemptions: exemptions.sort((a, b) => byName({ name: `${a.namespace}/${a.cluster ?? ''}` }, { name: `${b.namespace}/${b.cluster ?? ''}` })),
      sealedSecrets: [],
      certificates: [],
    },
    diagnostics,
  };
}

/**
 * Keeps the first declaration of each kind and name, first by where it is written (file, line,
 * column), so which one DUP001 reports never depends on the order the policy files were loaded in.
 */
function dedupeByName(declarations: readonly Declaration[], diagnostics: Diagnostic[]): Declaration[] {
  const seen = new Map<string, Declaration>();
  const kept: Declaration[] = [];
  for (const declaration of [...declarations].sort(bySource)) {
    const key = `${declaration.kind}/${String(declaration.name)}`;
    const first = seen.get(key);
    if (first) {
      const where = first.source ? ` (first declared at ${first.source.file}:${first.source.line})` : '';
      diagnostics.push(
        at(declaration, 'name', {
          code: 'DUP001',
          message: `two ${declaration.kind} declarations are named "${String(declaration.name)}"${where}`,
          hint: 'give each declaration a unique name; generated object and file names derive from it',
        }),
      );
      continue;
    }
    seen.set(key, declaration);
    kept.push(declaration);
  }
  return kept;
}

/**
 * A snapshot class's parameters: a VolumeSnapshotClass holds strings only (`iops: '3000'`), and the
 * API server refuses the class otherwise (TYPE001 for each other value, which is left out).
 */
function snapshotParameters(cluster: Cluster, index: number, parameters: unknown, diagnostics: Diagnostic[]): Record<string, string> {
  if (parameters === undefined || parameters === null) return {};
  const path = `snapshotClasses[${index}].parameters`;
  const hint = "quote every value, e.g. parameters: { iops: '3000' }";
  if (!isRecord(parameters)) {
    diagnostics.push(at(cluster, path, { code: 'TYPE001', message: `expected a map of strings, got ${describe(parameters)}`, hint }));
    return {};
  }
  const strings: Record<string, string> = {};
  for (const [key, value] of Object.entries(parameters)) {
    if (typeof value === 'string') strings[key] = value;
    else diagnostics.push(at(cluster, `${path}.${key}`, { code: 'TYPE001', message: `expected a string, got ${typeof value === 'number' ? String(value) : describe(value)}`, hint }));
  }
  return strings;
}

/**
 * TYPE001 for every NaN or Infinity in a declaration's props that no other error already reports at
 * its field or around it (RET002 for a retention count, say): written into a manifest, it would stop
 * synth with an internal error instead of a diagnostic.
 */
function reportNonFiniteNumbers(declaration: Declaration, diagnostics: Diagnostic[]): void {
  const name = String(declaration.name);
  const reported = diagnostics
    .filter((d) => d.severity === 'error' && d.declaration === name && d.source === declaration.source && d.path !== undefined)
    .map((d) => d.path as string);
  const related = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
  for (const { path, value } of nonFiniteNumbers(declaration.props, isDeclaration)) {
    if (reported.some((r) => related(path, r) || related(r, path))) continue;
    diagnostics.push(
      at(declaration, path, {
        code: 'TYPE001',
        message: `expected a value a manifest can hold, got ${value}`,
        hint: 'write a string or a whole number here (NaN and Infinity come from arithmetic on a missing or non-numeric value)',
      }),
    );
  }
}

/** Declarations in source order; those without a known source keep their order, after the others. */
function bySource(a: Declaration, b: Declaration): number {
  if (!a.source || !b.source) return (a.source ? 0 : 1) - (b.source ? 0 : 1);
  const file = a.source.file < b.source.file ? -1 : a.source.file > b.source.file ? 1 : 0;
  return file || a.source.line - b.source.line || a.source.column - b.source.column;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An application profile as the builders make it (hand-made objects are reported by APP004). */
function isProfile(app: unknown): app is AppProfile {
  return (
    isRecord(app) &&
    app.type === 'app' &&
    typeof app.name === 'string' &&
    Array.isArray(app.verify) &&
    Array.isArray(app.restore) &&
    app.restore.every((hook) => isRecord(hook) && Array.isArray(hook.command))
  );
}

/**
 * The declaration as the resolver reads it: props that are not an object (a builder called without
 * them, from plain JavaScript) become `{}`, so every field is reported as missing instead of crashing.
 */
function readable<D extends Declaration>(declaration: D): D {
  if (isRecord(declaration.props)) return declaration;
  return Object.assign(Object.create(Object.getPrototypeOf(declaration) as object) as D, declaration, { props: {} });
}

/**
 * A list field as written: a copy of the list, nothing when absent, and a single value (one
 * namespace written as a string) as a list of that value, never spread into its characters.
 */
function listOf<T>(value: readonly T[] | T | undefined): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}

/** A diagnostic about one field of one declaration. */
function at(declaration: Declaration, path: string, d: Omit<Diagnostic, 'severity'> & { severity?: Diagnostic['severity'] }): Diagnostic {
  return { severity: 'error', declaration: String(declaration.name), path, source: declaration.source, ...d };
}

function duration(declaration: Declaration, path: string, value: unknown, diagnostics: Diagnostic[]): Duration | undefined {
  if (value === undefined) return undefined;
  const parsed = parseDuration(value);
  if (!parsed) {
    diagnostics.push(
      at(declaration, path, {
        code: 'DUR001',
        message: `expected a duration such as '15m', '1h', '7d' or '2w', got ${JSON.stringify(value)}`,
        hint: 'write a whole number above zero followed by one unit: s, m, h, d or w',
      }),
    );
  }
  return parsed;
}

/** DUR001 for a restore plan without an RTO: every runner and drill job is bounded by it. */
function missingRto(plan: RestorePlan, diagnostics: Diagnostic[]): undefined {
  diagnostics.push(
    at(plan, 'rto', {
      code: 'DUR001',
      message: "expected a duration such as '1h', got none",
      hint: 'give the plan its recovery time objective, e.g. rto: \'4h\'',
    }),
  );
  return undefined;
}

function sealedRef(ref: SealedRef | undefined): SealedRefModel | undefined {
  return ref ? { name: ref.sealedSecret, key: ref.key } : undefined;
}

function resolveStorage(storage: Storage, diagnostics: Diagnostic[]): StorageModel {
  const p = storage.props;
  const config: Record<string, string> = {};
  let bucket: string;
  let encryption: EncryptionModel | undefined;
  switch (p.provider) {
    case 'aws':
      bucket = p.bucket;
      config.region = p.region;
      if (p.endpoint) config.s3Url = p.endpoint;
      if (p.forcePathStyle) config.s3ForcePathStyle = 'true';
      if (p.encryption) encryption = { provider: 'aws', kmsKeyId: p.encryption.kmsKeyId };
      break;
    case 'gcp':
      bucket = p.bucket;
      if (p.encryption) encryption = { provider: 'gcp', kmsKeyName: p.encryption.kmsKeyName };
      break;
    case 'azure':
      bucket = p.container;
      config.resourceGroup = p.resourceGroup;
      config.storageAccount = p.storageAccount;
      if (p.subscriptionId) config.subscriptionId = p.subscriptionId;
      if (p.encryption) encryption = { provider: 'azure', keyVaultKeyUri: p.encryption.keyVaultKeyUri };
      break;
    default:
      diagnostics.push(
        at(storage, 'provider', {
          code: 'STO001',
          message: `unknown storage provider ${JSON.stringify((p as { provider?: unknown }).provider)}`,
          hint: 'declare storage with s3Storage, gcsStorage or azureStorage',
        }),
      );
      bucket = '';
  }
  if (!p.credentials || typeof p.credentials.sealedSecret !== 'string' || typeof p.credentials.key !== 'string') {
    diagnostics.push(
      at(storage, 'credentials', {
        code: 'STO002',
        message: 'expected sealed credentials, got none',
        hint: "seal the provider credentials with `restorable seal --write` and reference them with sealed('<name>')",
      }),
    );
  }
  return {
    name: storage.name,
    provider: p.provider,
    bucket,
    prefix: p.prefix,
    config,
    credentials: sealedRef(p.credentials) ?? { name: '', key: '' },
    encryption,
    immutableDays: p.immutable?.days,
    source: storage.source,
  };
}

function resolveCluster(cluster: Cluster, diagnostics: Diagnostic[]): ClusterModel {
  const p = cluster.props;
  const storage = listOf(p.storage).filter((s, index): s is Storage => {
    if (s instanceof Storage) return true;
    diagnostics.push(
      at(cluster, `storage[${index}]`, {
        code: 'REF002',
        message: `expected a storage declaration, got ${describe(s)}`,
        hint: 'list values made by s3Storage, gcsStorage or azureStorage (check the import)',
      }),
    );
    return false;
  });
  const listed = new Set<string>();
  storage.forEach((s, index) => {
    if (listed.has(s.name)) {
      diagnostics.push(
        at(cluster, `storage[${index}]`, {
          code: 'REF006',
          message: `storage "${s.name}" is listed twice`,
          hint: 'list each storage once',
        }),
      );
    }
    listed.add(s.name);
  });
  const snapshotClasses = listOf(p.snapshotClasses).map((declared, index) => {
    // A class without a driver gets the name "velero-", which NAME001 reports, rather than a crash.
    const c: Partial<CsiSnapshotClass> = isRecord(declared) ? declared : {};
    const driver = typeof c.driver === 'string' ? c.driver : '';
    return { name: c.name ?? `velero-${driver.replaceAll('.', '-')}`, driver, deletionPolicy: c.deletionPolicy ?? 'Retain', parameters: snapshotParameters(cluster, index, c.parameters, diagnostics) };
  });
  const drivers = new Set<string>();
  const classNames = new Set<string>();
  snapshotClasses.forEach((c, index) => {
    if (drivers.has(c.driver) || classNames.has(c.name)) {
      diagnostics.push(
        at(cluster, `snapshotClasses[${index}]`, {
          code: 'VEL007',
          message: `a second snapshot class for driver ${c.driver} (or named ${c.name}); Velero picks one labelled class per driver`,
          hint: 'declare one csi() class per CSI driver',
        }),
      );
    }
    drivers.add(c.driver);
    classNames.add(c.name);
  });
  return {
    name: cluster.name,
    environment: p.environment,
    region: p.region,
    veleroNamespace: p.veleroNamespace ?? 'velero',
    storage: [...listed],
    snapshotClasses: snapshotClasses.filter((c, index) => snapshotClasses.findIndex((o) => o.driver === c.driver || o.name === c.name) === index),
    sealingCertificates: listOf(p.sealingCertificates),
    sealingKeyRecovery: p.sealingKeyRecovery,
    repositoryPassword: sealedRef(p.repositoryPassword),
    viewers: listOf(p.viewers),
    // An image that is not a string is no image: IMG001 asks for one where a job needs it.
    images: typeof p.images?.kubectl === 'string' ? { kubectl: p.images.kubectl } : {},
    monitoring: p.monitoring ?? 'none',
    argocd: p.argocd
      ? { repoURL: p.argocd.repoURL, targetRevision: p.argocd.targetRevision ?? 'main', namespace: p.argocd.namespace ?? 'argocd' }
      : undefined,
    source: cluster.source,
  };
}

function resolvePolicy(
  policy: BackupPolicy,
  clusters: ReadonlyMap<string, ClusterModel>,
  diagnostics: Diagnostic[],
): PolicyModel {
  const p = policy.props;
  let clusterName = '';
  if (p.cluster instanceof Cluster) clusterName = p.cluster.name;
  else
    diagnostics.push(
      at(policy, 'cluster', {
        code: 'REF001',
        message: `expected a cluster declaration, got ${describe(p.cluster)}`,
        hint: 'pass a value made by cluster(), imported from the platform team\'s clusters file',
      }),
    );
  const cluster = clusters.get(clusterName);
  let storageName = cluster?.storage[0] ?? '';
  if (p.storage !== undefined) {
    if (p.storage instanceof Storage) storageName = p.storage.name;
    else
      diagnostics.push(
        at(policy, 'storage', {
          code: 'REF002',
          message: `expected a storage declaration, got ${describe(p.storage)}`,
          hint: 'pass a value made by s3Storage, gcsStorage or azureStorage',
        }),
      );
  }
  if (cluster && storageName && !cluster.storage.includes(storageName)) {
    diagnostics.push(
      at(policy, 'storage', {
        code: 'REF003',
        message: `storage "${storageName}" is not listed in cluster "${cluster.name}"`,
        hint: `add it to the storage of cluster "${cluster.name}", or choose one of: ${cluster.storage.join(', ') || '(none declared)'}`,
      }),
    );
  } else if (cluster && !storageName) {
    diagnostics.push(
      at(policy, 'storage', {
        code: 'REF003',
        message: `cluster "${cluster.name}" declares no storage to write backups to`,
        hint: 'list at least one storage in the cluster declaration',
      }),
    );
  }

  const rpo = duration(policy, 'rpo', p.rpo, diagnostics);
  if (p.rpo === undefined) {
    diagnostics.push(
      at(policy, 'rpo', { code: 'DUR002', message: 'expected an RPO, got none', hint: "add rpo: '1h' (or what the data needs)" }),
    );
  }
  const retention = readRetention(policy, diagnostics);
  const timeZone = p.timeZone;
  if (timeZone !== undefined && (typeof timeZone !== 'string' || !isTimeZone(timeZone))) {
    const spelling = typeof timeZone === 'string' ? timeZoneSpelling(timeZone) : undefined;
    diagnostics.push(
      at(policy, 'timeZone', {
        code: 'CRON002',
        message: spelling
          ? `unknown time zone ${JSON.stringify(timeZone)}: Velero looks zones up by their exact name (Go's time.LoadLocation)`
          : `unknown time zone ${JSON.stringify(timeZone)}`,
        hint: spelling ? `write '${spelling}'` : "use an IANA zone name such as 'Europe/Berlin' or 'America/New_York'",
      }),
    );
  }
  const overrideError =
    p.schedule === undefined ? undefined : typeof p.schedule === 'string' ? cronError(p.schedule) : 'expected a cron expression such as \'30 2 * * *\'';
  if (overrideError) {
    diagnostics.push(
      at(policy, 'schedule', {
        code: 'CRON001',
        message: `invalid cron expression ${JSON.stringify(p.schedule)}: ${overrideError}`,
        hint: "write five fields, e.g. '30 2 * * *' (02:30 every day)",
      }),
    );
  }
  const schedulable = rpo && retention.valid && !overrideError && (timeZone === undefined || (typeof timeZone === 'string' && isTimeZone(timeZone)));
  return {
    name: policy.name,
    cluster: clusterName,
    storage: storageName,
    namespaces: listOf(p.namespaces),
    selector: p.selector,
    includedResources: listOf(p.includedResources),
    excludedResources: listOf(p.excludedResources),
    rpo: rpo ?? { text: String(p.rpo), seconds: Number.NaN },
    retention: retention.counts,
    volumes: p.volumes ?? 'csi-snapshot',
    apps: listOf(p.apps),
    volumePolicies: listOf(p.volumePolicies),
    access: { view: listOf(p.access?.view), restore: listOf(p.access?.restore), backup: listOf(p.access?.backup) },
    timeZone,
    scheduleOverride: typeof p.schedule === 'string' ? p.schedule : undefined,
    schedules: schedulable
      ? expandTiers({
          policy: policy.name,
          rpoSeconds: rpo.seconds,
          retention: retention.counts,
          timeZone,
          scheduleOverride: p.schedule,
        })
      : [],
    source: policy.source,
  };
}

function readRetention(policy: BackupPolicy, diagnostics: Diagnostic[]) {
  const declared: Record<string, unknown> = isRecord(policy.props.retention) ? { ...policy.props.retention } : {};
  const counts: Partial<Record<Tier, number>> = {};
  let valid = true;
  for (const key of Object.keys(declared).sort()) {
    if (!(TIERS as readonly string[]).includes(key)) {
      valid = false;
      diagnostics.push(
        at(policy, `retention.${key}`, {
          code: 'RET004',
          message: `unknown retention tier "${key}"`,
          hint: `use ${TIERS.join(', ')}`,
        }),
      );
    }
  }
  for (const tier of TIERS) {
    const value = declared[tier];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      valid = false;
      diagnostics.push(
        at(policy, `retention.${tier}`, {
          code: 'RET002',
          message: `expected a whole number >= 0, got ${JSON.stringify(value)}`,
          hint: `the count of ${tier} restore points to keep, e.g. ${tier}: ${DEFAULT_COUNT[tier]}`,
        }),
      );
      continue;
    }
    counts[tier] = value;
  }
  if (valid && !TIERS.some((tier) => (counts[tier] ?? 0) > 0)) {
    valid = false;
    diagnostics.push(
      at(policy, 'retention', {
        code: 'RET003',
        message: 'keeps no restore points: every tier count is zero or missing',
        hint: 'set at least one tier, e.g. retention: { daily: 7 }',
      }),
    );
  }
  return { counts, valid };
}

const DEFAULT_COUNT: Readonly<Record<Tier, number>> = { hourly: 24, daily: 7, weekly: 4, monthly: 12, yearly: 7 };

function resolveGuardrails(g: Guardrails, diagnostics: Diagnostic[]): GuardrailsModel {
  const p = g.props;
  return {
    environment: g.name,
    maxRpo: duration(g, 'maxRpo', p.maxRpo, diagnostics),
    minRetention: duration(g, 'minRetention', p.minRetention, diagnostics),
    requireEncryption: p.requireEncryption ?? false,
    requireImmutableStorage: p.requireImmutableStorage ?? false,
    snapshotDeletionPolicy: p.snapshotDeletionPolicy,
    drillEvery: p.drillEvery,
    requireImageDigests: p.requireImageDigests ?? false,
    source: g.source,
  };
}

function resolvePreSyncBackup(backup: PreSyncBackup, diagnostics: Diagnostic[]): PreSyncBackupModel[] {
  const { policy, namespace, timeout } = backup.props;
  if (!(policy instanceof BackupPolicy)) {
    diagnostics.push(
      at(backup, 'policy', {
        code: 'REF004',
        message: `expected a backup policy, got ${describe(policy)}`,
        hint: 'pass a value made by backupPolicy()',
      }),
    );
    return [];
  }
  const target = namespace ?? policy.props.namespaces?.[0];
  if (!target) {
    diagnostics.push(
      at(backup, 'namespace', {
        code: 'REF005',
        message: 'the policy selects no namespace, so the hook Job has none to run in',
        hint: "set namespace: '<the application namespace>'",
      }),
    );
    return [];
  }
  const parsed = duration(backup, 'timeout', timeout ?? '30m', diagnostics);
  return parsed ? [{ policy: policy.name, namespace: target, timeout: parsed, source: backup.source }] : [];
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined (an import that is not exported, or a circular import?)';
  if (value === null) return 'null';
  if (typeof value === 'object') {
    const kind = (value as { kind?: unknown }).kind;
    return typeof kind === 'string' ? `a ${kind} declaration` : 'an object';
  }
  return JSON.stringify(value);
}
