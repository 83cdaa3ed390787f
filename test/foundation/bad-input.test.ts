/**
 * Malformed policies through the real CLI. Each case adds files to a copy of the example
 * organisation (which compiles cleanly) and expects: exit code 1, the diagnostic code and the
 * `<declaration>.<path>` on the line `<file>:<line>:`, no stack trace, and the populated output
 * folder left byte for byte as it was.
 */
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'vitest';
import { runSynth, stackTraceLines } from '../support/run-cli.ts';
import { examplePolicies, hashTree, makeTempProject } from '../support/temp.ts';

const IMPORTS = `import { backupPolicy, cluster, csi, restorePlan, s3Storage, sealed } from 'restorable';
import { drUs, euBackups, prodEu, usBackups } from '../clusters.ts';
`;

/** Props of a valid production policy, as source snippets; a case replaces or removes some. */
function policy(name: string, changes: Readonly<Record<string, string | undefined>> = {}, exportName = 'policy'): string {
  const props: Record<string, string | undefined> = {
    cluster: 'prodEu',
    namespaces: `['${name.slice(0, 20)}']`,
    rpo: "'1h'",
    retention: '{ hourly: 24, daily: 7, weekly: 4, monthly: 12 }',
    ...changes,
  };
  const body = Object.entries(props)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}: ${value}`)
    .join(', ');
  return `export const ${exportName} = backupPolicy('${name}', { ${body} });\n`;
}

/** What a case must print. */
interface Expected {
  /** The file (relative to `policies/`) of the line that reports it. */
  readonly file: string;
  /** Text on that file's reporting line, to find its line number; none when the report has no line. */
  readonly lineOf?: string;
  /** Diagnostic code, for diagnostics; load failures have none. */
  readonly code?: string;
  /** `<declaration>.<path>`, for diagnostics. */
  readonly at?: string;
  /** The message, or part of it. */
  readonly message?: RegExp;
}

interface BadCase {
  readonly title: string;
  readonly files: Readonly<Record<string, string>>;
  readonly expected: Expected;
  readonly env?: Readonly<Record<string, string>>;
}

const name60 = `payments-${'x'.repeat(51)}`;

/** The example clusters file with one change in the prod-eu declaration. */
function changeProdEu(pattern: RegExp, replacement: string): string {
  const source = readFileSync(path.join(examplePolicies, 'clusters.ts'), 'utf8');
  const start = source.indexOf("cluster('prod-eu'");
  const end = source.indexOf('});', start);
  const changed = source.slice(start, end).replace(pattern, replacement);
  if (start < 0 || changed === source.slice(start, end)) throw new Error(`${pattern} does not match the prod-eu cluster`);
  return source.slice(0, start) + changed + source.slice(end);
}

const cases: readonly BadCase[] = [
  {
    title: 'a negative retention count',
    files: { 'teams/case.ts': IMPORTS + policy('ledger-copy', { retention: '{ hourly: 24, daily: -1 }' }) },
    expected: { file: 'teams/case.ts', lineOf: 'backupPolicy(', code: 'RET002', at: 'ledger-copy.retention.daily', message: /expected a whole number >= 0, got -1/ },
  },
  {
    title: 'an unknown retention tier',
    files: { 'teams/case.ts': IMPORTS + policy('quarterly', { retention: '{ daily: 40, quarterly: 4 }' }) },
    expected: { file: 'teams/case.ts', lineOf: 'backupPolicy(', code: 'RET004', at: 'quarterly.retention.quarterly', message: /unknown retention tier "quarterly"/ },
  },
  {
    title: 'a retention that keeps nothing',
    files: { 'teams/case.ts': IMPORTS + policy('nothing-kept', { retention: '{ daily: 0, weekly: 0 }' }) },
    expected: { file: 'teams/case.ts', lineOf: 'backupPolicy(', code: 'RET003', at: 'nothing-kept.retention' },
  },
  {
    title: "an invalid duration '1x'",
    files: { 'teams/case.ts': IMPORTS + policy('bad-rpo', { rpo: "'1x'" }) },
    expected: { file: 'teams/case.ts', lineOf: 'backupPolicy(', code: 'DUR001', at: 'bad-rpo.rpo', message: /got "1x"/ },
  },
  {
    title: 'a missing RPO',
    files: { 'teams/case.ts': IMPORTS + policy('no-rpo', { rpo: undefined }) },
    expected: { file: 'teams/case.ts', lineOf: 'backupPolicy(', code: 'DUR002', at: 'no-rpo.rpo' },
  },
  {
    title: 'an unknown time zone',
    files: { 'teams/case.ts': IMPORTS + policy('mars', { timeZone: "'Mars/Olympus_Mons'" }) },
    expected: { file: 'teams/case.ts', lineOf: 'backupPolicy(', code: 'CRON002', at: 'mars.timeZone', message: /Mars\/Olympus_Mons/ },
  },
  {
    title: 'an invalid cron override',
    files: { 'teams/case.ts': IMPORTS + policy('bad-cron', { schedule: "'61 * * * *'" }) },
    expected: { file: 'teams/case.ts', lineOf: 'backupPolicy(', code: 'CRON001', at: 'bad-cron.schedule', message: /61 \* \* \* \*/ },
  },
  {
    title: 'a cron override slower than the RPO',
    files: { 'teams/case.ts': IMPORTS + policy('slow-cron', { schedule: "'0 */6 * * *'" }) },
    expected: { file: 'teams/case.ts', lineOf: 'backupPolicy(', code: 'RPO001', at: 'slow-cron.schedule', message: /6h apart, longer than the RPO of 1h/ },
  },
  {
    title: 'an upper-case namespace',
    files: { 'teams/case.ts': IMPORTS + policy('upper', { namespaces: "['Payments']" }) },
    expected: { file: 'teams/case.ts', lineOf: 'backupPolicy(', code: 'NAME001', at: 'upper.namespaces[0]', message: /"Payments" is not a valid Kubernetes name/ },
  },
  {
    title: 'a policy name of 60 characters',
    files: { 'teams/case.ts': IMPORTS + policy(name60) },
    expected: { file: 'teams/case.ts', lineOf: 'backupPolicy(', code: 'NAME002', at: `${name60}.name`, message: /at most 48/ },
  },
  {
    title: 'the same policy name in two files',
    files: {
      'teams/dup-a.ts': IMPORTS + policy('twin'),
      'teams/dup-b.ts': `${IMPORTS}\n// the second file declares it again\n${policy('twin')}`,
    },
    expected: { file: 'teams/dup-b.ts', lineOf: 'backupPolicy(', code: 'DUP001', at: 'twin.name', message: /first declared at .*teams\/dup-a\.ts:3/ },
  },
  {
    title: 'a storage that is not in the policy cluster',
    files: { 'teams/case.ts': IMPORTS + policy('misplaced', { storage: 'usBackups' }) },
    expected: { file: 'teams/case.ts', lineOf: 'backupPolicy(', code: 'REF003', at: 'misplaced.storage', message: /"us-backups" is not listed in cluster "prod-eu"/ },
  },
  {
    title: 'cluster: undefined (an import that is not exported)',
    files: { 'teams/case.ts': `${IMPORTS}import * as clusters from '../clusters.ts';\n\n${policy('orphan', { cluster: 'clusters.prodUs' })}` },
    expected: { file: 'teams/case.ts', lineOf: 'backupPolicy(', code: 'REF001', at: 'orphan.cluster', message: /got undefined/ },
  },
  {
    title: 'a storage given by name instead of a declaration',
    files: { 'teams/case.ts': IMPORTS + policy('by-name', { storage: "'eu-backups'" }) },
    expected: { file: 'teams/case.ts', lineOf: 'backupPolicy(', code: 'REF002', at: 'by-name.storage' },
  },
  {
    title: 'a restore plan from an undefined policy',
    files: {
      'teams/case.ts': `${IMPORTS}import * as other from './nowhere-exported.ts';\n\nexport const plan = restorePlan('lost-plan', { from: other.missingPolicy, to: drUs, scenario: 'region-loss', rto: '1h' });\n`,
      'teams/nowhere-exported.ts': `${IMPORTS}${policy('exported-under-another-name', {}, 'other')}`,
    },
    expected: { file: 'teams/case.ts', lineOf: 'restorePlan(', code: 'REF004', at: 'lost-plan.from' },
  },
  {
    title: "a restore plan with an RTO of '45'",
    files: { 'teams/case.ts': `${IMPORTS}import { ledger } from './payments.ts';\n\nexport const plan = restorePlan('ledger-slow', { from: ledger, to: drUs, scenario: 'region-loss', rto: '45' });\n` },
    expected: { file: 'teams/case.ts', lineOf: 'restorePlan(', code: 'DUR001', at: 'ledger-slow.rto' },
  },
  {
    title: 'an RPO above the production maximum (guardrail)',
    files: { 'teams/case.ts': IMPORTS + policy('lazy', { rpo: "'4h'" }) },
    expected: { file: 'teams/case.ts', lineOf: 'backupPolicy(', code: 'GRD001', at: 'lazy.rpo', message: /RPO 4h is above the production maximum of 1h/ },
  },
  {
    title: 'a retention shorter than the production minimum (guardrail)',
    files: { 'teams/case.ts': IMPORTS + policy('forgetful', { retention: '{ hourly: 24, daily: 7 }' }) },
    expected: { file: 'teams/case.ts', lineOf: 'backupPolicy(', code: 'GRD002', at: 'forgetful.retention' },
  },
  {
    title: 'unencrypted storage written in production (guardrail)',
    files: {
      'teams/case.ts': `${IMPORTS}
export const plain = s3Storage('plain-backups', { bucket: 'acme-plain', region: 'eu-west-1', credentials: sealed('velero-plain-credentials'), immutable: { days: 1 } });
export const qa = cluster('qa-eu', { environment: 'production', storage: [plain], snapshotClasses: [csi({ driver: 'ebs.csi.aws.com' })] });
${policy('plain-writer', { cluster: 'qa' })}`,
    },
    expected: { file: 'teams/case.ts', lineOf: 's3Storage(', code: 'GRD003', at: 'plain-backups.encryption' },
  },
  {
    title: 'a policy with neither namespaces nor a selector',
    files: { 'teams/case.ts': IMPORTS + policy('selects-nothing', { namespaces: undefined }) },
    expected: { file: 'teams/case.ts', lineOf: 'backupPolicy(', code: 'POL001', at: 'selects-nothing.namespaces' },
  },
  {
    title: 'storage without credentials',
    files: { 'teams/case.ts': `${IMPORTS}\nexport const bare = s3Storage('bare-backups', { bucket: 'b', region: 'eu-west-1' });\n` },
    expected: { file: 'teams/case.ts', lineOf: 's3Storage(', code: 'STO002', at: 'bare-backups.credentials' },
  },
  {
    title: 'a policy file that throws while loading',
    files: { 'teams/case.ts': `${IMPORTS}\nconst owners = JSON.parse('{broken');\nexport const x = owners;\n` },
    expected: { file: 'teams/case.ts', lineOf: "JSON.parse('{broken')", message: /JSON/ },
  },
  {
    title: 'a policy file that throws an error of its own',
    files: { 'teams/case.ts': `${IMPORTS}\nif (prodEu) throw new Error('inventory service unreachable');\n` },
    expected: { file: 'teams/case.ts', lineOf: 'throw new Error', message: /inventory service unreachable/ },
  },
  {
    title: 'a policy file that imports a missing module',
    files: { 'teams/case.ts': `${IMPORTS}import { owners } from './owners.ts';\n\n${policy('owned', { namespaces: 'owners' })}` },
    expected: { file: 'teams/case.ts', message: /Cannot find module '.*teams\/owners\.ts' imported from .*teams\/case\.ts/ },
  },
  {
    title: 'a policy file with a syntax error',
    files: { 'teams/case.ts': `${IMPORTS}\nexport const = backupPolicy('x', {});\n` },
    expected: { file: 'teams/case.ts', lineOf: 'export const =', message: /Expected identifier/ },
  },
  {
    title: 'a policy file that never terminates (while (true) {}), with RESTORABLE_LOAD_TIMEOUT_MS=2000',
    files: { 'teams/case.ts': `${IMPORTS}\nwhile (prodEu) {}\n` },
    env: { RESTORABLE_LOAD_TIMEOUT_MS: '2000' },
    expected: { file: 'teams/case.ts', message: /did not finish loading|did not finish within 2s/ },
  },
  {
    title: 'a policy file whose top-level await never settles',
    files: { 'teams/case.ts': `${IMPORTS}\nawait new Promise(() => {});\n` },
    env: { RESTORABLE_LOAD_TIMEOUT_MS: '2000' },
    // The worker exits at once (code 13) and the file is named; under heavy load the time limit may come first, which also names it.
    expected: { file: 'teams/case.ts', message: /top-level await never settles|did not finish/ },
  },
  {
    title: 'a policy file that calls process.exit',
    files: { 'teams/case.ts': `${IMPORTS}\nprocess.exit(0);\n` },
    expected: { file: 'teams/case.ts', message: /process\.exit/ },
  },
  {
    title: 'a cluster with two snapshot classes for one driver',
    files: { 'clusters.ts': changeProdEu(/snapshotClasses: \[(csi\([^)]*\))\]/, 'snapshotClasses: [$1, $1]') },
    expected: { file: 'clusters.ts', lineOf: "cluster('prod-eu'", code: 'VEL007', at: 'prod-eu.snapshotClasses[1]' },
  },
  {
    title: 'a cluster listing the same storage twice',
    files: { 'clusters.ts': changeProdEu(/storage: \[euBackups\]/, 'storage: [euBackups, euBackups]') },
    expected: { file: 'clusters.ts', lineOf: "cluster('prod-eu'", code: 'REF006', at: 'prod-eu.storage[1]' },
  },
  {
    title: 'a snapshot class parameter that is NaN',
    files: { 'clusters.ts': changeProdEu(/deletionPolicy: 'Retain' \}/, "deletionPolicy: 'Retain', parameters: { iops: Number.NaN } }") },
    expected: { file: 'clusters.ts', lineOf: "cluster('prod-eu'", code: 'TYPE001', at: 'prod-eu.snapshotClasses[0].parameters.iops', message: /expected a string, got NaN/ },
  },
  {
    title: 'an included resource that is NaN, beside a retention count that is Infinity (RET002)',
    files: { 'teams/case.ts': `${IMPORTS}export const bucket = Number.NaN;\n${policy('ledger-copy', { retention: '{ hourly: 24, daily: Number.POSITIVE_INFINITY }', includedResources: '[bucket]' })}` },
    expected: { file: 'teams/case.ts', lineOf: 'backupPolicy(', code: 'TYPE001', at: 'ledger-copy.includedResources[0]', message: /got NaN/ },
  },
  {
    title: 'a snapshot class parameter that is a number',
    files: { 'clusters.ts': changeProdEu(/deletionPolicy: 'Retain' \}/, "deletionPolicy: 'Retain', parameters: { iops: 3000 } }") },
    expected: { file: 'clusters.ts', lineOf: "cluster('prod-eu'", code: 'TYPE001', at: 'prod-eu.snapshotClasses[0].parameters.iops', message: /expected a string, got 3000/ },
  },
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function lineIn(source: string, needle: string): number {
  const index = source.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`"${needle}" is not in the case source`);
  return index + 1;
}

describe('bad input: the baseline', () => {
  it('GIVEN a copy of the example organisation and its committed output WHEN synth runs THEN it succeeds and the output is already up to date', async ({ expect }) => {
    const project = await makeTempProject({ copyExamplePolicies: true, populateOutput: true });
    try {
      const before = await hashTree(project.outDir);
      const result = await runSynth(project.policiesDir, project.outDir);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/is up to date/);
      expect(await hashTree(project.outDir)).toBe(before);
    } finally {
      await project.cleanup();
    }
  });
});

describe.concurrent('bad input: every malformed policy fails the same way', () => {
  for (const c of cases) {
    const at = c.expected.at ? ` at ${c.expected.at}` : '';
    const title = `GIVEN ${c.title} WHEN synth runs THEN exit 1${c.expected.code ? `, ${c.expected.code}` : ''}${at}, the file${c.expected.lineOf ? ' and line' : ''}, no stack trace, output unchanged`;
    it(title, async ({ expect }) => {
      const project = await makeTempProject({ copyExamplePolicies: true, populateOutput: true, policies: c.files });
      try {
        const before = await hashTree(project.outDir);
        const result = await runSynth(project.policiesDir, project.outDir, { env: c.env });
        const file = project.policyPath(c.expected.file);
        const source = c.files[c.expected.file] ?? '';
        const where = c.expected.lineOf ? `${escapeRegExp(file)}:${lineIn(source, c.expected.lineOf)}` : escapeRegExp(file);
        const field = c.expected.at ? `${escapeRegExp(c.expected.at)}\\S*: ` : '';
        const code = c.expected.code ? ` \\(${c.expected.code}\\)` : '';

        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr).toMatch(new RegExp(`^${where}: ${field}.*${code}$`, 'm'));
        if (c.expected.message) expect(result.stderr).toMatch(c.expected.message);
        expect(stackTraceLines(result.stderr)).toEqual([]);
        expect(result.stdout).toBe('');
        expect(await hashTree(project.outDir)).toBe(before);
        expect((await readdir(project.dir)).sort()).toEqual(['out', 'policies']);
      } finally {
        await project.cleanup();
      }
    });
  }
});
