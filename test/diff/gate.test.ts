/**
 * The protection gate shipped in examples/ci: a change that reduces protection fails CI unless it
 * also edits the accepted-risks file (owned through CODEOWNERS, so someone other than the author
 * must approve). Run for real: the script, git and restorable on a throwaway repository.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/temp.ts';
import { BASE_FILES, shop } from './fixtures.ts';
import { type GitProject, makeGitProject } from './git-project.ts';

const GATE = path.join(repoRoot, 'examples/ci/restorable-gate.sh');

let project: GitProject;
let base: string;

beforeAll(async () => {
  project = await makeGitProject(BASE_FILES);
  base = project.git('rev-parse', 'HEAD');
});

afterAll(async () => {
  await project.cleanup();
});

function gate(branch: string): { code: number | null; stdout: string; stderr: string } {
  project.git('checkout', '-q', branch);
  const result = spawnSync('sh', [GATE, base], {
    cwd: project.dir,
    encoding: 'utf8',
    env: { ...process.env, RESTORABLE: `${process.execPath} ${path.join(repoRoot, 'bin/restorable.mjs')} --now 2026-11-25T12:00:00Z` },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('examples/ci/restorable-gate.sh', () => {
  it('GIVEN a change that cuts retention WHEN the gate runs THEN it fails and says how to get the risk approved', async () => {
    project.git('checkout', '-q', '-b', 'cut', 'main');
    await project.commit('cut retention', { 'policies/teams/shop.ts': shop({ retention: '{ daily: 3 }' }) });

    const result = gate('cut');

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/restorable gate: \d+ change\(s\) reduce protection .*record why in policies\/ACCEPTED-RISKS\.md in this change: its code owners must approve it/);
  });

  it('GIVEN the same change that also records the risk in the accepted-risks file WHEN the gate runs THEN it passes and says who must approve', async () => {
    project.git('checkout', '-q', '-b', 'cut-accepted', 'cut');
    await project.commit('accept', { 'policies/ACCEPTED-RISKS.md': '- daily restore points of orders cut to 3: storage costs (ticket OPS-1)\n' });

    const result = gate('cut-accepted');

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("risk(s) accepted in policies/ACCEPTED-RISKS.md; merging needs a code owner's approval of that file");
  });

  it('GIVEN a change that only improves protection WHEN the gate runs THEN it passes', async () => {
    project.git('checkout', '-q', '-b', 'better', 'main');
    await project.commit('better rpo', { 'policies/teams/shop.ts': shop({ rpo: '1h' }) });

    expect(gate('better')).toMatchObject({ code: 0, stdout: expect.stringContaining('no change reduces protection') });
  });

  it('GIVEN the shipped CI examples WHEN read THEN both run the gate on every change, and CODEOWNERS owns the accepted-risks file', async () => {
    const [github, gitlab, owners] = await Promise.all(['github-actions.yml', 'gitlab-ci.yml', 'CODEOWNERS'].map((f) => readFile(path.join(repoRoot, 'examples/ci', f), 'utf8')));

    expect(github).toMatch(/^ {6}- name: Protection gate\n(?: {8}.*\n)*? {8}run: sh ci\/restorable-gate\.sh /m);
    expect(github).not.toMatch(/^\s*#\s*npx restorable diff .*--fail-on/m);
    expect(gitlab).toMatch(/^ {4}- sh ci\/restorable-gate\.sh "\$base"$/m);
    expect(owners).toMatch(/^\/policies\/ACCEPTED-RISKS\.md @/m);
  });
});
