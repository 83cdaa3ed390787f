/**
 * The runbook of the example organisation's region-loss plan, compared with reviewed golden copies in
 * test/plans/golden/, and the properties any runbook must have: templates numbered in execution
 * order and equal to the runner's, the exact runner command, the Argo CD pause for full restores.
 *
 * After an intended change, regenerate the golden copies and review the diff:
 *   RESTORABLE_UPDATE_GOLDEN=1 npx vitest run test/plans/runbook.test.ts && git diff test/plans/golden
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Compilation, compile } from '../../src/compile.ts';
import { runbookFiles } from '../../src/lower/restore/runbook.ts';
import { examplePolicies } from '../support/temp.ts';
import { declarationsOf, modelOf, NOW, planOrg } from './support.ts';

const FOLDER = 'runbooks/dr-us/ledger-region-loss';
const GOLDEN = path.join(import.meta.dirname, 'golden', 'ledger-region-loss');
const UPDATE = process.env.RESTORABLE_UPDATE_GOLDEN === '1';

let compilation: Compilation;
/** The runbook files of the plan, by name inside its folder. */
let runbook: Map<string, string>;

beforeAll(async () => {
  compilation = await compile({ policiesDir: path.relative(process.cwd(), examplePolicies), now: NOW });
  runbook = new Map([...compilation.files].filter(([file]) => file.startsWith(`${FOLDER}/`)).map(([file, text]) => [file.slice(FOLDER.length + 1), text]));
  if (UPDATE) {
    await mkdir(GOLDEN, { recursive: true });
    for (const [name, text] of runbook) await writeFile(path.join(GOLDEN, name), text);
  }
});

/** Where two texts first differ, for a message a reader can act on. */
function firstDifference(expected: string, actual: string): string {
  const want = expected.split('\n');
  const got = actual.split('\n');
  const line = want.findIndex((text, i) => text !== got[i]);
  const at = line === -1 ? want.length : line;
  return `first difference at line ${at + 1}:\n  golden: ${JSON.stringify(want[at] ?? '(end of file)')}\n  actual: ${JSON.stringify(got[at] ?? '(end of file)')}`;
}

const hint = (name: string) =>
  `${FOLDER}/${name} differs from test/plans/golden/ledger-region-loss/${name}. If the change is intended, run\n` +
  '  RESTORABLE_UPDATE_GOLDEN=1 npx vitest run test/plans/runbook.test.ts\nand review `git diff test/plans/golden` before committing.';

describe('the region-loss runbook of the example organisation (golden)', () => {
  it('GIVEN the example policies WHEN compiled THEN they compile without errors', () => {
    expect(compilation.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('GIVEN the runbook folder WHEN listed THEN it holds exactly the golden files', async () => {
    const golden = (await readdir(GOLDEN)).sort();
    expect([...runbook.keys()].sort(), hint('(file list)')).toEqual(golden);
  });

  it('GIVEN every runbook file WHEN compared with its golden copy THEN they are equal byte for byte', async () => {
    for (const name of (await readdir(GOLDEN)).sort()) {
      const expected = await readFile(path.join(GOLDEN, name), 'utf8');
      const actual = runbook.get(name) ?? '';
      if (actual !== expected) expect.fail(`${hint(name)}\n${firstDifference(expected, actual)}`);
    }
  });
});

describe('properties of the region-loss runbook', () => {
  const readme = () => runbook.get('README.md') ?? '';
  const templates = () => [...runbook.keys()].filter((name) => name.endsWith('.yaml')).sort();

  it('GIVEN the numbered templates WHEN listed THEN they follow the execution order of the steps, as the by-hand loop sorts them', () => {
    const plan = compilation.model.restorePlans.find((p) => p.name === 'ledger-region-loss');
    expect(plan?.steps.map((s) => s.name)).toEqual(['ledger-config-storage', 'ledger-db', 'ledger-api', 'ledger-rest']);
    expect(templates()).toEqual(plan?.steps.map((s) => `${String(s.index).padStart(2, '0')}-${s.name}.yaml`));
    for (const [i, name] of templates().entries()) {
      const restore = yaml.load(runbook.get(name) ?? '') as { metadata: { name: string; labels: Record<string, string> } };
      expect(restore.metadata.name).toBe(`ledger-region-loss-0${i + 1}-RESTORABLE_RUN_ID`);
      expect(restore.metadata.labels['restorable.dev/step']).toBe(name.slice(3, -'.yaml'.length));
    }
    const rows = readme()
      .split('\n')
      .filter((line) => /^\| \d+ \|/.test(line))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    expect(rows.map((cells) => `${cells[1]} ${cells[2]} after ${cells[3]}`)).toEqual([
      '1 ledger-config-storage after -',
      '2 ledger-db after ledger-config-storage',
      '3 ledger-api after ledger-db',
      '4 ledger-rest after ledger-api',
    ]);
    expect(rows[0]?.[4]).toMatch(/^configuration and storage, without selector: .*secrets.*persistentvolumeclaims/);
  });

  it("GIVEN the templates WHEN compared with the runner's ConfigMap THEN by hand and the runner restore the very same Restores", () => {
    const configMap = compilation.objects.find((p) => p.cluster === 'dr-us' && p.object.kind === 'ConfigMap' && (p.object.metadata as { name: string }).name === 'restore-ledger-region-loss');
    const data = (configMap?.object.data ?? {}) as Record<string, string>;
    for (const name of templates()) expect(runbook.get(name), name).toBe(data[`step-${name.slice(0, 2)}.yaml`]);
  });

  it('GIVEN the README WHEN read THEN it gives the exact runner command, for a CronJob that exists on the target cluster', () => {
    expect(readme()).toContain('```sh\nkubectl -n velero create job --from=cronjob/restore-ledger-region-loss restore-ledger-region-loss-$(date +%s)\nkubectl -n velero logs -f job/<that job>\n```');
    const cronJob = compilation.objects.find((p) => p.cluster === 'dr-us' && p.object.kind === 'CronJob' && (p.object.metadata as { name: string }).name === 'restore-ledger-region-loss');
    expect(cronJob?.object.metadata).toMatchObject({ namespace: 'velero' });
    expect((cronJob?.object.spec as { suspend?: boolean } | undefined)?.suspend).toBe(true);
  });

  it('GIVEN a full-mode plan WHEN its runbook is read THEN it says to pause Argo CD auto-sync before the restore and how to re-enable it', () => {
    const text = readme();
    expect(text).toContain('mode: **full**');
    expect(text).toContain(`kubectl -n argocd patch application <team-app> --type merge -p '{"spec":{"syncPolicy":{"automated":null}}}'`);
    expect(text.indexOf('Pause Argo CD auto-sync')).toBeLessThan(text.indexOf('## Run it'));
    expect(text).toContain('argocd app set <team-app> --sync-policy automated');
  });

  it('GIVEN a data-only plan WHEN its runbook is read THEN it does not pause Argo CD and warns about existing claims instead', () => {
    const files = runbookFiles(modelOf(declarationsOf(planOrg({ plan: { mode: 'data-only' } }))));
    const text = files.get('runbooks/dr/ledger-dr/README.md') ?? '';
    expect(text).toContain('mode: **data-only**');
    expect(text).not.toContain('syncPolicy');
    expect(text).toContain('must have no PersistentVolumeClaims');
  });

  it('GIVEN the README WHEN read THEN it states the RTO, the estimate, the pin command, the last-run record and the drill result', () => {
    const text = readme();
    expect(text).toContain('RTO: **45m**; estimated restore time 40m');
    expect(text).toContain('kubectl -n velero create configmap restore-ledger-region-loss-pin --from-literal=<policy>=<backup-name>');
    expect(text).toContain('ConfigMap `restore-ledger-region-loss-last-run`');
    expect(text).toContain('Drilled every week by CronJob `drill-ledger-region-loss` (result in ConfigMap `drill-ledger-region-loss-result`)');
  });

  it('GIVEN restore hooks WHEN the README is read THEN it says how long they wait and run, and that this comes from the estimate with a margin', () => {
    const text = readme();
    expect(text).toContain('Restore hooks wait for their pod and run at least 59m: 1.5 times the estimated restore time of 40m');
    expect(text).toContain('- step `ledger-db`, hook 1: waits up to 59m, runs up to 59m');
  });

  it('GIVEN a plan without dataSize WHEN its runbook is read THEN the hook timeouts come from the RTO, and it says so', () => {
    const text = runbookFiles(modelOf(declarationsOf(planOrg({ plan: { dataSize: undefined } })))).get('runbooks/dr/ledger-dr/README.md') ?? '';
    expect(text).toContain('run at least 1h8m: 1.5 times the RTO of 45m (declare `dataSize` to derive it from an estimate)');
  });

  it('GIVEN the by-hand loop WHEN a Restore ends PartiallyFailed THEN the loop reports it and stops at once, and never uses `kubectl wait` (which waits out its timeout on a failed Restore)', async () => {
    const script = /```sh\n(backup=<backup-name>[\s\S]*?)```/.exec(readme())?.[1] ?? '';
    expect(script).toContain('PartiallyFailed');
    const dir = await mkdtemp(path.join(tmpdir(), 'restorable-by-hand-'));
    try {
      for (const name of templates()) await writeFile(path.join(dir, name), runbook.get(name) ?? '');
      // kubectl: create answers with the Restore's name, get with PartiallyFailed; every call is recorded.
      await writeFile(
        path.join(dir, 'kubectl'),
        '#!/bin/sh\necho "$*" >> calls\ncase "$1" in create) cat > /dev/null; echo restore.velero.io/r1 ;; -n) echo PartiallyFailed ;; *) exit 3 ;; esac\n',
        { mode: 0o755 },
      );
      const out = await new Promise<string>((done, fail) =>
        execFile('/bin/sh', ['-c', script.replace('<backup-name>', 'b1')], { cwd: dir, env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } }, (error, stdout) => (error ? fail(error) : done(stdout))),
      );
      expect(out).toBe('restore.velero.io/r1: PartiallyFailed\n');
      const calls = (await readFile(path.join(dir, 'calls'), 'utf8')).trim().split('\n');
      expect(calls.map((c) => c.split(' ')[0])).toEqual(['create', '-n']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // Regression guard (was a bug in src/lower/restore/runbook.ts, Checks section): a check's argv is joined with spaces and no
  // quoting, so the command a reader pastes is not the command the runner runs: the example's own
  // `--command=select 1` becomes the two arguments `--command=select` and `1`, and psql runs `select`.
  // (A check argument holding `$(...)` or a backtick would be executed by the pasting shell.)
  it("GIVEN the runbook's check commands WHEN parsed by a POSIX shell THEN each yields the check's argv", async () => {
    const plan = compilation.model.restorePlans.find((p) => p.name === 'ledger-region-loss');
    const commands = readme()
      .split('\n')
      .filter((line) => line.startsWith('- **'))
      .map((line) => / -- (.*)`$/.exec(line)?.[1] ?? '');
    const argvs = plan?.checks.flatMap((c) => (c.type === 'exec' ? [c.argv] : [])) ?? [];
    expect(commands).toHaveLength(argvs.length);
    for (const [i, command] of commands.entries()) {
      // The golden runbook is fixed text without substitutions, so letting sh split it is safe here.
      const words = await new Promise<string[]>((done, fail) =>
        execFile('/bin/sh', ['-c', `set -- ${command}; printf '%s\\n' "$@"`], (error, stdout) => (error ? fail(error) : done(stdout.split('\n').slice(0, -1)))),
      );
      expect(words).toEqual(argvs[i]);
    }
  });
});
