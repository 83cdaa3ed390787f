/**
 * Credentials anywhere in the repository's two folders: any file under `policies/` (not only the
 * modules the policies load), and any file committed under the output folder by hand, which
 * `validate` reports as an exposed secret to revoke, with or without the drift check.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';
import { makeTempProject, type TempProject } from '../support/temp.ts';

// A made-up key in AWS's format (not a sample id, which the scanner ignores); never a real one.
const FAKE_KEY_ID = ['AKIA', 'Q3ZJ7W2XHKL5M9PB'].join('');
const FAKE_SECRET = ['wJalrXUtnFEMI', 'K7MDENGbPxRfiCYzQ8s2Lm4Vt9Xa'].join('/');

let project: TempProject;
beforeAll(async () => {
  project = await makeTempProject({ copyExamplePolicies: true, populateOutput: true });
});
afterAll(() => project.cleanup());

const validate = (...extra: string[]) => runCli(['validate', '--policies', `${project.rel}/policies`, '--out', `${project.rel}/out`, '--no-typecheck', ...extra]);

describe('credentials anywhere in policies/ and the committed output', () => {
  it('GIVEN a YAML file under policies/ that no policy loads, holding an AWS key WHEN validated THEN SEC011 names the file and never prints the value', async () => {
    await writeFile(path.join(project.policiesDir, 'notes.yaml'), `aws:\n  id: ${FAKE_KEY_ID}\n  secret: ${FAKE_SECRET}\n`);
    const result = await validate('--no-drift');
    await writeFile(path.join(project.policiesDir, 'notes.yaml'), 'nothing: here\n');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`SEC011[\\s\\S]*${project.rel}/policies/notes.yaml`));
    expect(`${result.stdout}${result.stderr}`).not.toContain(FAKE_KEY_ID);
    expect(`${result.stdout}${result.stderr}`).not.toContain(FAKE_SECRET);
  });

  it('GIVEN a plaintext Secret added by hand to the committed output WHEN validated with --no-drift THEN SEC009 says it is exposed and must be revoked', async () => {
    const file = path.join(project.outDir, 'clusters', 'prod-eu', 'velero', 'secret-hand-made.yaml');
    await writeFile(file, 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: hand-made\n  namespace: velero\nstringData:\n  password: hunter2hunter2\n');
    const result = await validate('--no-drift');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${project.rel}/out/clusters/prod-eu/velero/secret-hand-made.yaml: a plain Secret velero/hand-made is committed in the output`);
    expect(result.stdout).toMatch(/revoke and replace every value it holds/);
    expect(`${result.stdout}${result.stderr}`).not.toContain('hunter2hunter2');
  });

  it('GIVEN an AWS key pasted into a committed output file WHEN validated THEN SEC011 reports it besides the drift', async () => {
    await writeFile(path.join(project.outDir, 'clusters', 'prod-eu', 'velero', 'secret-hand-made.yaml'), `# ${FAKE_KEY_ID}\n`);
    const result = await validate();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('SEC011');
    expect(result.stdout).toContain('DRIFT001');
    expect(`${result.stdout}${result.stderr}`).not.toContain(FAKE_KEY_ID);
  });

  it('GIVEN a key appended to a generated file and a hand-made Secret WHEN validated with the drift check THEN both files are scanned: only the files that differ from a fresh synth are read again', async () => {
    const velero = path.join(project.outDir, 'clusters', 'prod-eu', 'velero');
    const generated = path.join(velero, (await readdir(velero)).find((f) => f.startsWith('schedule-')) ?? '');
    const before = await readFile(generated, 'utf8');
    await writeFile(generated, `${before}# ${FAKE_KEY_ID}\n`);
    await writeFile(path.join(velero, 'secret-hand-made.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: hand-made\n  namespace: velero\nstringData:\n  password: hunter2hunter2\n');
    const result = await validate();
    await writeFile(generated, before);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('DRIFT001');
    const shown = path.relative(project.dir, generated).split(path.sep).join('/');
    expect(result.stdout.split('\n').some((line) => line.includes(`${shown}:`) && line.includes('aws-access-key-id') && line.endsWith('(SEC011)'))).toBe(true);
    expect(result.stdout).toContain('a plain Secret velero/hand-made is committed in the output');
    expect(`${result.stdout}${result.stderr}`).not.toContain(FAKE_KEY_ID);
  });
});
