/** Resolves a backup policy: its cluster and storage, RPO, retention, time zone and tier schedules. */
import { Cluster } from '../../dsl/cluster.ts';
import type { BackupPolicy } from '../../dsl/policy.ts';
import { TIERS, type Tier } from '../../dsl/retention.ts';
import { Storage } from '../../dsl/storage.ts';
import { cronError, isTimeZone, timeZoneSpelling } from '../cron.ts';
import type { Diagnostic } from '../diagnostic.ts';
import { parseQuantity } from '../quantity.ts';
import { expandTiers } from '../tiers.ts';
import type { ClusterModel, PolicyModel } from '../types.ts';
import { at, describe, duration, isRecord, listOf } from './fields.ts';

/**
 * A backup policy as the model holds it: references become names, the storage defaults to the
 * cluster's first, and the tier schedules are computed only when everything they depend on (RPO,
 * retention, time zone, a schedule override) is valid, so one mistake is reported once.
 */
export function resolvePolicy(policy: BackupPolicy, clusters: ReadonlyMap<string, ClusterModel>, diagnostics: Diagnostic[]): PolicyModel {
  const p = policy.props;
  let clusterName = '';
  if (p.cluster instanceof Cluster) clusterName = p.cluster.name;
  else
    diagnostics.push(
      at(policy, 'cluster', {
        code: 'REF001',
        message: `expected a cluster declaration, got ${describe(p.cluster)}`,
        hint: "pass a value made by cluster(), imported from the platform team's clusters file",
      }),
    );
  const cluster = clusters.get(clusterName);
  let storageName = cluster?.defaultStorage ?? cluster?.storage[0] ?? '';
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
    diagnostics.push(at(policy, 'rpo', { code: 'DUR002', message: 'expected an RPO, got none', hint: "add rpo: '1h' (or what the data needs)" }));
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
    p.schedule === undefined ? undefined : typeof p.schedule === 'string' ? cronError(p.schedule) : "expected a cron expression such as '30 2 * * *'";
  if (overrideError) {
    diagnostics.push(
      at(policy, 'schedule', {
        code: 'CRON001',
        message: `invalid cron expression ${JSON.stringify(p.schedule)}: ${overrideError}`,
        hint: "write five fields, e.g. '30 2 * * *' (02:30 every day)",
      }),
    );
  }
  const dataSizeBytes = p.dataSize === undefined ? undefined : parseQuantity(p.dataSize);
  if (p.dataSize !== undefined && dataSizeBytes === undefined) {
    diagnostics.push(at(policy, 'dataSize', { code: 'VOL002', message: `expected a quantity such as '200Gi', got ${JSON.stringify(p.dataSize)}`, hint: 'write the volume data as a Kubernetes quantity: 500Mi, 200Gi, 1.5Ti' }));
  }
  const parallelism = p.uploaderParallelism;
  const parallelismValid = parallelism === undefined || (Number.isInteger(parallelism) && parallelism >= 1 && parallelism <= 1024);
  if (!parallelismValid) {
    diagnostics.push(at(policy, 'uploaderParallelism', { code: 'VOL003', message: `expected a whole number from 1 to 1024, got ${JSON.stringify(parallelism)}`, hint: 'set uploaderParallelism: 8, or leave it out for Velero\'s default (the number of CPUs)' }));
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
    dataSizeBytes,
    uploaderParallelism: parallelismValid ? parallelism : undefined,
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

/** The retention counts per tier; RET004 for an unknown tier, RET002 for a bad count, RET003 for none kept. */
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

/** The counts RET002's hint suggests, one typical value per tier. */
const DEFAULT_COUNT: Readonly<Record<Tier, number>> = { hourly: 24, daily: 7, weekly: 4, monthly: 12, yearly: 7 };
