import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compile.ts';
import type { Declaration } from '../../src/dsl/declaration.ts';
import { Storage, type StorageProps } from '../../src/dsl/storage.ts';
import { backupPolicy, type Cluster, cluster, csi, type DurationString, restorePlan, s3Storage, sealed } from '../../src/index.ts';
import type { Diagnostic } from '../../src/model/diagnostic.ts';
import { resolve } from '../../src/model/resolve.ts';
import { checkModel, RULES } from '../../src/rules/index.ts';
import { makeTempProject, type TempProject } from '../support/temp.ts';
import { declarationsOf, type Org, type OrgChanges, org, unchecked } from './fixtures.ts';

/** A fixed clock, so rules that read the time give the same answer every day. */
const env = { now: new Date('2026-11-20T12:00:00Z') };

/** Everything the resolver and the rules find. */
function diagnose(declarations: readonly Declaration[]): Diagnostic[] {
  const { model, diagnostics } = resolve(declarations);
  return [...diagnostics, ...checkModel(model, env)];
}

/** `<declaration>.<path>` of every diagnostic with `code`. */
function sites(diagnostics: readonly Diagnostic[], code: string): string[] {
  return diagnostics.filter((d) => d.code === code).map((d) => `${d.declaration}.${d.path}`);
}

/** A rule case: a passing and a failing set of declarations, and where the failure is reported. */
interface RuleCase {
  readonly code: string;
  readonly severity?: 'error' | 'warning';
  readonly pass: { readonly title: string; readonly declarations: () => readonly Declaration[] };
  readonly fail: readonly { readonly title: string; readonly declarations: () => readonly Declaration[]; readonly at: readonly string[] }[];
}

/** The fixture organisation with changes. */
const changed = (changes: OrgChanges) => (): Declaration[] => declarationsOf(org(changes));

/** The fixture organisation plus extra declarations built from it. */
const plus =
  (extra: (o: Org) => readonly Declaration[], changes: OrgChanges = {}) =>
  (): Declaration[] => {
    const o = org(changes);
    return [...declarationsOf(o), ...extra(o)];
  };

const name40 = 'a'.repeat(40);
const name41 = 'b'.repeat(41);
const name60 = 'c'.repeat(60);

const cases: readonly RuleCase[] = [
  {
    code: 'DUP001',
    pass: { title: 'two policies with different names', declarations: plus((o) => [backupPolicy('ledger-2', { ...o.ledger.props })]) },
    fail: [{ title: 'two policies named ledger', declarations: plus((o) => [backupPolicy('ledger', { ...o.ledger.props })]), at: ['ledger.name'] }],
  },
  {
    code: 'REF001',
    pass: { title: 'a policy and a plan naming clusters made by cluster()', declarations: changed({}) },
    fail: [
      { title: 'a policy whose cluster is undefined', declarations: changed({ ledger: { cluster: unchecked<Cluster>(undefined) } }), at: ['ledger.cluster'] },
      {
        title: 'a plan whose target is a string',
        declarations: changed({ ledgerRegionLoss: { to: unchecked<Cluster>('dr-us') } }),
        at: ['ledger-region-loss.to'],
      },
    ],
  },
  {
    code: 'REF002',
    pass: {
      title: 'a policy storage made by s3Storage()',
      declarations: plus((o) => [backupPolicy('explicit', { ...o.ledger.props, storage: o.euBackups })]),
    },
    fail: [
      {
        title: 'a policy storage given by name',
        declarations: changed({ ledger: { storage: unchecked<Storage>('eu-backups') } }),
        at: ['ledger.storage'],
      },
      {
        title: 'a cluster storage list holding undefined',
        declarations: changed({ prodEu: { storage: unchecked<Storage[]>([undefined]) } }),
        at: ['prod-eu.storage[0]'],
      },
    ],
  },
  {
    code: 'REF003',
    pass: { title: 'a policy writing to a storage its cluster lists', declarations: plus((o) => [backupPolicy('dr-tools', { ...o.ledger.props, cluster: o.drUs, storage: o.euBackups })]) },
    fail: [
      { title: 'a policy on prod-eu writing to us-backups', declarations: plus((o) => [backupPolicy('misplaced', { ...o.ledger.props, storage: o.usBackups })]), at: ['misplaced.storage'] },
      { title: 'a policy on a cluster without storage', declarations: changed({ prodEu: { storage: [] } }), at: ['ledger.storage'] },
    ],
  },
  {
    code: 'REF004',
    pass: { title: 'a plan from a policy', declarations: changed({}) },
    fail: [
      {
        title: 'a plan from a list holding undefined',
        declarations: plus((o) => [restorePlan('partial', { from: [o.ledger, unchecked(undefined)], to: o.drUs, scenario: 'region-loss', rto: '1h' })]),
        at: ['partial.from[1]'],
      },
    ],
  },
  {
    code: 'DUR001',
    pass: { title: "rpo '1h'", declarations: changed({ ledger: { rpo: '1h' } }) },
    fail: [{ title: "rpo '1x'", declarations: changed({ ledger: { rpo: unchecked<DurationString>('1x') } }), at: ['ledger.rpo'] }],
  },
  {
    code: 'DUR002',
    pass: { title: 'an rpo', declarations: changed({}) },
    fail: [{ title: 'no rpo', declarations: changed({ ledger: { rpo: unchecked<DurationString>(undefined) } }), at: ['ledger.rpo'] }],
  },
  {
    code: 'RET001',
    pass: { title: 'restore points kept exactly as long as the RPO (1 hourly, RPO 2h: TTL 2h)', declarations: changed({ ledger: { rpo: '2h', retention: { hourly: 1 } } }) },
    fail: [{ title: 'restore points kept 2h with an RPO of 4h', declarations: changed({ ledger: { rpo: '4h', retention: { hourly: 1 } } }), at: ['ledger.retention'] }],
  },
  {
    code: 'RET002',
    pass: { title: 'counts of zero and above', declarations: changed({ ledger: { retention: { hourly: 0, daily: 40 } } }) },
    fail: [
      { title: 'a negative count', declarations: changed({ ledger: { retention: { daily: -1 } } }), at: ['ledger.retention.daily'] },
      { title: 'a fractional count', declarations: changed({ ledger: { retention: { daily: 40, weekly: 1.5 } } }), at: ['ledger.retention.weekly'] },
      { title: 'a count given as text', declarations: changed({ ledger: { retention: { daily: unchecked<number>('7') } } }), at: ['ledger.retention.daily'] },
    ],
  },
  {
    code: 'RET003',
    pass: { title: 'one tier above zero', declarations: changed({ ledger: { retention: { daily: 40 } } }) },
    fail: [
      { title: 'every tier zero', declarations: changed({ ledger: { retention: { hourly: 0, daily: 0 } } }), at: ['ledger.retention'] },
      { title: 'no tier at all', declarations: changed({ ledger: { retention: {} } }), at: ['ledger.retention'] },
    ],
  },
  {
    code: 'RET004',
    pass: { title: 'the five known tiers', declarations: changed({ ledger: { retention: { hourly: 1, daily: 40, weekly: 1, monthly: 1, yearly: 1 } } }) },
    fail: [{ title: 'a quarterly tier', declarations: changed({ ledger: { retention: unchecked({ daily: 40, quarterly: 4 }) } }), at: ['ledger.retention.quarterly'] }],
  },
  {
    code: 'RET006',
    severity: 'warning',
    pass: { title: "an override at minute 5 of every hour, the coarser tiers at minute 37", declarations: changed({ ledger: { schedule: '5 * * * *' } }) },
    fail: [
      { title: "an override at minute 37 of every hour, where the daily, weekly and monthly tiers run", declarations: changed({ ledger: { schedule: '37 * * * *' } }), at: ['ledger.schedule'] },
      { title: 'a one-minute RPO: the base tier runs every minute', declarations: changed({ ledger: { rpo: '1m', retention: { hourly: 24, daily: 7 } } }), at: ['ledger.rpo'] },
    ],
  },
  {
    code: 'CRON001',
    pass: { title: "an override '*/30 * * * *'", declarations: changed({ ledger: { schedule: '*/30 * * * *' } }) },
    fail: [
      { title: 'minute 61', declarations: changed({ ledger: { schedule: '61 * * * *' } }), at: ['ledger.schedule'] },
      { title: 'four fields', declarations: changed({ ledger: { schedule: '0 * * *' } }), at: ['ledger.schedule'] },
      { title: 'six fields', declarations: changed({ ledger: { schedule: '0 0 * * * *' } }), at: ['ledger.schedule'] },
      { title: 'an unknown CRON_TZ', declarations: changed({ ledger: { schedule: 'CRON_TZ=Nowhere/City 0 * * * *' } }), at: ['ledger.schedule'] },
    ],
  },
  {
    code: 'CRON002',
    pass: { title: "timeZone 'Europe/Berlin'", declarations: changed({ ledger: { timeZone: 'Europe/Berlin' } }) },
    fail: [{ title: "timeZone 'Mars/Olympus'", declarations: changed({ ledger: { timeZone: 'Mars/Olympus' } }), at: ['ledger.timeZone'] }],
  },
  {
    code: 'STO001',
    pass: { title: 'storage made by s3Storage()', declarations: changed({}) },
    fail: [
      {
        title: 'storage of an unknown provider',
        declarations: () => [new Storage('ftp-backups', unchecked<StorageProps>({ provider: 'ftp', bucket: 'b', credentials: sealed('c') }))],
        at: ['ftp-backups.provider'],
      },
    ],
  },
  {
    code: 'STO002',
    pass: { title: 'storage with sealed credentials', declarations: changed({}) },
    fail: [{ title: 'storage without credentials', declarations: changed({ euBackups: { credentials: unchecked(undefined) } }), at: ['eu-backups.credentials'] }],
  },
  {
    code: 'NAME001',
    pass: { title: 'lower-case names and namespaces', declarations: changed({ ledger: { namespaces: ['payments', 'payments-2'] } }) },
    fail: [
      { title: 'an upper-case namespace', declarations: changed({ ledger: { namespaces: ['payments', 'Payments'] } }), at: ['ledger.namespaces[1]'] },
      { title: 'a namespace of 64 characters', declarations: changed({ ledger: { namespaces: ['n'.repeat(64)] } }), at: ['ledger.namespaces[0]'] },
      { title: 'a policy name with an underscore', declarations: plus((o) => [backupPolicy('team_db', { ...o.ledger.props })]), at: ['team_db.name'] },
      { title: 'a cluster name ending with a dash', declarations: () => [cluster('prod-', { environment: 'staging', storage: [] })], at: ['prod-.name'] },
      { title: "a veleroNamespace 'Velero'", declarations: changed({ prodEu: { veleroNamespace: 'Velero' } }), at: ['prod-eu.veleroNamespace'] },
      { title: 'an empty storage name', declarations: () => [s3Storage('', { bucket: 'b', region: 'r', credentials: sealed('c') })], at: ['.name'] },
    ],
  },
  {
    code: 'NAME002',
    pass: { title: 'a 40-character policy name (longest schedule name: 48)', declarations: plus((o) => [backupPolicy(name40, { ...o.ledger.props })]) },
    fail: [
      { title: 'a 41-character policy name with a monthly tier', declarations: plus((o) => [backupPolicy(name41, { ...o.ledger.props })]), at: [`${name41}.name`] },
      { title: 'a 60-character policy name', declarations: plus((o) => [backupPolicy(name60, { ...o.ledger.props })]), at: [`${name60}.name`] },
    ],
  },
  {
    code: 'POL001',
    pass: { title: 'a policy with a selector and no namespaces', declarations: changed({ ledger: { namespaces: undefined, selector: { matchLabels: { app: 'ledger' } } } }) },
    fail: [
      { title: 'a policy with neither namespaces nor selector', declarations: changed({ ledger: { namespaces: undefined } }), at: ['ledger.namespaces'] },
      { title: 'a policy with an empty namespace list', declarations: changed({ ledger: { namespaces: [] } }), at: ['ledger.namespaces'] },
    ],
  },
  {
    code: 'RPO001',
    pass: { title: 'an override every hour with an RPO of 1h', declarations: changed({ ledger: { schedule: '5 * * * *' } }) },
    fail: [
      { title: 'an override every six hours with an RPO of 1h', declarations: changed({ ledger: { schedule: '0 */6 * * *' } }), at: ['ledger.schedule'] },
      { title: 'an override on weekdays only with an RPO of 1d', declarations: changed({ ledger: { rpo: '1d', retention: { daily: 40 }, schedule: '0 2 * * 1-5' } }), at: ['ledger.schedule'] },
    ],
  },
  {
    code: 'GRD001',
    pass: { title: 'an RPO equal to the maximum', declarations: changed({ ledger: { rpo: '1h' }, production: { maxRpo: '1h' } }) },
    fail: [{ title: 'an RPO above the maximum', declarations: changed({ ledger: { rpo: '2h' } }), at: ['ledger.rpo'] }],
  },
  {
    code: 'GRD002',
    pass: { title: 'a year of history against 30 days', declarations: changed({}) },
    fail: [{ title: 'a week of history against 30 days', declarations: changed({ ledger: { retention: { hourly: 24, daily: 7 } } }), at: ['ledger.retention'] }],
  },
  {
    code: 'GRD003',
    pass: { title: 'written storage with a KMS key', declarations: changed({}) },
    fail: [{ title: 'written storage without encryption', declarations: changed({ euBackups: { encryption: undefined } }), at: ['eu-backups.encryption'] }],
  },
  {
    code: 'GRD004',
    pass: { title: 'written storage with object lock', declarations: changed({}) },
    fail: [
      { title: 'written storage without object lock', declarations: changed({ euBackups: { immutable: undefined } }), at: ['eu-backups.immutable'] },
      { title: 'written storage locked for 1 day where guardrails require 30', declarations: changed({ production: { minImmutableDays: 30 } }), at: ['eu-backups.immutable.days'] },
      { title: 'minImmutableDays alone (no requireImmutableStorage) and storage without object lock', declarations: changed({ production: { requireImmutableStorage: undefined, minImmutableDays: 30 }, euBackups: { immutable: undefined } }), at: ['eu-backups.immutable'] },
    ],
  },
  {
    code: 'GRD005',
    pass: { title: 'snapshot classes that retain', declarations: changed({ prodEu: { snapshotClasses: [csi({ driver: 'ebs.csi.aws.com', deletionPolicy: 'Retain' })] } }) },
    fail: [
      {
        title: 'a snapshot class that deletes',
        declarations: changed({ prodEu: { snapshotClasses: [csi({ driver: 'a.csi' }), csi({ driver: 'ebs.csi.aws.com', deletionPolicy: 'Delete' })] } }),
        at: ['prod-eu.snapshotClasses[1].deletionPolicy'],
      },
    ],
  },
  {
    code: 'GRD006',
    severity: 'warning',
    pass: { title: 'every environment with guardrails', declarations: changed({}) },
    fail: [{ title: 'a cluster in an environment without guardrails', declarations: changed({ prodEu: { environment: 'qa' } }), at: ['prod-eu.environment'] }],
  },
];

describe('rules: one pair of tests per diagnostic code', () => {
  it('GIVEN the fixture organisation WHEN resolved and checked THEN none of these codes is reported', () => {
    const codes = new Set(cases.map((c) => c.code));
    expect(diagnose(declarationsOf(org())).filter((d) => codes.has(d.code))).toEqual([]);
  });

  for (const c of cases) {
    describe(c.code, () => {
      it(`GIVEN ${c.pass.title} WHEN checked THEN no ${c.code}`, () => {
        expect(sites(diagnose(c.pass.declarations()), c.code)).toEqual([]);
      });
      for (const f of c.fail) {
        it(`GIVEN ${f.title} WHEN checked THEN ${c.code} at ${f.at.join(', ')}`, () => {
          const diagnostics = diagnose(f.declarations());
          const found = diagnostics.filter((d) => d.code === c.code);
          expect([...new Set(sites(found, c.code))], JSON.stringify(diagnostics, null, 2)).toEqual(f.at);
          for (const d of found) {
            expect(d.severity).toBe(c.severity ?? 'error');
            expect(d.message.length).toBeGreaterThan(10);
            expect(d.hint?.length ?? 0).toBeGreaterThan(5);
          }
        });
      }
    });
  }
});

describe('rules: messages name what was expected and what was found', () => {
  it("GIVEN retention daily -1 WHEN checked THEN RET002 says 'expected a whole number >= 0, got -1'", () => {
    const [d] = diagnose(changed({ ledger: { retention: { daily: -1 } } })()).filter((x) => x.code === 'RET002');
    expect(d?.message).toBe('expected a whole number >= 0, got -1');
  });

  it('GIVEN an RPO of 2h in production WHEN checked THEN GRD001 names the maximum and the guardrails', () => {
    const [d] = diagnose(changed({ ledger: { rpo: '2h' } })()).filter((x) => x.code === 'GRD001');
    expect(d?.message).toContain('2h');
    expect(d?.message).toContain('1h');
    expect(d?.hint).toContain("guardrails 'production'");
  });

  it('GIVEN an override every six hours WHEN checked THEN RPO001 says how far apart backups can be', () => {
    const [d] = diagnose(changed({ ledger: { schedule: '0 */6 * * *' } })()).filter((x) => x.code === 'RPO001');
    expect(d?.message).toContain('6h');
    expect(d?.hint).toContain('0 */6 * * *');
  });
});

describe('rules: purity', () => {
  it('GIVEN one model WHEN every rule runs twice THEN the diagnostics are equal and the model is unchanged', () => {
    const { model } = resolve(declarationsOf(org({ ledger: { rpo: '2h', namespaces: ['Bad'] } })));
    const before = structuredClone(model);
    const first = checkModel(model, env);
    expect(checkModel(model, env)).toEqual(first);
    expect(model).toEqual(before);
    expect(first.map((d) => d.code)).toEqual(expect.arrayContaining(['NAME001', 'GRD001']));
    expect(RULES.map((r) => r.family)).toEqual(expect.arrayContaining(['names', 'scope', 'rpo', 'retention', 'guardrails']));
  });
});

describe("rules: schedules as Velero's cron library reads them", () => {
  for (const schedule of ['0 2 L * *', '0 2 * * 5L', '0 2 * * 1#1', 'H 2 * * *']) {
    it(`GIVEN the override '${schedule}' (cron-parser syntax that Velero's cron parser rejects) WHEN checked THEN CRON001`, () => {
      const diagnostics = diagnose(changed({ ledger: { rpo: '31d', retention: { monthly: 12 }, schedule } })());
      expect(sites(diagnostics, 'CRON001')).toEqual(['ledger.schedule']);
    });
  }

  for (const schedule of ['0 * 1-27 * *', '0 * * 1-11 *']) {
    it(`GIVEN the override '${schedule}' with an RPO of 1h (no backups for days late in the month or year) WHEN checked THEN RPO001`, () => {
      const diagnostics = diagnose(changed({ ledger: { retention: { hourly: 24, daily: 40 }, schedule } })());
      expect(sites(diagnostics, 'RPO001')).toEqual(['ledger.schedule']);
    });
  }

  it("GIVEN timeZone 'europe/berlin' (a spelling Go's time.LoadLocation rejects) WHEN resolved THEN CRON002, or the canonical Europe/Berlin is emitted", () => {
    const { model, diagnostics } = resolve(declarationsOf(org({ ledger: { timeZone: 'europe/berlin' } })));
    const crons = model.policies[0]?.schedules.map((s) => s.cron) ?? [];
    const rejected = diagnostics.some((d) => d.code === 'CRON002');
    const canonical = crons.length > 0 && crons.every((cron) => cron.startsWith('CRON_TZ=Europe/Berlin '));
    expect(rejected || canonical, crons.join('\n')).toBe(true);
    // Rejected, naming the spelling Velero finds; nothing is emitted for the policy.
    const [d] = diagnostics.filter((x) => x.code === 'CRON002');
    expect(d).toMatchObject({ declaration: 'ledger', path: 'timeZone', hint: "write 'Europe/Berlin'" });
    expect(crons).toEqual([]);
  });

  it("GIVEN an override in Velero's own syntax (?, names, a descriptor) WHEN checked THEN no CRON001", () => {
    for (const schedule of ['30 2 ? * SUN-SAT', '@daily', 'CRON_TZ=Europe/Berlin 30 2 * * *']) {
      const diagnostics = diagnose(changed({ ledger: { rpo: '2d', retention: { daily: 7 }, schedule } })());
      expect(sites(diagnostics, 'CRON001'), schedule).toEqual([]);
    }
  });

  it("GIVEN a daily policy at 02:30 in Europe/Berlin with an RPO of 1d WHEN checked THEN RPO001: Velero skips 02:30 on the day clocks go forward, two days apart", () => {
    const diagnostics = diagnose(changed({ ledger: { rpo: '1d', retention: { daily: 7 }, timeZone: 'Europe/Berlin', schedule: '30 2 * * *' } })());
    const [d] = diagnostics.filter((x) => x.code === 'RPO001');
    expect(d?.path).toBe('schedule');
    expect(d?.message).toContain('47h');
  });

  it("GIVEN a snapshot class named 'EBS_Retain' WHEN checked THEN NAME001 for the class name", () => {
    const diagnostics = diagnose(changed({ prodEu: { snapshotClasses: [csi({ driver: 'ebs.csi.aws.com', name: 'EBS_Retain' })] } })());
    expect(sites(diagnostics, 'NAME001')).toEqual(['prod-eu.snapshotClasses[0].name']);
  });
});

describe('LOAD001 (compile)', () => {
  let project: TempProject;

  beforeAll(async () => {
    project = await makeTempProject({ copyExamplePolicies: true });
  });
  afterAll(() => project.cleanup());

  it('GIVEN the example organisation, where every file exports a declaration, WHEN compiled THEN no LOAD001', async () => {
    const { diagnostics } = await compile({ policiesDir: `${project.rel}/policies` });
    expect(diagnostics.filter((d) => d.code === 'LOAD001')).toEqual([]);
  });

  it('GIVEN a file that exports no declaration WHEN compiled THEN a LOAD001 warning names the file, and the files are still produced', async () => {
    await project.writePolicy('teams/notes.ts', "export const owner = 'platform';\n");
    const { diagnostics, files } = await compile({ policiesDir: `${project.rel}/policies` });
    const load = diagnostics.filter((d) => d.code === 'LOAD001');
    expect(load).toHaveLength(1);
    expect(load[0]).toMatchObject({ severity: 'warning', source: { file: project.policyPath('teams/notes.ts'), line: 1 } });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(files.size).toBeGreaterThan(0);
  });

  it('GIVEN the policies folder as an absolute path WHEN compiled THEN LOAD001 names the file relative to the working directory, like every other diagnostic', async () => {
    await project.writePolicy('teams/notes.ts', "export const owner = 'platform';\n");
    const { diagnostics } = await compile({ policiesDir: project.policiesDir });
    const load = diagnostics.find((d) => d.code === 'LOAD001');
    expect(load?.source?.file).toBe(project.policyPath('teams/notes.ts'));
  });
});
