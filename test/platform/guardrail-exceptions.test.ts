import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../src/cli/report-formats.ts';
import { diffModels } from '../../src/diff/compare.ts';
import type { Side } from '../../src/diff/side.ts';
import { type Declaration, type GuardrailExceptionProps, guardrailException, type WaivableGuardrail } from '../../src/index.ts';
import type { Diagnostic } from '../../src/model/diagnostic.ts';
import { resolve } from '../../src/model/resolve.ts';
import { checkModel } from '../../src/rules/index.ts';
import { declarationsOf, type Org, type OrgChanges, org } from '../foundation/fixtures.ts';
import { relativeToRepo, runCli } from '../support/run-cli.ts';
import { makeTempProject, repoRoot } from '../support/temp.ts';

const NOW = new Date('2026-12-06T10:00:00Z');

/** The fixture organisation (production guardrails, a region-loss plan of ledger) with extra declarations. */
function check(changes: OrgChanges = {}, extra: (o: Org) => Declaration[] = () => [], now = NOW) {
  const o = org(changes);
  const { model, diagnostics } = resolve([...declarationsOf(o), ...extra(o)]);
  return { model, diagnostics: [...diagnostics, ...checkModel(model, { now })] };
}
const grd = (diagnostics: readonly Diagnostic[]) => diagnostics.filter((d) => /^GRD(00[79]|01\d)$/.test(d.code)).map((d) => `${d.severity} ${d.code} ${d.declaration}.${d.path}`);
const except = (guardrail: WaivableGuardrail, props: Partial<GuardrailExceptionProps> = {}) => (o: Org) => [
  guardrailException(o.ledger, { guardrail, reason: 'stateless: redeployed from Git, nothing to restore', until: '2027-06-30', ...props }),
];

describe('GRD009: a production policy with no restore plan', () => {
  it('GIVEN a production policy no plan restores WHEN checked THEN a warning by default, an error when guardrails require plans, nothing when they turn it off', () => {
    const noPlan = (o: Org) => declarationsOf(o).filter((d) => d !== o.ledgerRegionLoss);
    const run = (production: OrgChanges['production']) => {
      const o = org({ production });
      const { model } = resolve(noPlan(o));
      return grd(checkModel(model, { now: NOW })).filter((line) => line.includes('GRD009'));
    };

    expect(run({})).toEqual(['warning GRD009 ledger.restorePlans']);
    expect(run({ requireRestorePlan: true })).toEqual(['error GRD009 ledger.restorePlans']);
    expect(run({ requireRestorePlan: false })).toEqual([]);
  });

  it('GIVEN a restore plan of the policy WHEN checked THEN no GRD009; on a staging cluster none either', () => {
    expect(grd(check().diagnostics).filter((l) => l.includes('GRD009'))).toEqual([]);
    const o = org({ prodEu: { environment: 'staging' } });
    const { model } = resolve(declarationsOf(o).filter((d) => d !== o.ledgerRegionLoss));
    expect(grd(checkModel(model, { now: NOW })).filter((l) => l.includes('GRD009'))).toEqual([]);
  });
});

describe('guardrail exceptions: per policy, reasoned, dated', () => {
  it('GIVEN production requires weekly drills and ledger is not drilled WHEN checked THEN GRD007; WHEN excepted until a later date THEN waived, and nothing else reported', () => {
    expect(grd(check({ production: { drillEvery: 'week' } }).diagnostics)).toEqual(['error GRD007 ledger.restorePlans']);

    expect(grd(check({ production: { drillEvery: 'week' } }, except('drillEvery')).diagnostics)).toEqual([]);
  });

  it('GIVEN the exception ended before today WHEN checked THEN the guardrail finding is back and GRD010 names the date', () => {
    const { diagnostics } = check({ production: { drillEvery: 'week' } }, except('drillEvery', { until: '2026-12-05' }));

    expect(grd(diagnostics)).toEqual(['error GRD007 ledger.restorePlans', 'error GRD010 ledger/drillEvery.until']);
    expect(diagnostics.find((d) => d.code === 'GRD010')?.message).toContain('ended on 2026-12-05');
  });

  it('GIVEN the exception ends today WHEN checked THEN it still holds (its last day is included)', () => {
    expect(grd(check({ production: { drillEvery: 'week' } }, except('drillEvery', { until: '2026-12-06' })).diagnostics)).toEqual([]);
  });

  it('GIVEN an exception from a guardrail the policy meets WHEN checked THEN GRD011, a warning to remove it', () => {
    expect(grd(check({}, except('maxRpo')).diagnostics)).toEqual(['warning GRD011 ledger/maxRpo.guardrail']);
  });

  it('GIVEN an exception waiving maxRpo WHEN the policy\'s RPO is above the maximum THEN GRD001 is waived for that policy only', () => {
    const { diagnostics } = check({ ledger: { rpo: '4h', retention: { hourly: 24, daily: 30 } } }, except('maxRpo'));

    expect(diagnostics.filter((d) => d.code === 'GRD001')).toEqual([]);
    expect(grd(diagnostics)).toEqual([]);
  });

  it('GIVEN malformed exceptions WHEN resolved THEN GRD010 at the field: no reason, an end date that is not YYYY-MM-DD, a guardrail that cannot be waived', () => {
    const { diagnostics } = check({}, (o) => [
      guardrailException(o.ledger, { guardrail: 'drillEvery', reason: ' ', until: '2027-06-30' }),
      guardrailException(o.ledger, { guardrail: 'maxRpo', reason: 'migrating', until: 'next spring' }),
      guardrailException(o.ledger, { guardrail: 'requireEncryption' as WaivableGuardrail, reason: 'migrating', until: '2027-06-30' }),
    ]);

    expect(grd(diagnostics).sort()).toEqual(['error GRD010 ledger/drillEvery.reason', 'error GRD010 ledger/maxRpo.until', 'error GRD010 ledger/requireEncryption.guardrail']);
  });

  it('GIVEN an exception WHEN validate renders its report THEN text, JSON and Markdown list it with its reason and date', () => {
    const exceptions = [{ policy: 'web', guardrail: 'drillEvery', reason: 'stateless | redeployed', until: '2027-06-30', active: true, file: 'policies/teams/web.ts', line: 12 }];
    const report = { diagnostics: [], declarations: ['web'], objects: 3, exceptions };

    expect(renderReport(report, 'text')).toBe('guardrail exceptions (1):\n  policies/teams/web.ts:12: web: excepted from drillEvery until 2027-06-30: stateless | redeployed\nvalidate: 3 objects, 0 errors, 0 warnings\n');
    expect(JSON.parse(renderReport(report, 'json')).exceptions).toEqual(exceptions);
    expect(renderReport(report, 'markdown')).toContain('| web | drillEvery | 2027-06-30 | stateless \\| redeployed |');
    expect(renderReport({ ...report, exceptions: [] }, 'text')).toBe('validate: 3 objects, 0 errors, 0 warnings\n');
  });

  it('GIVEN an exception added, lengthened, shortened or removed WHEN diffed THEN a risk, a review, a safe change and a safe change on the policy', () => {
    const sideOf = (extra: (o: Org) => Declaration[]): Side => {
      const o = org({ production: { drillEvery: 'week' } });
      return { model: resolve([...declarationsOf(o), ...extra(o)]).model, locate: (s) => ({ file: s?.file ?? null, line: s?.line ?? null }) };
    };
    const none = sideOf(() => []);
    const added = sideOf(except('drillEvery'));
    const longer = sideOf(except('drillEvery', { until: '2027-12-31' }));
    const rows = (base: Side, head: Side) => diffModels(base, head).filter((c) => c.kind === 'policy.guardrail-exception').map((c) => [c.class, c.cluster, c.name, c.field, c.after]);

    expect(rows(none, added)).toEqual([['risk', 'prod-eu', 'ledger', 'guardrailExceptions.drillEvery', { until: '2027-06-30', reason: 'stateless: redeployed from Git, nothing to restore' }]]);
    expect(diffModels(none, added).find((c) => c.kind === 'policy.guardrail-exception')?.message).toBe('policy ledger is excepted from guardrail drillEvery until 2027-06-30: stateless: redeployed from Git, nothing to restore');
    expect(rows(added, longer).map((r) => r[0])).toEqual(['review']);
    expect(rows(longer, added).map((r) => r[0])).toEqual(['safe']);
    expect(rows(added, none).map((r) => [r[0], r[4]])).toEqual([['safe', null]]);
  });
});

describe('validate lists guardrail exceptions (the real CLI on the example organisation)', () => {
  const EXCEPTION = `import { guardrailException } from 'restorable';
import { storefront } from './web.ts';

export const storefrontRpo = guardrailException(storefront, { guardrail: 'maxRpo', reason: 'front-end caches only', until: '2027-06-30' });
`;

  it('GIVEN an exception from a guardrail the policy meets WHEN validated as text and JSON THEN both list it, JSON matches its schema, and GRD011 warns', async () => {
    const project = await makeTempProject({ copyExamplePolicies: true, policies: { 'teams/exception.ts': EXCEPTION } });
    try {
      const run = (format: string) => runCli(['validate', '--policies', relativeToRepo(project.policiesDir), '--no-drift', '--no-typecheck', '--now', '2026-12-06T10:00:00Z', '--format', format]);
      const [text, json] = await Promise.all([run('text'), run('json')]);
      const report = JSON.parse(json.stdout) as { exceptions?: unknown[]; diagnostics: { code: string; severity: string }[] };
      const schema = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(await readFile(path.join(repoRoot, 'test/fixtures/schemas/validate-report.schema.json'), 'utf8')));

      expect(text.stdout).toMatch(/^guardrail exceptions \(1\):\n {2}\S*teams\/exception\.ts:4: storefront: excepted from maxRpo until 2027-06-30: front-end caches only$/m);
      expect(schema(report), JSON.stringify(schema.errors)).toBe(true);
      expect(report.exceptions).toEqual([expect.objectContaining({ policy: 'storefront', guardrail: 'maxRpo', until: '2027-06-30', active: true, line: 4 })]);
      expect(report.diagnostics.filter((d) => d.code.startsWith('GRD'))).toEqual([expect.objectContaining({ code: 'GRD011', severity: 'warning' })]);
      expect(json.code).toBe(0);
    } finally {
      await project.cleanup();
    }
  }, 180_000);
});
