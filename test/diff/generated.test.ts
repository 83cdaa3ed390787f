/**
 * `restorable diff` on the generated manifests, in a real git repository: the base's committed
 * output (what the clusters run) against today's compiler's output, object by object.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiffReport } from '../../src/diff/index.ts';
import { runCli } from '../support/run-cli.ts';
import { examplePolicies, repoRoot } from '../support/temp.ts';
import { type GitProject, makeGitProject } from './git-project.ts';

// After the example organisation's sealing certificates start.
const NOW = '2026-12-01T12:00:00Z';

let project: GitProject;
const validateSchema = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(await readFile(path.join(repoRoot, 'test/fixtures/schemas/diff-report.schema.json'), 'utf8')));

const VELERO = 'generated/clusters/prod-eu/velero';

/** Replaces text in a committed file of the project's work tree (before the next commit). */
async function edit(file: string, from: string | RegExp, to: string): Promise<void> {
  const target = path.join(project.dir, file);
  const text = await readFile(target, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${file}: nothing to replace`);
  await writeFile(target, next);
}

/** An object an older compiler made that today's does not, with `Prune=false` when `keep`. */
const retired = (kind: string, name: string, keep: boolean): string => `apiVersion: ${kind === 'ConfigMap' ? 'v1' : 'velero.io/v1'}
kind: ${kind}
metadata:
${keep ? '  annotations:\n    argocd.argoproj.io/sync-options: Prune=false,Delete=false\n' : ''}  name: ${name}
  namespace: velero
${kind === 'ConfigMap' ? 'data:\n  a: b\n' : 'spec:\n  provider: aws\n  objectStorage:\n    bucket: old-bucket\n'}`;

beforeAll(async () => {
  project = await makeGitProject({ 'README.md': 'backup policies\n' });
  await cp(examplePolicies, path.join(project.dir, 'policies'), { recursive: true });
  const synth = await runCli(['synth', '--policies', `${project.rel}/policies`, '--out', `${project.rel}/generated`]);
  expect(synth.code, synth.stderr).toBe(0);
  await project.commit('policies and their output', {});

  // What an older restorable made of the same policies: a RoleBinding bound to another Role, an
  // older Velero, a location and a ConfigMap it no longer makes, a Schedule it did not make yet.
  project.git('checkout', '-q', '-b', 'older-compiler', 'main');
  await edit(`${VELERO}/rolebinding-presync-backup-ledger.yaml`, /roleRef:\n(.*\n.*\n) {2}name: presync-backup-ledger/, 'roleRef:\n$1  name: presync-backup-ledger-v0');
  await edit(`${VELERO}/deployment-velero.yaml`, 'velero/velero:v1.18.1', 'velero/velero:v1.17.2');
  await project.commit('output of an older compiler', {
    [`${VELERO}/backupstoragelocation-retired.yaml`]: retired('BackupStorageLocation', 'retired', true),
    [`${VELERO}/configmap-retired.yaml`]: retired('ConfigMap', 'retired', false),
    [`${VELERO}/schedule-ledger-daily.yaml`]: null,
  });

  // A policy change with an up-to-date compiler: fewer daily restore points of ledger.
  project.git('checkout', '-q', '-b', 'retention-cut', 'main');
  await edit('policies/teams/payments.ts', 'retention: retention.standard(),', 'retention: { hourly: 24, daily: 3, weekly: 4, monthly: 12 },');
  await project.commit('fewer daily restore points', {});
  project.git('checkout', '-q', 'main');
}, 120_000);

afterAll(async () => {
  await project.cleanup();
});

async function diffJson(...args: string[]): Promise<DiffReport> {
  const result = await runCli(['--now', NOW, 'diff', '--policies', `${project.rel}/policies`, '--format', 'json', ...args]);
  expect(result.stderr).toBe('');
  const report = JSON.parse(result.stdout) as DiffReport;
  expect(validateSchema(report), JSON.stringify(validateSchema.errors)).toBe(true);
  return report;
}

describe('restorable diff: the generated manifests', () => {
  it('GIVEN a base whose committed output is what today\'s compiler makes WHEN diffed against itself THEN no object changes and "no change from the compiler itself"', async () => {
    const report = await diffJson('--base', 'main', '--head', 'main');

    expect(report.generated).toMatchObject({ folder: 'generated', change: { added: 0, changed: 0, removed: 0 }, compiler: { added: 0, changed: 0, removed: 0 }, upgradeNotes: [] });
    const markdown = await runCli(['--now', NOW, 'diff', '--policies', `${project.rel}/policies`, '--base', 'main', '--head', 'main']);
    expect(markdown.stdout).toContain(`No change from the compiler itself: the base's committed \`generated/\` is what today's compiler makes of the base's policies.`);
  }, 120_000);

  it('GIVEN a base committed by an older compiler WHEN diffed with the same policies THEN the compiler\'s own changes are listed, the Prune=false location is left behind with its delete command, and immutable roleRef and Velero version are upgrade notes rated review', async () => {
    const report = await diffJson('--base', 'older-compiler', '--head', 'older-compiler');
    const generated = report.generated;

    expect(generated?.compiler).toEqual(generated?.change);
    expect(generated?.change).toMatchObject({ added: 1, changed: 2, removed: 2 });
    expect(generated?.change?.objects).toEqual([
      { change: 'removed', area: 'clusters/prod-eu', apiVersion: 'velero.io/v1', kind: 'BackupStorageLocation', namespace: 'velero', name: 'retired', file: 'clusters/prod-eu/velero/backupstoragelocation-retired.yaml', fields: [], deleteCommand: 'kubectl delete backupstoragelocation.velero.io retired -n velero' },
      { change: 'removed', area: 'clusters/prod-eu', apiVersion: 'v1', kind: 'ConfigMap', namespace: 'velero', name: 'retired', file: 'clusters/prod-eu/velero/configmap-retired.yaml', fields: [], deleteCommand: null },
      { change: 'changed', area: 'clusters/prod-eu', apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'velero', name: 'velero', file: 'clusters/prod-eu/velero/deployment-velero.yaml', fields: ['spec.template'], deleteCommand: null },
      { change: 'changed', area: 'clusters/prod-eu', apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', namespace: 'velero', name: 'presync-backup-ledger', file: 'clusters/prod-eu/velero/rolebinding-presync-backup-ledger.yaml', fields: ['roleRef.name'], deleteCommand: null },
      { change: 'added', area: 'clusters/prod-eu', apiVersion: 'velero.io/v1', kind: 'Schedule', namespace: 'velero', name: 'ledger-daily', file: 'clusters/prod-eu/velero/schedule-ledger-daily.yaml', fields: [], deleteCommand: null },
    ]);
    expect(report.changes.filter((c) => c.subject === 'generated').map((c) => [c.class, c.kind, c.cluster, c.name, c.field, c.before, c.after])).toEqual([
      ['review', 'generated.left-behind', 'prod-eu', 'BackupStorageLocation/velero/retired', null, null, null],
      ['review', 'generated.velero-version', 'prod-eu', 'Deployment/velero/velero', 'spec.template.spec', 'docker.io/velero/velero:v1.17.2', 'docker.io/velero/velero:v1.18.1'],
      ['review', 'generated.immutable-field', 'prod-eu', 'RoleBinding/velero/presync-backup-ledger', 'roleRef', null, null],
    ]);
    expect(generated?.upgradeNotes.join('\n')).toContain('kubectl delete rolebinding.rbac.authorization.k8s.io presync-backup-ledger -n velero, then sync');
  }, 120_000);

  it('GIVEN a base committed by an older compiler WHEN rendered as Markdown THEN the section lists the objects, marks the one left behind and counts the compiler\'s own changes', async () => {
    const result = await runCli(['--now', NOW, 'diff', '--policies', `${project.rel}/policies`, '--base', 'older-compiler', '--head', 'older-compiler']);

    expect(result.stdout).toContain('#### Generated manifests (`generated/`)');
    expect(result.stdout).toContain('What the clusters run changes: 1 added, 2 changed, 2 removed.');
    expect(result.stdout).toContain('| removed | BackupStorageLocation `velero/retired` | clusters/prod-eu | ⚠️ left behind by Argo CD (Prune=false): `kubectl delete backupstoragelocation.velero.io retired -n velero` |');
    expect(result.stdout).toContain('**Upgrade notes for live clusters:**');
    expect(result.stdout).toContain("The compiler itself changes 1 added, 2 changed, 2 removed (the base's policies compiled by today's compiler");
  }, 120_000);

  it('GIVEN a policy change and an up-to-date compiler WHEN diffed THEN the Schedules the policy makes change and the compiler itself changes nothing', async () => {
    const report = await diffJson('--base', 'main', '--head', 'retention-cut');

    expect(report.generated?.compiler?.objects).toEqual([]);
    expect(report.generated?.change?.objects.filter((o) => o.kind === 'Schedule').map((o) => [o.change, o.name, o.fields])).toEqual([['changed', 'ledger-daily', ['spec.template']]]);
  }, 120_000);
});
