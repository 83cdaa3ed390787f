import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change, DiffReport } from '../../src/diff/index.ts';
import { type CliResult, runCli, stackTraceLines } from '../support/run-cli.ts';
import { repoRoot } from '../support/temp.ts';
import { BASE_FILES, PLAN, platform, shop } from './fixtures.ts';
import { type GitProject, makeGitProject } from './git-project.ts';

const NOW = '2026-11-25T12:00:00Z';

/** One branch per kind of change, each a single commit on top of main. */
const SCENARIOS: Readonly<Record<string, Readonly<Record<string, string | null>>>> = {
  'retention-cut': { 'policies/teams/shop.ts': shop({ retention: '{ daily: 3, weekly: 1 }' }) },
  'namespace-dropped': { 'policies/teams/shop.ts': shop({ namespaces: "['orders']" }) },
  'rpo-improved': { 'policies/teams/shop.ts': shop({ rpo: '1h' }) },
  'plan-added': { 'policies/teams/shop.ts': shop({ extra: PLAN }) },
  'encryption-removed': { 'policies/platform.ts': platform({ storage: 'immutable: { days: 1 },' }) },
  'password-changed': { 'policies/platform.ts': platform({ password: 'velero-repo-credentials-2027' }) },
  'policies-removed': { 'policies/platform.ts': null, 'policies/teams/shop.ts': null },
};

let project: GitProject;
let mainCommit: string;
const validateSchema = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(await readFile(path.join(repoRoot, 'test/fixtures/schemas/diff-report.schema.json'), 'utf8')));

beforeAll(async () => {
  project = await makeGitProject(BASE_FILES);
  mainCommit = project.git('rev-parse', 'HEAD');
  for (const [branch, files] of Object.entries(SCENARIOS)) {
    project.git('checkout', '-q', '-b', branch, 'main');
    await project.commit(branch, files);
  }
  project.git('checkout', '-q', 'main');
});

afterAll(async () => {
  await project.cleanup();
});

const diff = (...args: string[]): Promise<CliResult> => runCli(['--now', NOW, 'diff', '--policies', `${project.rel}/policies`, ...args]);

async function diffJson(...args: string[]): Promise<{ result: CliResult; report: DiffReport }> {
  const result = await diff('--format', 'json', ...args);
  expect(result.stderr).toBe('');
  const report = JSON.parse(result.stdout) as DiffReport;
  expect(validateSchema(report), JSON.stringify(validateSchema.errors)).toBe(true);
  return { result, report };
}

const pick = (changes: readonly Change[], kind: string, field?: string | null) =>
  changes.filter((c) => c.kind === kind && (field === undefined || c.field === field));

describe('the test repository', () => {
  it('GIVEN the setup WHEN inspected with the git CLI THEN main holds the base policies and each scenario branch is one commit changing only its files', () => {
    expect(project.git('rev-list', '--count', 'main')).toBe('1');
    expect(project.git('ls-tree', '-r', '--name-only', 'main').split('\n')).toEqual(['README.md', 'policies/platform.ts', 'policies/teams/shop.ts']);
    for (const [branch, files] of Object.entries(SCENARIOS)) {
      expect(project.git('rev-parse', `${branch}~1`)).toBe(mainCommit);
      expect(project.git('diff', '--name-only', 'main', branch).split('\n')).toEqual(Object.keys(files).sort());
    }
  });
});

describe('restorable diff: one change per class', () => {
  it('GIVEN retention cut from 7 daily and 4 weekly to 3 and 1 WHEN diffed THEN each tier and the oldest restore point are risks, and --fail-on risk exits 1', async () => {
    const { result, report } = await diffJson('--base', 'main', '--head', 'retention-cut', '--fail-on', 'risk');

    expect(result.code).toBe(1);
    expect(pick(report.changes, 'policy.retention')).toMatchObject([
      { class: 'risk', cluster: 'prod', subject: 'policy', name: 'orders', field: 'retention.daily', before: { keep: 7, ttl: '7d 4h' }, after: { keep: 3, ttl: '3d 4h' }, file: 'policies/teams/shop.ts', line: 4 },
      { class: 'risk', field: 'retention.weekly', before: { keep: 4 }, after: { keep: 1 } },
    ]);
    expect(pick(report.changes, 'policy.oldest-restore-point')).toMatchObject([{ class: 'risk', before: '28d 4h', after: '7d 4h' }]);
    expect(report.summary).toEqual({ risk: 3, review: 0, safe: 0, total: 3 });
    expect(report.restorePoints).toMatchObject([{ cluster: 'prod', policy: 'orders', changed: true, before: { oldestSeconds: 28 * 86_400 + 4 * 3600 }, after: { oldestSeconds: 7 * 86_400 + 4 * 3600 } }]);
  });

  it('GIVEN a namespace dropped from the only policy naming it WHEN diffed THEN the namespace lost coverage: risk', async () => {
    const { report } = await diffJson('--base', 'main', '--head', 'namespace-dropped');

    expect(report.changes).toMatchObject([
      { class: 'risk', kind: 'namespace.coverage-lost', cluster: 'prod', subject: 'namespace', name: 'billing', before: ['orders'], after: null, message: 'namespace billing is no longer backed up (was: orders)' },
    ]);
  });

  it('GIVEN the RPO lowered from 4h to 1h WHEN diffed THEN one safe change (the TTL margin that follows the RPO is not a retention change) and --fail-on risk exits 0', async () => {
    const { result, report } = await diffJson('--base', 'main', '--head', 'rpo-improved', '--fail-on', 'risk');

    expect(result.code).toBe(0);
    expect(report.changes).toMatchObject([{ class: 'safe', kind: 'policy.rpo', field: 'rpo', before: '4h', after: '1h' }]);
    expect(report.restorePoints[0]?.changed).toBe(false);
  });

  it('GIVEN a restore plan added WHEN diffed THEN it is safe; --fail-on review exits 0 and the plan is counted under its target cluster', async () => {
    const { result, report } = await diffJson('--base', 'main', '--head', 'plan-added', '--fail-on', 'review');

    expect(result.code).toBe(0);
    expect(report.changes).toMatchObject([
      { class: 'safe', kind: 'plan.added', cluster: 'prod', subject: 'restorePlan', name: 'orders-namespace-loss', after: { rto: '1h', drill: 'week', from: ['orders'] }, line: 13 },
    ]);
  });

  it('GIVEN storage encryption removed WHEN diffed THEN a shared (cluster-less) risk naming the clusters that use it', async () => {
    const { report } = await diffJson('--base', 'main', '--head', 'encryption-removed');

    expect(report.changes).toMatchObject([
      { class: 'risk', kind: 'storage.encryption', cluster: null, subject: 'storage', name: 'backups', before: { provider: 'aws', kmsKeyId: 'alias/backups' }, after: null, file: 'policies/platform.ts' },
    ]);
    expect(report.changes[0]?.message).toContain('(clusters prod)');
  });

  it('GIVEN the repository password reference changed WHEN diffed THEN a risk: existing repositories are orphaned', async () => {
    const { report } = await diffJson('--base', 'main', '--head', 'password-changed');

    expect(report.changes).toMatchObject([
      { class: 'risk', kind: 'cluster.repository-password', cluster: 'prod', before: 'velero-repo-credentials/repository-password', after: 'velero-repo-credentials-2027/repository-password' },
    ]);
    expect(report.changes[0]?.message).toContain('cannot open repositories created with the old one');
  });

  it('GIVEN an uncommitted change in the working tree WHEN diffed without --head THEN the working tree is the head, and --fail-on review exits 1 on a review', async () => {
    await project.write({ 'policies/teams/shop.ts': shop({ extra: "\nexport const tmp = exempt('scratch', { reason: 'load test data', until: '2027-01-31' });\n" }).replace("import { backupPolicy, restorePlan } from 'restorable';", "import { backupPolicy, exempt, restorePlan } from 'restorable';") });
    try {
      const { result, report } = await diffJson('--base', 'main', '--fail-on', 'review');

      expect(result.code).toBe(1);
      expect(report.head).toEqual({ ref: null, commit: null, policies: true });
      expect(report.changes).toMatchObject([{ class: 'review', kind: 'exemption.added', cluster: null, name: 'scratch', after: { until: '2027-01-31', reason: 'load test data' } }]);
    } finally {
      project.git('checkout', '-q', '--', 'policies');
    }
  });
});

describe('restorable diff: sides without policies, reports and errors', () => {
  it('GIVEN a head that removed every policy file WHEN diffed THEN everything is removed, with a note', async () => {
    const { report } = await diffJson('--base', 'main', '--head', 'policies-removed');

    expect(report.head.policies).toBe(false);
    // The fixture's credentials are not sealed for the cluster: the base has SEC001 errors, and says so.
    expect(report.notes).toEqual([
      expect.stringMatching(/^base main \([0-9a-f]{12}\): \d+ error\(s\) in the policies \(SEC001\); compared what resolved/),
      expect.stringMatching(/^head policies-removed \([0-9a-f]{12}\) has no policy files in policies\/: compared with an empty model/),
    ]);
    expect(report.changes.map((c) => `${c.class} ${c.kind} ${c.name}`)).toEqual([
      'risk cluster.removed prod',
      'risk policy.removed orders',
      'risk namespace.coverage-lost billing',
      'risk namespace.coverage-lost orders',
      'risk storage.removed backups',
      'risk guardrails.removed production',
    ]);
  });

  it('GIVEN a base without policies WHEN diffed THEN everything in the head is added (safe), with a note', async () => {
    const { report } = await diffJson('--base', 'policies-removed', '--head', 'main');

    expect(report.base.policies).toBe(false);
    expect(report.notes[0]).toMatch(/^base policies-removed \([0-9a-f]{12}\) has no policy files/);
    expect(report.summary).toMatchObject({ risk: 0, review: 0, safe: 6 });
  });

  it('GIVEN a retention cut WHEN rendered as Markdown THEN a summary line, a table for the cluster, a table of the restore points of each tier and a gantt chart of each tier before and after', async () => {
    const result = await diff('--base', 'main', '--head', 'retention-cut');

    expect(result.code).toBe(0);
    const text = result.stdout;
    expect(text.split('\n')[0]).toBe('### restorable diff: 3 risk, 0 review, 0 safe');
    expect(text).toMatch(/^Base `main` \([0-9a-f]{12}\), head `retention-cut` \([0-9a-f]{12}\)\.$/m);
    expect(text).toContain('#### Cluster `prod`');
    expect(text).toContain('| 🔴 risk | policy **orders** `retention.daily`<br>policies/teams/shop.ts:4 | daily restore points: 7 -> 3');
    expect(text).toContain(
      [
        '| policy | tier | before | after |',
        '|---|---|---|---|',
        // Daily runs every 4h (the RPO): 7 days of them are 42 restore points.
        '| prod / orders | daily | 42 (back 7d 4h) | 🔴 18 (back 3d 4h) |',
        '| prod / orders | weekly | 4 (back 28d 4h) | 🔴 1 (back 7d 4h) |',
        '| prod / orders | longest gap | 4h | 4h |',
      ].join('\n'),
    );
    expect(text).toContain('**Fewer restore points:** orders daily 42 -> 18, orders weekly 4 -> 1');
    expect(text).not.toContain('No policy keeps fewer');
    expect(text).toContain(
      [
        '```mermaid',
        'gantt',
        '  title Restore points per policy and tier, before and after',
        '  dateFormat YYYY-MM-DD HH:mm',
        '  axisFormat %Y-%m-%d',
        '  todayMarker off',
        '  section prod / orders',
        '    daily before 42 points, 7d 4h :done, b0_0, 2026-11-18 08:00, 2026-11-25 12:00',
        '    daily after 18 points, 3d 4h :crit, a0_0, 2026-11-22 08:00, 2026-11-25 12:00',
        '    weekly before 4 points, 28d 4h :done, b0_1, 2026-10-28 08:00, 2026-11-25 12:00',
        '    weekly after 1 point, 7d 4h :crit, a0_1, 2026-11-18 08:00, 2026-11-25 12:00',
        '```',
      ].join('\n'),
    );
  });

  it('GIVEN the same ref on both sides WHEN diffed THEN no changes', async () => {
    const result = await diff('--base', 'main', '--head', mainCommit.slice(0, 8));

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^### restorable diff: no protection changes\n/);
  });

  it('GIVEN ancestry syntax WHEN diffed THEN rpo-improved~1 is main', async () => {
    const { report } = await diffJson('--base', 'rpo-improved~1', '--head', 'rpo-improved');

    expect(report.base.commit).toBe(mainCommit);
    expect(report.summary.total).toBe(1);
  });

  it.each([
    [['--base', 'no-such-branch'], /^error: unknown revision "no-such-branch": give a branch, tag, remote branch \(origin\/main\) or commit id/m],
    [['--base', 'main~5'], /^error: "main~5" goes past the history/m],
    [['--base', 'main', '--format', 'yaml'], /argument 'yaml' is invalid/],
    [[], /required option '--base <ref>' not specified/],
  ])('GIVEN %j WHEN diffed THEN a usage error, exit 2, no stack trace', async (args, message) => {
    const result = await diff(...args);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(stackTraceLines(result.stderr)).toEqual([]);
  });

  it('GIVEN a base whose policies fail to load WHEN diffed THEN the error names the side and the repository path of the file, exit 1', async () => {
    project.git('checkout', '-q', '-b', 'broken', 'main');
    await project.commit('broken', { 'policies/teams/shop.ts': "import { nothing } from 'restorable';\nthrow new Error('boom');\n" });
    project.git('checkout', '-q', 'main');

    const result = await diff('--base', 'broken');

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: base broken \([0-9a-f]{12}\): 1 policy file\(s\) failed to load$/m);
    expect(result.stderr).toMatch(/^policies\/teams\/shop\.ts:2: boom$/m);
    expect(result.stderr).not.toContain('.tmp/');
    project.git('branch', '-q', '-D', 'broken');
  });
});

describe('restorable diff leaves the repository as it was', () => {
  it('GIVEN every diff above WHEN the repository is inspected with the git CLI THEN HEAD, branch, index and working tree are unchanged and no scratch folder is left', async () => {
    expect(project.git('rev-parse', 'HEAD')).toBe(mainCommit);
    expect(project.git('symbolic-ref', 'HEAD')).toBe('refs/heads/main');
    expect(project.git('status', '--porcelain', '--ignored')).toBe('');
    expect(project.git('branch', '--format=%(refname:short)').split('\n').sort()).toEqual(['main', ...Object.keys(SCENARIOS)].sort());
    await expect(stat(path.join(project.dir, '.tmp'))).rejects.toThrow(/ENOENT/);
  });
});
