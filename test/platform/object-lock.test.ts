/**
 * Object lock and versioning of storage: a lock shorter than the longest TTL written to the storage
 * (STO009), a versioned bucket without noncurrent-version expiry (STO010), and the guardrail's
 * least lock period (GRD004 with `minImmutableDays`, GRD012 for a value that is not whole days).
 */
import { describe, expect, it } from 'vitest';
import { gcsStorage, guardrails, sealed } from '../../src/dsl/index.ts';
import type { S3StorageProps } from '../../src/dsl/index.ts';
import { build, clusterWith, policy, storage } from '../velero/support.ts';

/** One cluster writing a policy kept 24 hourly, 7 daily and 4 weekly restore points (longest TTL: 4 weeks and an hour, 673h) to `eu`. */
function org(props: Partial<S3StorageProps>, rails?: Parameters<typeof guardrails>[1]) {
  const eu = storage('eu', props);
  const prod = clusterWith('prod', [eu], { environment: 'production' });
  const ledger = policy('ledger', prod, { storage: eu, retention: { hourly: 24, daily: 7, weekly: 4 } });
  return build([eu, prod, ledger, ...(rails ? [guardrails('production', rails)] : [])]);
}

const findings = (built: ReturnType<typeof org>, ...codes: string[]) =>
  built.diagnostics.filter((d) => codes.includes(d.code)).map((d) => `${d.severity} ${d.code} ${d.declaration}.${d.path}`);

describe('object lock and versioning of storage', () => {
  it('GIVEN a lock of 28 days on a storage whose weekly backups live 673h WHEN checked THEN STO009 warns at immutable.days with the days to lock for', () => {
    const built = org({ immutable: { days: 28 }, versioning: { noncurrentExpiryDays: 7 } });
    expect(findings(built, 'STO009', 'STO010')).toEqual(['warning STO009 eu.immutable.days']);
    const d = built.diagnostics.find((x) => x.code === 'STO009');
    expect(d?.message).toBe('object lock of 28 days ends before the backups written here do: policy "ledger" keeps its weekly backups for 673h, and after 28 days anyone holding the credentials can delete them');
    expect(d?.hint).toContain('lock for at least 29 days (immutable: { days: 29 })');
  });

  it('GIVEN a lock of 29 days, covering the longest TTL, and a noncurrent-version expiry WHEN checked THEN neither STO009 nor STO010', () => {
    expect(findings(org({ immutable: { days: 29 }, versioning: { noncurrentExpiryDays: 7 } }), 'STO009', 'STO010')).toEqual([]);
  });

  it('GIVEN S3 object lock without versioning declared WHEN checked THEN STO010 warns: the lock needs a versioned bucket that keeps what Velero deletes', () => {
    const built = org({ immutable: { days: 30 } });
    expect(findings(built, 'STO009', 'STO010')).toEqual(['warning STO010 eu.versioning.noncurrentExpiryDays']);
    expect(built.diagnostics.find((d) => d.code === 'STO010')?.message).toMatch(/^object lock needs a versioned bucket, which keeps every backup Velero deletes as a noncurrent version/);
  });

  it('GIVEN versioning declared without noncurrentExpiryDays (GCS too) WHEN checked THEN STO010; GIVEN a GCS bucket without versioning THEN nothing', () => {
    expect(findings(org({ versioning: {} }), 'STO010')).toEqual(['warning STO010 eu.versioning.noncurrentExpiryDays']);
    const versioned = gcsStorage('gcs', { bucket: 'b', credentials: sealed('gcs-credentials'), versioning: {} });
    const plain = gcsStorage('plain', { bucket: 'c', credentials: sealed('plain-credentials'), immutable: { days: 1 } });
    expect(build([versioned, plain, clusterWith('a', [versioned, plain])]).diagnostics.filter((d) => d.code === 'STO010').map((d) => d.declaration)).toEqual(['gcs']);
  });

  it('GIVEN noncurrentExpiryDays that is not whole days above zero WHEN resolved THEN STO010 is an error at the field', () => {
    for (const days of [0, 1.5, '7' as unknown as number]) {
      const built = org({ immutable: { days: 30 }, versioning: { noncurrentExpiryDays: days } });
      expect(findings(built, 'STO010').filter((f) => f.startsWith('error')), String(days)).toEqual(['error STO010 eu.versioning.noncurrentExpiryDays']);
    }
  });

  it('GIVEN guardrails requiring 30 days of object lock and storage locked for 7 WHEN checked THEN GRD004 names the storage, the days found and the days required', () => {
    const built = org({ immutable: { days: 7 }, versioning: { noncurrentExpiryDays: 7 } }, { minImmutableDays: 30 });
    expect(findings(built, 'GRD004')).toEqual(['error GRD004 eu.immutable.days']);
    const d = built.diagnostics.find((x) => x.code === 'GRD004');
    expect(d?.message).toBe('storage "eu" (written by policy "ledger") locks objects for 7 days; production requires at least 30');
    expect(d?.hint).toContain("declare immutable: { days: 30 } (or more: the longest TTL written there, STO009) (guardrails 'production')");
    expect(findings(org({ immutable: { days: 30 }, versioning: { noncurrentExpiryDays: 7 } }, { minImmutableDays: 30 }), 'GRD004')).toEqual([]);
  });

  it('GIVEN minImmutableDays that is not whole days above zero WHEN resolved THEN GRD012 at the field', () => {
    const built = org({ immutable: { days: 30 } }, { minImmutableDays: 2.5 });
    expect(findings(built, 'GRD012')).toEqual(['error GRD012 production.minImmutableDays']);
    expect(built.diagnostics.find((d) => d.code === 'GRD012')?.message).toBe('expected a whole number of days above zero, got 2.5');
  });
});
