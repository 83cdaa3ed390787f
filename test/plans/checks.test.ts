/**
 * The checks a plan's runner and drill run, as they land in the plan ConfigMap: one file per part of
 * each check, arguments one per line, and what each command will actually connect to.
 */
import { describe, expect, it } from 'vitest';
import { commandCheck, httpCheck, sqlCheck } from '../../src/index.ts';
import { planConfig } from '../../src/lower/restore/plan-config.ts';
import { declarationsOf, diagnose, modelOf, type PlanOrgChanges, planOrg, sites } from './support.ts';

/** The data files of the fixture's drill ConfigMap. */
function drillData(changes: PlanOrgChanges = {}): Record<string, string> {
  const model = modelOf(declarationsOf(planOrg(changes)));
  const plan = model.restorePlans[0];
  if (!plan) throw new Error('no plan');
  return planConfig(plan, model.policies, 'drill', 'velero');
}

/** The id (`01`, `02`, ...) of the check named `name`. */
function checkId(data: Record<string, string>, name: string): string {
  const key = Object.keys(data).find((k) => /^check-\d\d\.name$/.test(k) && data[k] === `${name}\n`);
  if (!key) throw new Error(`no check named ${name}`);
  return key.slice('check-'.length, -'.name'.length);
}

describe('checks in the drill ConfigMap', () => {
  it('GIVEN the profile check and two declared checks WHEN lowered THEN the index lists each once, in order, with its type and source namespace', () => {
    const data = drillData();
    expect(data.checks).toBe('01 exec payments\n02 exec payments\n03 http payments\n');
    expect(['01', '02', '03'].map((id) => data[`check-${id}.name`])).toEqual(['postgres-accepts-queries\n', 'accounts-present\n', 'api-ready\n']);
  });

  it('GIVEN a command check WHEN lowered THEN its selector, container and arguments are separate files, one argument per line', () => {
    const data = drillData({ plan: { drill: { every: 'week', verify: [commandCheck('worker', ['test', '-f', '/run/ready'], { selector: { app: 'worker', tier: 'jobs' }, container: 'main' })] } } });
    const id = checkId(data, 'worker');
    expect(data[`check-${id}.selector`]).toBe('app=worker,tier=jobs\n');
    expect(data[`check-${id}.container`]).toBe('main\n');
    expect(data[`check-${id}.argv`]).toBe('test\n-f\n/run/ready\n');
    expect(data[`check-${id}.require-output`]).toBeUndefined();
  });

  it('GIVEN an HTTP check WHEN lowered THEN service, port and path are one line', () => {
    const data = drillData({ plan: { drill: { every: 'week', verify: [httpCheck('ready', { service: 'ledger-api', port: 8080, path: '/readyz' })] } } });
    expect(data[`check-${checkId(data, 'ready')}.http`]).toBe('ledger-api 8080 /readyz\n');
  });

  it('GIVEN a SQL check WHEN lowered THEN it runs in the database pods and passes only when rows come back', () => {
    const data = drillData();
    const id = checkId(data, 'accounts-present');
    expect(data[`check-${id}.selector`]).toBe('app.kubernetes.io/name=ledger-db\n');
    expect(data[`check-${id}.container`]).toBe('postgres\n');
    expect(data[`check-${id}.require-output`]).toBe('true\n');
    expect(data[`check-${id}.argv`]?.split('\n')).toEqual(expect.arrayContaining(['psql', 'select 1 from accounts limit 1']));
  });

  it('GIVEN a SQL check with minRows WHEN lowered THEN the database counts the rows and the drill requires at least that count', () => {
    const data = drillData({ plan: { drill: { every: 'week', verify: [sqlCheck('accounts-complete', 'select id from accounts;', { app: 'ledger-db', minRows: 120000 })] } } });
    const id = checkId(data, 'accounts-complete');
    expect(data[`check-${id}.min-rows`]).toBe('120000\n');
    expect(data[`check-${id}.argv`]?.split('\n')).toContain('select count(*) from (select id from accounts) as restorable_rows');
  });

  it('GIVEN a SQL check whose minRows is not a whole number of at least 1 WHEN checked THEN PLAN015 names it', () => {
    for (const minRows of [0, 2.5, -3]) {
      const o = planOrg({ plan: { drill: { every: 'week', verify: [sqlCheck('accounts', 'select id from accounts', { app: 'ledger-db', minRows })] } } });
      expect(sites(diagnose(declarationsOf(o)), 'PLAN015'), String(minRows)).toEqual(['ledger-dr.drill.verify[0].minRows']);
    }
  });

  // Regression guard (was a bug in src/model/restore-plan.ts resolveChecks): a SQL check runs `psql --no-psqlrc --tuples-only
  // --no-align --command <query>` without the profile's database or user (the app profile keeps
  // neither as data), so psql connects as the exec user to the database named like that user: the
  // example's `select 1 from accounts limit 1`, whose table lives in database `ledger`, fails every
  // drill, while the profile's own check passes --username=postgres --dbname=ledger. The mysql
  // variant names no database either.
  it("GIVEN sqlCheck on the ledger-db postgres profile (database ledger, user postgres) WHEN lowered THEN psql is told the profile's database and user", () => {
    const data = drillData();
    const argv = (data[`check-${checkId(data, 'accounts-present')}.argv`] ?? '').split('\n');
    expect(argv[0]).toBe('psql');
    expect(argv.some((arg) => arg === '--dbname=ledger' || arg === 'ledger')).toBe(true);
    expect(argv).toContain('--username=postgres');
  });
});
