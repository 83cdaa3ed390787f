/**
 * Every shell script restorable ships, read by ShellCheck as POSIX sh: the runner and drill scripts
 * (each after lib.sh, as the job runs them) and every `sh -c` script of the example organisation's
 * output (database dump and restore hooks, pre-sync backups, the repository-password hook).
 *
 * ShellCheck comes with Debian's `shellcheck` package, which `.ci/run` installs. In CI (CI set) a
 * missing shellcheck fails this file; on a developer machine without it the checks are skipped, so
 * that `npm test` needs nothing beyond Node.js.
 */
import { spawnSync } from 'node:child_process';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { exampleCompilation } from '../argocd/support.ts';
import { SCRIPTS } from '../../src/lower/restore/scripts.ts';

const version = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
const hasShellcheck = version.status === 0;

/** ShellCheck's findings (warnings and errors) for `script` read as POSIX sh; '' when clean. */
function findings(script: string): string {
  const run = spawnSync('shellcheck', ['--shell=sh', '--severity=warning', '-'], { input: script, encoding: 'utf8' });
  return run.status === 0 ? '' : run.stdout || run.stderr;
}

/** The script of every `<shell> -c <script>` command found anywhere in `value`. */
function shellScripts(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) {
    const flag = value.findIndex((item) => typeof item === 'string' && /^-[a-z]*c$/.test(item));
    if (flag >= 1 && /(^|\/)(ba|da)?sh$/.test(String(value[0])) && typeof value[flag + 1] === 'string') into.push(value[flag + 1] as string);
    for (const item of value) shellScripts(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) shellScripts(item, into);
  }
  return into;
}

describe('shellcheck in CI', () => {
  it.runIf(process.env.CI)("GIVEN a CI run WHEN the scripts are checked THEN shellcheck is installed (.ci/run installs Debian's shellcheck package)", () => {
    expect(version.error?.message ?? version.stderr, 'shellcheck --version').toBe('');
    expect(version.status).toBe(0);
  });
});

describe.runIf(hasShellcheck)('the shipped shell scripts are ShellCheck-clean POSIX sh', () => {
  it.each(['runner.sh', 'drill.sh'] as const)('GIVEN lib.sh followed by %s WHEN checked THEN there is no warning', (name) => {
    expect(findings(`${SCRIPTS['lib.sh']}\n${SCRIPTS[name]}`)).toBe('');
  });

  it('GIVEN the example organisation WHEN every sh -c script of its output is checked THEN there is no warning', async () => {
    const { files } = await exampleCompilation();
    const scripts = new Set<string>();
    for (const [file, content] of files) {
      if (!file.endsWith('.yaml')) continue;
      for (const document of yaml.loadAll(content)) for (const script of shellScripts(document)) scripts.add(script);
    }
    expect(scripts.size).toBeGreaterThan(0);
    const bad = [...scripts].map((script) => findings(script)).filter((text) => text !== '');
    expect(bad).toEqual([]);
  }, 120_000);
});
