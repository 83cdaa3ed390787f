/**
 * RTO estimates from what is known: the declared data size, or without one the requested sizes of
 * the claims an imported inventory lists in the plan's namespaces (validate only, never synth); the
 * file-system restores that volume policies choose; sizes and durations in people's units.
 */
import { describe, expect, it } from 'vitest';
import { INVENTORY_VERSION, type LoadedInventory, type NamespaceInventory } from '../../src/inventory/types.ts';
import { lower } from '../../src/lower/index.ts';
import { checkRestoreEstimates } from '../../src/rules/restore-plans.ts';
import { declarationsOf, diagnose, modelOf, type PlanOrgChanges, planOrg } from './support.ts';

const GI = 1024 ** 3;

function inventory(cluster: string, namespaces: Record<string, number>): LoadedInventory {
  const entries = Object.entries(namespaces).map(([name, bytes]): [string, NamespaceInventory] => [
    name,
    { persistentVolumeClaims: 1, requestedBytes: bytes, storageClasses: ['gp3'], statefulSets: [], claims: { data: { requestedBytes: bytes, storageClass: 'gp3', labels: {} } }, pods: [] },
  ]);
  return { inventory: { version: INVENTORY_VERSION, cluster, namespaces: Object.fromEntries(entries), storageClasses: {} }, file: `policies/inventory/${cluster}.json`, lines: {} };
}

const estimates = (changes: PlanOrgChanges, inventories: LoadedInventory[]) => checkRestoreEstimates(modelOf(declarationsOf(planOrg(changes))), inventories);

describe('RTO estimates from an inventory, for plans without dataSize', () => {
  it("GIVEN no dataSize and 400Gi of claims in the plan's namespace on the source cluster WHEN validated THEN PLAN011 estimates 1h14m against the 45m RTO, naming the inventory", () => {
    const found = estimates({ plan: { dataSize: undefined } }, [inventory('prod', { payments: 400 * GI, other: 900 * GI })]);
    expect(found.map((d) => `${d.code} ${d.severity} ${d.declaration}.${d.path}`)).toEqual(['PLAN011 error ledger-dr.rto']);
    expect(found[0]?.message).toBe(
      'RTO 45m is below the estimated restore time of 1h14m for 400Gi of claims in its namespaces (inventory policies/inventory/prod.json; no dataSize declared) (volumes restored by snapshot-data-mover)',
    );
  });

  it('GIVEN a declared dataSize WHEN validated with an inventory THEN the inventory is not used (the declaration wins)', () => {
    expect(estimates({}, [inventory('prod', { payments: 4000 * GI })])).toEqual([]);
  });

  it("GIVEN an inventory of another cluster only WHEN validated THEN nothing is estimated (the claims are on the policy's cluster)", () => {
    expect(estimates({ plan: { dataSize: undefined } }, [inventory('dr', { payments: 4000 * GI })])).toEqual([]);
  });

  it('GIVEN claims that restore within the RTO WHEN validated THEN there is no finding', () => {
    expect(estimates({ plan: { dataSize: undefined } }, [inventory('prod', { payments: 20 * GI })])).toEqual([]);
  });

  it('GIVEN two inventories that differ WHEN the plan is compiled THEN the output is the same: inventories never reach synth', () => {
    const model = modelOf(declarationsOf(planOrg({ plan: { dataSize: undefined } })));
    const before = JSON.stringify(lower(model).map((p) => p.object));
    expect(checkRestoreEstimates(model, [inventory('prod', { payments: 4000 * GI })])).toHaveLength(1);
    expect(JSON.stringify(lower(model).map((p) => p.object))).toBe(before);
  });
});

describe('per-volume decisions of volume policies in the estimate', () => {
  const csi: PlanOrgChanges = { ledger: { volumes: 'csi-snapshot' }, plan: { to: planOrg().prod, scenario: 'namespace-loss', secretsRecovery: undefined } };

  it('GIVEN CSI snapshots WHEN 200Gi are estimated THEN they restore within a 45m RTO', () => {
    expect(diagnose(declarationsOf(planOrg(csi))).filter((d) => d.code === 'PLAN011')).toEqual([]);
  });

  it('GIVEN CSI snapshots and a volume policy that sends some volumes to fs-backup WHEN 200Gi are estimated THEN file-system speed counts and PLAN011 reports 1h14m', () => {
    const changes: PlanOrgChanges = { ...csi, ledger: { volumes: 'csi-snapshot', volumePolicies: [{ conditions: { storageClass: ['nfs'] }, action: 'fs-backup' }] } };
    const found = diagnose(declarationsOf(planOrg(changes))).filter((d) => d.code === 'PLAN011');
    expect(found.map((d) => d.message)).toEqual(['RTO 45m is below the estimated restore time of 1h14m for 200Gi of data (volumes restored by csi-snapshot, filesystem)']);
  });
});
