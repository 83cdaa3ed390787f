/**
 * Hostile names: spaces, quotes, `$()`, backticks, `;` and newlines in plan names, step names,
 * namespaces, check names, selectors, service names, container names and SQL. Each either is
 * rejected by a rule before it reaches a script, or reaches the plan ConfigMap as data that the
 * scripts never execute: proven by running the script functions of lib.sh (and the runner) against
 * the recording fake kubectl and asserting it received the value intact, as one argument, with no
 * command ever run from it (a `touch pwned` in the value would leave a file in the working folder).
 *
 * The scripts read their data files one line (and, for the steps and HTTP checks, one
 * space-separated column) at a time, so a value with a line break, or a step name or service with a
 * space, would not come back intact: PLAN017 rejects those before synth writes anything, and they
 * are run anyway to show that nothing in them executes.
 */
import { execFile } from 'node:child_process';
import { access, chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { commandCheck, httpCheck, postgres, type RestorePlanProps, sqlCheck } from '../../src/index.ts';
import { jobAccess } from '../../src/lower/restore/access.ts';
import { planConfig } from '../../src/lower/restore/plan-config.ts';
import type { RestoreVariant } from '../../src/lower/restore/restore-spec.ts';
import type { Model } from '../../src/model/types.ts';
import { declarationsOf, diagnose, modelOf, type PlanOrgChanges, planOrg, sites } from './support.ts';

/** Spaces, both quotes, a command substitution, backticks and a semicolon. */
const COMBINED = 'a b\'c"d $(touch pwned) `touch pwned`;e';
/** The same injections without a space (`${IFS}` would be the space, were the text ever evaluated). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a shell payload, deliberately not a template
const NO_SPACE = 'a\'b"c$(touch${IFS}pwned)`touch${IFS}pwned`;d';
/** A second line that is itself a command. */
const NEWLINE = 'a\n$(touch pwned)';

const VALUES = { 'spaces, quotes, $(), backticks and ;': COMBINED, 'quotes, $(), backticks and ; without a space': NO_SPACE, 'a newline': NEWLINE } as const;
type ValueName = keyof typeof VALUES;

const FAKE = fileURLToPath(new URL('../restore/fake-kubectl.mjs', import.meta.url));
const minutesAgo = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
const BACKUPS = [{ name: 'ledger-hourly-20261201110000', phase: 'Completed', completed: minutesAgo(20), policy: 'ledger', tier: 'hourly' }];

interface Call {
  readonly args: string[];
  readonly stdin: string;
}

interface Run {
  readonly code: number;
  readonly stderr: string;
  readonly calls: Call[];
  /** Whether a command hidden in a value was executed. */
  readonly pwned: boolean;
}

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = '';
});

/**
 * Lays out the plan's ConfigMap as the pod sees it, puts the fake kubectl on PATH, and runs `script`
 * (shell code sourcing nothing but the shipped files) in a fresh working folder.
 */
async function runScript(model: Model, variant: RestoreVariant, script: string, scenario: Record<string, unknown> = {}): Promise<Run> {
  dir = await mkdtemp(path.join(tmpdir(), 'restorable-hostile-'));
  const config = path.join(dir, 'plan');
  const bin = path.join(dir, 'bin');
  await mkdir(config);
  await mkdir(bin);
  const plan = model.restorePlans[0];
  if (!plan) throw new Error('no plan');
  // The whole drill runs its probe pods, which need the target cluster's kubectl image.
  const target = script.includes('drill.sh') ? model.clusters.find((c) => c.name === plan.to) : undefined;
  for (const [file, content] of Object.entries(planConfig(plan, model.policies, variant, 'velero', target))) await writeFile(path.join(config, file), content);
  await writeFile(path.join(dir, 'scenario.json'), JSON.stringify({ backups: BACKUPS, ...scenario }));
  await writeFile(path.join(bin, 'kubectl'), `#!/bin/sh\nexec node ${JSON.stringify(FAKE)} "$@"\n`);
  await chmod(path.join(bin, 'kubectl'), 0o755);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_KUBECTL_DIR: dir, RESTORABLE_CONFIG: config, RESTORABLE_POLL_SECONDS: '0' };
  const result = await new Promise<{ code: number; stderr: string }>((done) =>
    execFile('/bin/sh', ['-c', script], { cwd: dir, env }, (error, _stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stderr })),
  );
  const calls = (await readFile(path.join(dir, 'calls.jsonl'), 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Call);
  const pwned = await access(path.join(dir, 'pwned')).then(
    () => true,
    () => false,
  );
  return { ...result, calls, pwned };
}

const RUN_CHECKS = '. "$RESTORABLE_CONFIG/lib.sh"; run_checks';
const RUN_STEPS = '. "$RESTORABLE_CONFIG/lib.sh"; resolve_backups; run_steps';
const RUNNER = '. "$RESTORABLE_CONFIG/runner.sh"';

/** The postgres profile without checks of its own, so a plan's checks are exactly the ones a case declares. */
const quietDb = postgres({ name: 'ledger-db', selector: { app: 'ledger-db' }, container: 'postgres', database: 'ledger', dumpDir: '/data/restorable', verify: [] });

/** The fixture with one drill check and no steps or checks of its own. */
const withDrillCheck = (check: NonNullable<RestorePlanProps['drill']>['verify']): PlanOrgChanges => ({
  ledger: { apps: [quietDb] },
  plan: { order: undefined, drill: { every: 'week', verify: check } },
});

const argAfter = (call: Call | undefined, flag: string): string | undefined => {
  const i = call?.args.indexOf(flag) ?? -1;
  return i >= 0 ? call?.args[i + 1] : undefined;
};
const callOf = (run: Run, verb: string, kind?: string): Call | undefined => run.calls.find((c) => c.args[0] === verb && (kind === undefined || c.args[1] === kind));
const argvAfterDashes = (call: Call | undefined): string[] => call?.args.slice(call.args.indexOf('--') + 1) ?? [];

/** One field carrying a hostile value into a script. */
interface FieldCase {
  readonly field: string;
  readonly how: string;
  readonly changes: (value: string) => PlanOrgChanges;
  readonly variant: RestoreVariant;
  readonly script: string;
  readonly scenario?: Record<string, unknown>;
  /** What the fake kubectl received where the value belongs, and what it should be. */
  readonly received: (run: Run, value: string) => { readonly got: unknown; readonly want: unknown };
  /**
   * Values the scripts would not pass intact, and where in the plan PLAN017 reports each: lib.sh
   * reads check-NN.argv one argument per line, and the index files (checks, check-NN.http, steps,
   * namespaces) one entry per line, split into columns at spaces.
   */
  readonly rejected: Partial<Record<ValueName, string>>;
}

const FIELDS: readonly FieldCase[] = [
  {
    field: 'check name',
    how: 'run_checks reports the check failing',
    changes: (v) => withDrillCheck([commandCheck(v, ['true'], { selector: { app: 'ledger-api' } })]),
    variant: 'drill',
    script: RUN_CHECKS,
    scenario: { execFails: true },
    received: (run, v) => ({ got: run.stderr.includes(`FAILED: check ${v} failed in drill-payments/pod-0`), want: true }),
    rejected: {},
  },
  {
    field: 'check selector',
    how: 'run_checks looks for the pod',
    changes: (v) => withDrillCheck([commandCheck('c', ['true'], { selector: { app: v } })]),
    variant: 'drill',
    script: RUN_CHECKS,
    received: (run, v) => ({ got: argAfter(callOf(run, 'get', 'pods'), '-l'), want: `app=${v}` }),
    rejected: {},
  },
  {
    field: 'check container',
    how: 'run_checks execs into it',
    changes: (v) => withDrillCheck([commandCheck('c', ['true'], { selector: { app: 'ledger-api' }, container: v })]),
    variant: 'drill',
    script: RUN_CHECKS,
    received: (run, v) => ({ got: argAfter(callOf(run, 'exec'), '-c'), want: v }),
    rejected: {},
  },
  {
    field: 'check command argument',
    how: 'run_checks execs it',
    changes: (v) => withDrillCheck([commandCheck('c', ['echo', v], { selector: { app: 'ledger-api' } })]),
    variant: 'drill',
    script: RUN_CHECKS,
    received: (run, v) => ({ got: argvAfterDashes(callOf(run, 'exec')), want: ['echo', v] }),
    rejected: { 'a newline': 'checks[0]' },
  },
  {
    field: 'SQL query',
    how: 'run_checks runs it with psql',
    changes: (v) => withDrillCheck([sqlCheck('q', v, { app: 'ledger-db' })]),
    variant: 'drill',
    script: RUN_CHECKS,
    received: (run, v) => ({ got: argvAfterDashes(callOf(run, 'exec')), want: ['psql', '--no-psqlrc', '--tuples-only', '--no-align', '--username=postgres', '--dbname=ledger', '--command', v] }),
    rejected: { 'a newline': 'checks[0]' },
  },
  {
    field: 'check namespace',
    how: 'run_checks looks for the pod there',
    changes: (v) => withDrillCheck([commandCheck('c', ['true'], { selector: { app: 'ledger-api' }, namespace: v })]),
    variant: 'drill',
    script: RUN_CHECKS,
    received: (run, v) => ({ got: argAfter(callOf(run, 'get', 'pods'), '-n'), want: v }),
    rejected: { 'a newline': 'checks[0].namespace' },
  },
  {
    field: 'HTTP check service',
    how: 'run_checks calls it through the service proxy',
    changes: (v) => withDrillCheck([httpCheck('h', { service: v, port: 8080, path: '/readyz' })]),
    variant: 'drill',
    script: RUN_CHECKS,
    received: (run, v) => ({ got: callOf(run, 'get', '--raw')?.args[2], want: `/api/v1/namespaces/drill-payments/services/${v}:8080/proxy/readyz` }),
    rejected: { 'spaces, quotes, $(), backticks and ;': 'checks[0].service', 'a newline': 'checks[0].service' },
  },
  {
    field: 'HTTP check path',
    how: 'run_checks calls it through the service proxy',
    changes: (v) => withDrillCheck([httpCheck('h', { service: 'ledger-api', port: 8080, path: `/${v}` })]),
    variant: 'drill',
    script: RUN_CHECKS,
    received: (run, v) => ({ got: callOf(run, 'get', '--raw')?.args[2], want: `/api/v1/namespaces/drill-payments/services/ledger-api:8080/proxy/${v}` }),
    rejected: { 'a newline': 'checks[0].path' },
  },
  {
    field: 'step name',
    how: 'run_steps creates its Restore',
    changes: (v) => ({ plan: { order: [{ name: v }] } }),
    variant: 'run',
    script: RUN_STEPS,
    received: (run) => {
      const created = run.calls.filter((c) => c.args[0] === 'create' && c.stdin.includes('kind: Restore'));
      return { got: { code: run.code, steps: created.map((c) => (yaml.load(c.stdin) as { metadata: { labels: Record<string, string> } }).metadata.labels['restorable.dev/step']) }, want: { code: 0, steps: [undefined] } };
    },
    rejected: { 'spaces, quotes, $(), backticks and ;': 'order[0].name', 'a newline': 'order[0].name' },
  },
  {
    field: 'namespaceMapping target',
    how: 'the data-only runner looks for existing claims there',
    changes: (v) => ({ plan: { mode: 'data-only', namespaceMapping: { payments: v } } }),
    variant: 'run',
    script: RUNNER,
    received: (run, v) => ({ got: argAfter(callOf(run, 'get', 'persistentvolumeclaims'), '-n'), want: v }),
    rejected: { 'a newline': 'namespaceMapping.payments' },
  },
];

describe('hostile values rejected by a rule before they reach a script', () => {
  for (const [name, value] of Object.entries(VALUES)) {
    it(`GIVEN a plan name with ${name} WHEN checked THEN NAME001 rejects it`, () => {
      expect(sites(diagnose(declarationsOf(planOrg({ planName: value }))), 'NAME001')).toEqual([`${value}.name`]);
    });

    it(`GIVEN a backed-up namespace with ${name} WHEN checked THEN NAME001 rejects it`, () => {
      expect(sites(diagnose(declarationsOf(planOrg({ ledger: { namespaces: [value] } }))), 'NAME001')).toEqual(['ledger.namespaces[0]']);
    });

    it(`GIVEN a check namespace with ${name} WHEN checked THEN PLAN017 rejects it`, () => {
      const changes = withDrillCheck([commandCheck('c', ['true'], { selector: { app: 'ledger-api' }, namespace: value })]);
      expect(sites(diagnose(declarationsOf(planOrg(changes))), 'PLAN017')).toEqual(['ledger-dr.checks[0].namespace']);
    });
  }

  it("GIVEN a check in a namespace the plan's policy backs up WHEN checked THEN only the policy's NAME001 reports a bad namespace, not PLAN017 again", () => {
    const changes = { ...withDrillCheck([commandCheck('c', ['true'], { selector: { app: 'ledger-api' }, namespace: 'Payments' })]), ledger: { apps: [quietDb], namespaces: ['Payments'] } };
    const diagnostics = diagnose(declarationsOf(planOrg(changes)));
    expect(sites(diagnostics, 'NAME001')).toEqual(['ledger.namespaces[0]']);
    expect(sites(diagnostics, 'PLAN017')).toEqual([]);
  });
});

describe('hostile values that reach the plan ConfigMap as data: the scripts pass them on intact and never run them', () => {
  for (const field of FIELDS) {
    for (const [name, value] of Object.entries(VALUES) as [ValueName, string][]) {
      // NO_SPACE only matters where a space alone breaks the field: it shows the injections themselves stay inert.
      if (value === NO_SPACE && field.rejected['spaces, quotes, $(), backticks and ;'] === undefined) continue;
      const rejectedAt = field.rejected[name];
      if (rejectedAt) {
        it(`GIVEN a ${field.field} with ${name} WHEN checked THEN PLAN017 rejects it at ${rejectedAt} before it reaches a script, and WHEN ${field.how} anyway THEN nothing in it runs`, async () => {
          const declarations = declarationsOf(planOrg(field.changes(value)));
          const found = diagnose(declarations).filter((d) => d.code === 'PLAN017');
          expect(found.map((d) => `${d.declaration}.${d.path}`)).toContain(`ledger-dr.${rejectedAt}`);
          expect(found.every((d) => d.severity === 'error')).toBe(true);
          const run = await runScript(modelOf(declarations), field.variant, field.script, field.scenario);
          expect(run.pwned, 'a command hidden in the value was executed').toBe(false);
        });
        continue;
      }
      it(`GIVEN a ${field.field} with ${name} WHEN ${field.how} THEN the fake kubectl receives it intact and nothing in it runs`, async () => {
        // The value resolves: it reaches the plan ConfigMap.
        const model = modelOf(declarationsOf(planOrg(field.changes(value))));
        const run = await runScript(model, field.variant, field.script, field.scenario);
        expect(run.pwned, 'a command hidden in the value was executed').toBe(false);
        const { got, want } = field.received(run, value);
        if (field.field === 'step name') {
          // The cluster-scoped kinds come back first (a region-loss run), then configuration and storage, in steps of the compiler's.
          expect(got).toEqual({ ...(want as object), steps: ['cluster-scoped', 'ledger-config-storage', value] });
        } else {
          expect(got, run.stderr).toEqual(want);
        }
      });
    }
  }

  it('GIVEN hostile values everywhere at once WHEN the whole drill runs THEN it passes, every command stays inert and the verdict is recorded', async () => {
    const model = modelOf(
      declarationsOf(
        planOrg(
          withDrillCheck([
            commandCheck(COMBINED, ['echo', COMBINED], { selector: { app: COMBINED }, container: COMBINED }),
            sqlCheck(COMBINED, COMBINED, { app: 'ledger-db' }),
            httpCheck(COMBINED, { service: 'ledger-api', port: 8080, path: `/${COMBINED}` }),
          ]),
        ),
      ),
    );
    const run = await runScript(model, 'drill', '. "$RESTORABLE_CONFIG/drill.sh"');
    expect(run.stderr).not.toContain('FAILED');
    expect(run.code).toBe(0);
    expect(run.pwned).toBe(false);
    const execs = run.calls.filter((c) => c.args[0] === 'exec');
    expect(execs.map(argvAfterDashes)).toEqual([
      ['echo', COMBINED],
      ['psql', '--no-psqlrc', '--tuples-only', '--no-align', '--username=postgres', '--dbname=ledger', '--command', COMBINED],
    ]);
    expect(run.calls.some((c) => c.args[0] === 'create' && c.args.includes('-f') && c.stdin.includes('verdict: "passed"'))).toBe(true);
  });
});

describe('hostile namespaceMapping targets outside the scripts', () => {
  // Regression guard (was a bug: PLAN017 now checks targets): NAME001 checks the namespaces a policy backs up, not the targets of a
  // plan's namespaceMapping, so any string reaches the Restores, the runner's namespaces file and,
  // below, the runner's admission policy.
  for (const [name, value] of Object.entries(VALUES)) {
    it(`GIVEN a namespaceMapping target with ${name} WHEN checked THEN a rule rejects it`, () => {
      const found = diagnose(declarationsOf(planOrg({ plan: { namespaceMapping: { payments: value } } }))).filter((d) => d.severity === 'error' && d.path === 'namespaceMapping.payments');
      expect(found.length).toBeGreaterThan(0);
    });
  }

  // Regression guard (was a bug in src/lower/restore/access.ts, scopePolicy): target namespaces are pasted between single
  // quotes into the CEL expression of the runner's ValidatingAdmissionPolicy, unescaped. The target
  // below closes the string and adds `|| true`, so the policy that narrows the runner's cluster-wide
  // pods/exec rights to the plan's namespaces admits every namespace.
  it("GIVEN a namespaceMapping target with a single quote WHEN lowered THEN the runner's admission policy holds it as one CEL string literal", () => {
    const hostile = "payments-dr'] || true || 'a' in ['b";
    const expression = (target: string): string => {
      const model = modelOf(declarationsOf(planOrg({ plan: { namespaceMapping: { payments: target } } })));
      const plan = model.restorePlans[0];
      const cluster = model.clusters.find((c) => c.name === 'dr');
      if (!plan || !cluster) throw new Error('fixture');
      const policy = jobAccess(plan, cluster, 'run').find((o) => o.kind === 'ValidatingAdmissionPolicy');
      return (policy?.spec as { validations: { expression: string }[] } | undefined)?.validations[0]?.expression ?? '';
    };
    const celString = (s: string): string => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
    expect(expression(hostile).replaceAll(`[${celString(hostile)}]`, 'LIST')).toBe(expression('payments-dr').replaceAll("['payments-dr']", 'LIST'));
  });
});
