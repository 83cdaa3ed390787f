/**
 * A throwaway git repository for diff tests, inside the repository's `.tmp/` (policy modules
 * import `'restorable'`, which resolves only inside the package). Built and inspected with the git
 * CLI, so the tests check restorable's reads against git itself.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeTempProject, type TempProject } from '../support/temp.ts';

/** A temporary project that is also a git repository on branch `main`. */
export interface GitProject extends TempProject {
  /** Runs git in the project and returns its trimmed output. */
  git(...args: string[]): string;
  /** Writes files (relative to the project, `null` deletes) and commits them on the current branch. */
  commit(message: string, files: Readonly<Record<string, string | null>>): Promise<string>;
  /** Writes or deletes files without committing. */
  write(files: Readonly<Record<string, string | null>>): Promise<void>;
}

/** Git settings that make commits reproducible and independent of the machine's configuration. */
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
  GIT_AUTHOR_DATE: '2026-11-01T12:00:00Z',
  GIT_COMMITTER_DATE: '2026-11-01T12:00:00Z',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

/** Creates the repository with an initial commit of `files`. */
export async function makeGitProject(files: Readonly<Record<string, string | null>>): Promise<GitProject> {
  const project = await makeTempProject();
  await rm(project.policiesDir, { recursive: true, force: true });
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: project.dir, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const write = async (changes: Readonly<Record<string, string | null>>): Promise<void> => {
    for (const [file, content] of Object.entries(changes)) {
      const target = path.join(project.dir, file);
      if (content === null) await rm(target, { force: true });
      else {
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, content);
      }
    }
  };
  const commit = async (message: string, changes: Readonly<Record<string, string | null>>): Promise<string> => {
    await write(changes);
    git('add', '-A', '.');
    git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  git('init', '-q', '-b', 'main');
  await commit('base policies', files);
  return { ...project, git, commit, write };
}
