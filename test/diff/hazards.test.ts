/**
 * Diff classifications that need declarations read together, effective protection rather than
 * declared fields, and a head with errors said at the top of the report.
 */
import { describe, expect, it } from 'vitest';
import { diffModels } from '../../src/diff/compare.ts';
import { reportOf } from '../../src/diff/index.ts';
import { renderMarkdown } from '../../src/diff/markdown.ts';
import type { Change } from '../../src/diff/types.ts';
import { BASE_ORG, type OrgSpec, patch, sideOf } from '../adversarial/org.ts';

const changesTo = (head: OrgSpec, base: OrgSpec = BASE_ORG): Change[] => diffModels(sideOf(base), sideOf(head));
const of = (changes: readonly Change[], kind: string) => changes.filter((c) => c.kind === kind);

describe("item 6: what a change does across declarations", () => {
  it("GIVEN the DR cluster's policy writing into the production cluster's storage WHEN diffed THEN a risk naming both clusters and the fix", () => {
    const [found] = of(changesTo(patch(BASE_ORG, 'policies', 'ledger', { storage: 'prod-backups' })), 'policy.storage-of-another-cluster');

    expect(found).toMatchObject({ class: 'risk', cluster: 'dr', subject: 'policy', name: 'ledger', field: 'storage', after: 'prod-backups', file: 'policies/org.ts' });
    expect(found?.message).toBe(
      "cluster dr now writes its backups to prod-backups, where cluster prod keeps its backups: dr's location turns ReadWrite (and can become its default), so its Velero syncs and its garbage collection deletes there; give dr its own storage or prefix",
    );
  });

  it("GIVEN a cluster's own new storage WHEN diffed THEN no such risk (a new writable default of its own is fine)", () => {
    const own = patch(patch(patch(BASE_ORG, 'storages', 'dr-archive', { bucket: 'acme-dr-archive', region: 'us-east-1' }), 'clusters', 'dr', { storage: ['dr-archive', 'dr-backups', 'prod-backups'] }), 'policies', 'ledger', { storage: 'dr-archive' });

    expect(of(changesTo(own), 'policy.storage-of-another-cluster')).toEqual([]);
  });

  it('GIVEN two storages resolving to one bucket and prefix WHEN diffed THEN a risk naming both and the location', () => {
    const [found] = of(changesTo(patch(BASE_ORG, 'storages', 'dr-backups', { bucket: 'acme-prod-backups', prefix: '/prod/' })), 'storage.same-location');

    expect(found).toMatchObject({ class: 'risk', after: 'aws://acme-prod-backups/prod' });
    expect(found?.message).toContain('storages dr-backups and prod-backups resolve to one bucket and prefix');
  });

  it('GIVEN a restore step reading a policy outside its plan WHEN diffed THEN a risk at the step', () => {
    const head = patch(BASE_ORG, 'plans', 'shop-loss', { order: [{ name: 'restore-shop' }, { name: 'restore-search', from: 'search', after: ['restore-shop'] }] });

    expect(of(changesTo(head), 'plan.step-source')).toMatchObject([
      { class: 'risk', name: 'shop-loss', field: 'steps.restore-search.policy', message: expect.stringContaining("step restore-search restores from a policy that is not one of the plan's sources (shop)") },
    ]);
  });

  it("GIVEN existingResources: 'update' or a mapping onto another policy's namespace WHEN diffed THEN each is a risk", () => {
    expect(of(changesTo(patch(BASE_ORG, 'plans', 'shop-loss', { existingResources: 'update' })), 'plan.existing-resources')).toMatchObject([{ class: 'risk', before: 'skip', after: 'update' }]);
    const [mapped] = of(changesTo(patch(BASE_ORG, 'plans', 'shop-region-loss', { namespaceMapping: { shop: 'ledger' } })), 'plan.overwrites');
    expect(mapped).toMatchObject({ class: 'risk', cluster: 'dr', after: 'ledger' });
    expect(mapped?.message).toContain('namespace ledger on dr, which policy ledger backs up');
  });

  it('GIVEN a policy replaced by an exemption WHEN diffed THEN the exemption is a risk, not a review', () => {
    const head = patch(patch(BASE_ORG, 'policies', 'ledger', null), 'exemptions', 'ledger', { namespace: 'ledger', cluster: 'dr', reason: 'rebuilt', until: '2027-03-31' });

    expect(of(changesTo(head), 'exemption.replaces-policy')).toMatchObject([{ class: 'risk', cluster: 'dr', name: 'ledger', before: ['ledger on dr'] }]);
  });

  it('GIVEN an RTO tightened while its dataSize was removed WHEN diffed THEN a risk; tightened with its estimate kept THEN safe', () => {
    expect(of(changesTo(patch(BASE_ORG, 'plans', 'shop-loss', { rto: '30m', dataSize: undefined })), 'plan.rto')).toMatchObject([{ class: 'risk', message: expect.stringContaining('while its estimate (dataSize) was removed') }]);
    expect(of(changesTo(patch(BASE_ORG, 'plans', 'shop-loss', { rto: '30m' })), 'plan.rto')).toMatchObject([{ class: 'safe' }]);
  });

  it('GIVEN a new skip rule in volumePolicies WHEN diffed THEN a risk; a rule that captures more THEN review', () => {
    const search = BASE_ORG.policies.search as OrgSpec['policies'][string];
    expect(of(changesTo(patch(BASE_ORG, 'policies', 'shop', { volumePolicies: [{ conditions: { storageClass: ['gp3'] }, action: 'skip' }] })), 'policy.volume-policies')).toMatchObject([{ class: 'risk' }]);
    const captureMore = patch(BASE_ORG, 'policies', 'search', { volumePolicies: [{ conditions: { storageClass: ['efs'] }, action: 'fs-backup' }, ...(search.volumePolicies ?? [])] });
    expect(of(changesTo(captureMore), 'policy.volume-policies')).toMatchObject([{ class: 'review' }]);
  });

  it('GIVEN a new restore, backup or view group WHEN diffed THEN review naming the group', () => {
    expect(of(changesTo(patch(BASE_ORG, 'policies', 'shop', { access: { restore: ['group:shop-oncall', 'group:contractors'] } })), 'policy.access')).toMatchObject([
      { class: 'review', field: 'access.restore', message: expect.stringContaining('restore access widened to group:contractors') },
    ]);
  });
});

describe('item 7: effective protection, not the declared field', () => {
  it('GIVEN an RPO declared better while the schedule override keeps the same runs WHEN diffed THEN review saying what the schedules deliver, not safe', () => {
    const base = patch(BASE_ORG, 'policies', 'shop', { rpo: '4h', schedule: '0 */4 * * *' });
    const head = patch(BASE_ORG, 'policies', 'shop', { rpo: '1h', schedule: '0 */4 * * *' });

    const found = of(changesTo(head, base), 'policy.rpo');

    expect(found).toMatchObject([{ class: 'review', before: '4h', after: '1h' }]);
    expect(found[0]?.message).toMatch(/^RPO declared 1h instead of 4h, but the schedules still leave up to 4h between restore points \(was 4h\): protection is not better$/);
  });

  it('GIVEN a tier halved while the oldest restore point stays WHEN rendered THEN the footer names the cut instead of saying nothing restores less', () => {
    const snapshot = (spec: OrgSpec, ref: string) => ({ side: sideOf(spec), info: { ref, commit: 'a'.repeat(40), policies: true }, notes: [] });
    const shop = BASE_ORG.policies.shop as OrgSpec['policies'][string];
    const head = patch(BASE_ORG, 'policies', 'shop', { retention: { ...shop.retention, hourly: 12 } });

    const text = renderMarkdown(reportOf(snapshot(BASE_ORG, 'main'), snapshot(head, 'topic'), new Date('2026-11-25T12:00:00Z')));

    expect(text).toContain('| 🔴 risk | policy **shop** `retention.hourly`');
    expect(text).not.toContain('No policy keeps fewer restore points');
    expect(text).toContain('| prod / shop | hourly | 24 (back 1d 1h) | 🔴 12 (back 13h) |');
    expect(text).toContain('    hourly after 12 points, 13h :crit, a0_0, 2026-11-24 23:00, 2026-11-25 12:00');
    expect(text).toContain('**Fewer restore points:** shop hourly 24 -> 12 (every tier that holds fewer, whether or not the oldest restore point moved).');
  });
});

describe('item 8: a head with errors is said so at the top', () => {
  it('GIVEN a note about errors in the head WHEN rendered THEN it comes right under the title, before the sides and other notes', () => {
    const snapshot = (ref: string, notes: string[]) => ({ side: sideOf(BASE_ORG), info: { ref, commit: 'b'.repeat(40), policies: true }, notes });
    const report = reportOf(snapshot('main', ['base note']), snapshot('topic', ['head topic (bbbbbbbbbbbb): 2 error(s) in the policies (RET002, SEC001); compared what resolved (run restorable validate)']), new Date('2026-11-25T12:00:00Z'));

    const lines = renderMarkdown(report).split('\n');

    expect(lines.slice(0, 5)).toEqual([
      '### restorable diff: no protection changes',
      '',
      '> ❌ **Errors:** head topic (bbbbbbbbbbbb): 2 error(s) in the policies (RET002, SEC001); compared what resolved (run restorable validate)',
      '',
      'Base `main` (bbbbbbbbbbbb), head `topic` (bbbbbbbbbbbb).',
    ]);
  });
});
