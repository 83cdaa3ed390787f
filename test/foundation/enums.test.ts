import { describe, expect, it } from 'vitest';
import { backupPolicy, cluster, restorePlan, s3Storage, sealed } from '../../src/index.ts';
import { resolve } from '../../src/model/resolve.ts';
import { checkModel } from '../../src/rules/index.ts';

/** Values a plain JavaScript policy (or a cast) can pass where TypeScript would refuse them. */
const unchecked = <T>(value: string): T => value as unknown as T;

function organisation(overrides: { volumes?: string; scenario?: string; every?: string; daily?: number } = {}) {
  const eu = s3Storage('eu', { bucket: 'b', region: 'eu-west-1', credentials: sealed('creds') });
  const prod = cluster('prod', { environment: 'production', storage: [eu] });
  const ledger = backupPolicy('ledger', {
    cluster: prod,
    namespaces: ['payments'],
    rpo: '1d',
    retention: { daily: overrides.daily ?? 7 },
    volumes: unchecked(overrides.volumes ?? 'csi-snapshot'),
  });
  const plan = restorePlan('ledger-loss', {
    from: ledger,
    to: prod,
    scenario: unchecked(overrides.scenario ?? 'namespace-loss'),
    rto: '1h',
    drill: { every: unchecked(overrides.every ?? 'week') },
  });
  const { model, diagnostics } = resolve([eu, prod, ledger, plan]);
  return [...diagnostics, ...checkModel(model)].filter((d) => d.code === 'ENUM001' || d.code === 'RET005').map((d) => `${d.code} ${d.declaration}.${d.path}`);
}

describe('ENUM001 and RET005', () => {
  it('GIVEN valid values WHEN checked THEN neither is reported', () => {
    expect(organisation()).toEqual([]);
  });

  it("GIVEN volumes 'snapshot', scenario 'namespace-lost' and drill every 'weekly' WHEN checked THEN ENUM001 names each field", () => {
    expect(organisation({ volumes: 'snapshot', scenario: 'namespace-lost', every: 'weekly' })).toEqual([
      'ENUM001 ledger.volumes',
      'ENUM001 ledger-loss.scenario',
      'ENUM001 ledger-loss.drill.every',
    ]);
  });

  it('GIVEN a billion daily restore points WHEN checked THEN RET005: the TTL exceeds what Velero can parse', () => {
    expect(organisation({ daily: 1_000_000_000 })).toEqual(['RET005 ledger.retention.daily']);
  });
});
