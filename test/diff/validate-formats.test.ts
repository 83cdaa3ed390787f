/**
 * The report formats of `restorable validate`, checked from the outside through the real CLI: JUnit
 * is well-formed XML whose counts match the findings, JSON matches its committed schema, and GitHub
 * annotations point at the policy file and line of a seeded mistake.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicies } from '../../src/loader/load.ts';
import { type CliResult, relativeToRepo, runCli } from '../support/run-cli.ts';
import { makeTempProject, repoRoot, type TempProject } from '../support/temp.ts';
import { findAll, parseXml } from './xml.ts';

interface JsonReport {
  version: 1;
  ok: boolean;
  objects: number;
  errors: number;
  warnings: number;
  diagnostics: { code: string; severity: 'error' | 'warning'; message: string; declaration?: string; path?: string; file?: string; line?: number }[];
}

const BROKEN = `import { backupPolicy } from 'restorable';
import { prodEu } from '../clusters.ts';

// A daily count below zero: RET002 on this declaration.
export const broken = backupPolicy('broken', {
  cluster: prodEu,
  namespaces: ['broken'],
  rpo: '1h',
  retention: { hourly: 24, daily: -1 },
  volumes: 'csi-snapshot',
});
`;
const BROKEN_LINE = 5;

const validateSchema = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(await readFile(path.join(repoRoot, 'test/fixtures/schemas/validate-report.schema.json'), 'utf8')));

let clean: TempProject;
let seeded: TempProject;

beforeAll(async () => {
  [clean, seeded] = await Promise.all([makeTempProject({ copyExamplePolicies: true }), makeTempProject({ copyExamplePolicies: true, policies: { 'teams/broken.ts': BROKEN } })]);
});

afterAll(async () => {
  await Promise.all([clean.cleanup(), seeded.cleanup()]);
});

const runs = new Map<string, Promise<CliResult>>();

/**
 * `restorable validate` of a project in one format, run once per file: several tests read the same
 * report, and each run loads, type-checks and validates the whole organisation again.
 */
function validate(project: TempProject, format: string): Promise<CliResult> {
  const key = `${project.policiesDir} ${format}`;
  let run = runs.get(key);
  if (run === undefined) {
    run = runCli(['validate', '--policies', relativeToRepo(project.policiesDir), '--no-drift', '--format', format]);
    runs.set(key, run);
  }
  return run;
}

/** Independent expectation of JUnit's test cases: one per finding, one per clean declaration; failures are the errors. */
async function expectedCases(project: TempProject, report: JsonReport): Promise<{ tests: number; failures: number }> {
  const { model } = await loadPolicies(project.policiesDir);
  const declarations = [...model.clusters, ...model.storages, ...model.policies, ...model.restorePlans].map((d) => d.name);
  const flagged = new Set(report.diagnostics.map((d) => d.declaration));
  return { tests: report.diagnostics.length + declarations.filter((d) => !flagged.has(d)).length, failures: report.errors };
}

describe('validate --format json', () => {
  it.each([
    ['the example organisation', () => clean, true],
    ['a seeded mistake', () => seeded, false],
  ])('GIVEN %s WHEN validated as JSON THEN the report matches its schema and its totals match its diagnostics', async (_, project, ok) => {
    const result = await validate(project(), 'json');
    const report = JSON.parse(result.stdout) as JsonReport;

    expect(validateSchema(report), JSON.stringify(validateSchema.errors)).toBe(true);
    expect(report.ok).toBe(ok);
    expect(result.code).toBe(ok ? 0 : 1);
    expect(report.errors).toBe(report.diagnostics.filter((d) => d.severity === 'error').length);
    expect(report.warnings).toBe(report.diagnostics.filter((d) => d.severity === 'warning').length);
    expect(report.ok).toBe(report.errors === 0);
  });

  it('GIVEN a seeded mistake WHEN validated as JSON THEN RET002 names the declaration, the field, the file and the line', async () => {
    const report = JSON.parse((await validate(seeded, 'json')).stdout) as JsonReport;

    expect(report.diagnostics.filter((d) => d.code === 'RET002')).toMatchObject([
      { severity: 'error', declaration: 'broken', path: 'retention.daily', file: seeded.policyPath('teams/broken.ts'), line: BROKEN_LINE },
    ]);
  });
});

describe('validate --format junit', () => {
  it.each([
    ['the example organisation', () => clean],
    ['a seeded mistake', () => seeded],
  ])('GIVEN %s WHEN validated as JUnit THEN the XML is well formed and its counts match the findings', async (_, project) => {
    const [junit, json] = await Promise.all([validate(project(), 'junit'), validate(project(), 'json')]);
    const report = JSON.parse(json.stdout) as JsonReport;

    expect(junit.stdout.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    const root = parseXml(junit.stdout);
    expect(root.name).toBe('testsuites');
    const suites = findAll(root, 'testsuite');
    expect(suites).toHaveLength(1);
    const cases = findAll(root, 'testcase');
    const failing = cases.filter((c) => c.children.some((child) => child.name === 'failure'));
    const expected = await expectedCases(project(), report);
    for (const element of [root, ...suites]) {
      expect(Number(element.attributes.tests)).toBe(cases.length);
      expect(Number(element.attributes.failures)).toBe(failing.length);
    }
    expect({ tests: cases.length, failures: failing.length }).toEqual(expected);
    expect(findAll(root, 'failure')).toHaveLength(report.errors);
    for (const c of cases) {
      expect(c.attributes.classname).toBeTruthy();
      expect(c.attributes.name).toBeTruthy();
    }
  });

  it('GIVEN a seeded mistake WHEN validated as JUnit THEN the failing case is the declaration and the finding (code, field, line), and the failure carries the code and the decoded message', async () => {
    const root = parseXml((await validate(seeded, 'junit')).stdout);

    const retention = findAll(root, 'testcase').filter(
      (c) => c.attributes.classname === 'broken' && c.attributes.name === `RET002 retention.daily (${seeded.policyPath('teams/broken.ts')}:${BROKEN_LINE})`,
    );
    expect(retention).toHaveLength(1);
    const failure = retention[0]?.children.find((child) => child.name === 'failure');
    expect(failure?.attributes.type).toBe('RET002');
    expect(failure?.text).toContain(`${seeded.policyPath('teams/broken.ts')}:${BROKEN_LINE}: broken.retention.daily:`);
  });

  it('GIVEN the XML checker WHEN handed malformed documents THEN it refuses them (so the checks above mean something)', () => {
    for (const bad of ['<a><b></a></b>', '<a x="1" x="2"/>', '<a>&nbsp;</a>', '<a>a & b</a>', '<a x=1/>', '<a/><b/>', '<a>', 'text<a/>', '<a x="<"/>']) {
      expect(() => parseXml(bad), bad).toThrow();
    }
    expect(parseXml('<a x="&lt;&amp;&#65;">&quot;<b/></a>')).toEqual({ name: 'a', attributes: { x: '<&A' }, text: '"', children: [{ name: 'b', attributes: {}, text: '', children: [] }] });
  });
});

describe('validate --format github', () => {
  it('GIVEN a seeded mistake WHEN validated with GitHub annotations THEN the RET002 annotation points at the policy file and line of the declaration', async () => {
    const result = await validate(seeded, 'github');

    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n').filter(Boolean);
    for (const line of lines) expect(line).toMatch(/^::(error|warning) (file=[^,]+,line=\d+,)?title=[A-Z]+\d{3}::.+$/);
    const annotation = lines.filter((line) => line.includes('title=RET002'));
    expect(annotation).toHaveLength(1);
    expect(annotation[0]).toMatch(new RegExp(`^::error file=${seeded.policyPath('teams/broken.ts').replaceAll('.', '\\.')},line=${BROKEN_LINE},title=RET002::broken\\.retention\\.daily: `));
    const source = (await readFile(path.join(seeded.policiesDir, 'teams/broken.ts'), 'utf8')).split('\n');
    expect(source[BROKEN_LINE - 1]).toContain("backupPolicy('broken'");
  });

  it('GIVEN the example organisation WHEN validated with GitHub annotations THEN no error annotation', async () => {
    const result = await validate(clean, 'github');

    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/^::error/m);
  });
});
