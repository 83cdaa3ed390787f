/**
 * The bad-input corpus (test/corpus/bad/) through the real CLI. Each case is one mistake a user
 * makes; synth must exit 1, report the case's code on `<file>:<line>: <declaration>.<path>`, print
 * no stack trace, leave a populated output folder byte for byte as it was, and never print the fake
 * secret seeded into the case (in the policy files and in the environment).
 *
 * Cases that only add files are run several to a process, which stays attributable: every error
 * reported must come from one of the group's own files and carry a code that case expects. Cases
 * that change shared files, set the environment or stop loading run alone. At most three synths run
 * at a time.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runSynth, stackTraceLines } from '../support/run-cli.ts';
import { hashTree, makeTempProject } from '../support/temp.ts';
import {
  type CorpusCase,
  escapeRegExp,
  fakeSecret,
  installBase,
  installCase,
  lineOf,
  ownedFiles,
  readCorpus,
  reportedLines,
  secretPieces,
} from './support/corpus.ts';
import { createPool } from './support/pool.ts';

/** Cases per process when they can share one. */
const GROUP_SIZE = 8;

const corpus = await readCorpus();
const pool = createPool(3);

/** What one synth over a group of cases did. */
interface GroupRun {
  readonly result: CliResult;
  readonly before: string;
  readonly after: string;
  /** What lies in the project folder afterwards (the output and the policies, nothing else). */
  readonly beside: string[];
  /** Installed sources by file (relative to `policies/`), to find reported lines. */
  readonly sources: ReadonlyMap<string, string>;
  readonly secrets: readonly string[];
  readonly projectRel: string;
}

function groupsOf(cases: readonly CorpusCase[]): CorpusCase[][] {
  const groups: CorpusCase[][] = cases.filter((c) => c.alone).map((c) => [c]);
  const shared = cases.filter((c) => !c.alone);
  for (let i = 0; i < shared.length; i += GROUP_SIZE) groups.push(shared.slice(i, i + GROUP_SIZE));
  return groups;
}

async function runGroup(cases: readonly CorpusCase[]): Promise<GroupRun> {
  const project = await makeTempProject({ copyExamplePolicies: true, populateOutput: true });
  try {
    await installBase(project);
    const secrets: string[] = [];
    const env: Record<string, string> = {};
    for (const c of cases) {
      const secret = fakeSecret();
      secrets.push(secret);
      await installCase(project, c, secret);
      Object.assign(env, c.env);
    }
    // A token and a cloud key in the environment, as on a CI runner: never to be echoed either.
    Object.assign(env, { RESTORABLE_GIT_TOKEN: secrets[0] ?? '', AWS_SECRET_ACCESS_KEY: secrets[0] ?? '' });
    const sources = new Map<string, string>();
    for (const c of cases) {
      for (const file of new Set([c.file, ...ownedFiles(c)])) {
        sources.set(file, await readFile(path.join(project.policiesDir, file), 'utf8').catch(() => ''));
      }
    }
    const before = await hashTree(project.outDir);
    const result = await runSynth(project.policiesDir, project.outDir, { env, timeoutMs: 90_000 });
    return {
      result,
      before,
      after: await hashTree(project.outDir),
      beside: (await readdir(project.dir)).sort(),
      sources,
      secrets,
      projectRel: project.rel,
    };
  } finally {
    await project.cleanup();
  }
}

const groups = groupsOf(corpus);
const runs = new Map<CorpusCase, Promise<GroupRun>>();

beforeAll(() => {
  for (const group of groups) {
    const run = pool(() => runGroup(group));
    run.catch(() => undefined);
    for (const c of group) runs.set(c, run);
  }
});

/** The line a case must print, as a regular expression over synth's stderr. */
function expectedLine(c: CorpusCase, run: GroupRun): RegExp {
  const file = `${run.projectRel}/policies/${c.file}`;
  const source = run.sources.get(c.file) ?? '';
  const where = `${escapeRegExp(file)}:${c.line ? lineOf(source, c.line) : '\\d+'}`;
  if (c.code === null) return new RegExp(`^${c.line ? where : `${escapeRegExp(file)}(?::\\d+)?`}: .+$`, 'm');
  const field = c.path ? `${escapeRegExp(c.path)}: ` : '';
  return new RegExp(`^${where}: ${field}.*\\(${c.code}\\)$`, 'm');
}

describe('bad-input corpus', () => {
  it('GIVEN the corpus WHEN read THEN it holds at least 60 cases, each with a reason, and no two alike', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    const signatures = corpus.map((c) => `${c.code}|${c.path}|${c.message ?? ''}|${c.why}`);
    expect(new Set(signatures).size).toBe(signatures.length);
    for (const c of corpus) expect(c.why.length, c.id).toBeGreaterThan(10);
  });

  it('GIVEN the corpus base alone WHEN synth runs THEN it succeeds, so every failure below is the case\'s own', async () => {
    const project = await makeTempProject({ copyExamplePolicies: true });
    try {
      await installBase(project);
      const result = await pool(() => runSynth(project.policiesDir, project.outDir));
      expect(result.code, result.stderr).toBe(0);
      expect(reportedLines(result.stderr).filter((line) => !line.warning)).toEqual([]);
    } finally {
      await project.cleanup();
    }
  }, 120_000);

  it('GIVEN the cases that share a process WHEN they run THEN every error comes from one of their own files, so each stays attributable', async () => {
    for (const group of groups.filter((g) => g.length > 1)) {
      const first = group[0];
      if (!first) continue;
      const run = await (runs.get(first) ?? Promise.reject(new Error('not scheduled')));
      for (const line of reportedLines(run.result.stderr).filter((l) => !l.warning)) {
        const owner = group.find((c) => line.file !== undefined && [c.file, ...ownedFiles(c)].some((file) => line.file === `${run.projectRel}/policies/${file}`));
        expect(owner, `error from no case of [${group.map((c) => c.id).join(', ')}]: ${line.text}`).toBeDefined();
      }
    }
  }, 300_000);

  describe.concurrent('each case', () => {
    for (const c of corpus) {
      const title = `GIVEN ${c.id} (${c.why}) WHEN synth runs THEN exit 1, ${c.code ?? 'a load failure'}${c.path ? ` at ${c.path}` : ''} in ${c.file}, no stack trace, output unchanged, no secret printed`;
      it(
        title,
        async () => {
          const run = await (runs.get(c) ?? Promise.reject(new Error('not scheduled')));
          const { result } = run;
          const output = `${result.stdout}${result.stderr}`;

          expect(result.code, result.stderr).toBe(1);
          expect(result.stderr).toMatch(expectedLine(c, run));
          if (c.message) expect(result.stderr).toMatch(new RegExp(c.message, 'm'));
          if (c.warning) {
            const file = `${run.projectRel}/policies/${c.warning.file}`;
            expect(result.stderr).toMatch(new RegExp(`^${escapeRegExp(file)}:\\d+: warning: .*\\(${c.warning.code}\\)$`, 'm'));
          }
          expect(stackTraceLines(result.stderr)).toEqual([]);
          expect(result.stderr).not.toMatch(/internal error/);
          // Huge input is reported, not echoed: the report stays readable.
          expect(result.stderr.length).toBeLessThan(100_000);
          expect(result.stdout).toBe('');
          expect(run.after).toBe(run.before);
          expect(run.beside).toEqual(['out', 'policies']);
          for (const secret of run.secrets) {
            for (const piece of secretPieces(secret)) expect(output).not.toContain(piece);
          }

          // Its own files report only what it expects (a case run alone may rightly report elsewhere too).
          for (const line of reportedLines(result.stderr).filter((l) => !l.warning)) {
            const own = line.file !== undefined && [c.file, ...ownedFiles(c)].some((file) => line.file === `${run.projectRel}/policies/${file}`);
            if (own || c.alone) expect([c.code, ...c.also], `unexpected error: ${line.text}`).toContain(line.code);
          }
        },
        180_000,
      );
    }
  });
});
