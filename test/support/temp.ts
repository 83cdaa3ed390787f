/**
 * Temporary folders for tests, and a hash of a folder tree to prove that something did or did not
 * change.
 *
 * Policy files import `'restorable'`, which resolves through the package's self-reference only for
 * files inside the repository, so temporary projects live under the repository's git-ignored `.tmp/`
 * folder. Folders that hold no policies (writer tests) go to the system temp folder.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The repository root (this file is test/support/temp.ts). */
export const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/**
 * The example organisation the tests compile: a fixture of its own, so that the tests do not depend
 * on the repository's `policies/` (which belongs to the organisation using restorable).
 */
export const exampleOrgDir = path.join(repoRoot, 'test', 'fixtures', 'orgs', 'example');
/** The example organisation's policies. */
export const examplePolicies = path.join(exampleOrgDir, 'policies');
/** {@link examplePolicies} relative to the repository root, `/` separators: what to pass as `--policies` or `policiesDir`. */
export const examplePoliciesRel = 'test/fixtures/orgs/example/policies';

let exampleOutput: Promise<string> | undefined;

/** Whether a process with this id is running. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the example outputs of test processes that are gone: a worker ended by the test runner
 * does not always get to run its exit handler.
 */
async function removeStaleExampleOutputs(): Promise<void> {
  const names = await readdir(path.join(repoRoot, '.tmp')).catch(() => [] as string[]);
  for (const name of names) {
    const pid = Number(/^example-out-(\d+)-/.exec(name)?.[1] ?? Number.NaN);
    if (Number.isInteger(pid) && pid !== process.pid && !isRunning(pid)) {
      await rm(path.join(repoRoot, '.tmp', name), { recursive: true, force: true });
    }
  }
}

/**
 * A fresh synth of the example organisation, made once per test process in the repository's
 * `.tmp/`: the folder to copy when a test needs an output folder that is already populated.
 */
function exampleSynthOutput(): Promise<string> {
  exampleOutput ??= (async () => {
    await removeStaleExampleOutputs();
    const dir = path.join(repoRoot, '.tmp', `example-out-${process.pid}-${randomBytes(6).toString('hex')}`);
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'restorable.mjs'), 'synth', '--policies', examplePolicies, '--out', dir], {
        cwd: repoRoot,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const chunks: Buffer[] = [];
      child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
      child.once('error', reject);
      child.once('close', (exitCode) => resolve({ code: exitCode, stderr: Buffer.concat(chunks).toString('utf8') }));
    });
    if (code !== 0) throw new Error(`synth of the example organisation failed (exit ${code}):\n${stderr}`);
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  })();
  return exampleOutput;
}

/** A temporary project inside the repository. */
export interface TempProject {
  /** Absolute path of the project folder. */
  readonly dir: string;
  /** The project folder relative to the repository root, with `/` separators (how the CLI prints paths). */
  readonly rel: string;
  /** Absolute path of `<dir>/policies`. */
  readonly policiesDir: string;
  /** Absolute path of `<dir>/out`, where tests synthesize to. */
  readonly outDir: string;
  /** `policies/<file>` relative to the repository root, as diagnostics print it. */
  policyPath(file: string): string;
  /** Writes (or replaces) `policies/<file>`. */
  writePolicy(file: string, source: string): Promise<void>;
  /** Removes the project. */
  cleanup(): Promise<void>;
}

/** Options of a temporary project. */
export interface TempProjectOptions {
  /** Copy the example organisation's policies into the project first. @default false */
  readonly copyExamplePolicies?: boolean;
  /** Policy files (relative to `policies/`) and their sources, written after the copy. @default none */
  readonly policies?: Readonly<Record<string, string>>;
  /** Put a synth of the example organisation into `out/`, so the output folder starts populated. @default false */
  readonly populateOutput?: boolean;
}

/** Makes `.tmp/<random>/` in the repository with a `policies/` folder. */
export async function makeTempProject(options: TempProjectOptions = {}): Promise<TempProject> {
  const id = `t-${process.pid}-${randomBytes(6).toString('hex')}`;
  const rel = `.tmp/${id}`;
  const dir = path.join(repoRoot, '.tmp', id);
  const policiesDir = path.join(dir, 'policies');
  const outDir = path.join(dir, 'out');
  await mkdir(policiesDir, { recursive: true });
  if (options.copyExamplePolicies) await cp(examplePolicies, policiesDir, { recursive: true });
  if (options.populateOutput) await cp(await exampleSynthOutput(), outDir, { recursive: true });
  const writePolicy = async (file: string, source: string): Promise<void> => {
    const target = path.join(policiesDir, file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, source);
  };
  for (const [file, source] of Object.entries(options.policies ?? {})) await writePolicy(file, source);
  return {
    dir,
    rel,
    policiesDir,
    outDir,
    policyPath: (file) => `${rel}/policies/${file}`,
    writePolicy,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A temporary folder in the system temp folder, for tests that need no policies. */
export async function makeTempDir(prefix = 'restorable-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Every file and folder under `dir` (hidden ones too), relative, `/` separators, sorted; folders end with `/`. */
export async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .map((entry) => {
      const rel = path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
      return entry.isDirectory() ? `${rel}/` : rel;
    })
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The files under `dir` (relative paths, sorted) and their bytes. */
export async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await listTree(dir)) {
    if (!entry.endsWith('/')) files.set(entry, await readFile(path.join(dir, entry)));
  }
  return files;
}

/**
 * sha256 over the sorted relative paths of `dir` and the bytes of its files: equal hashes mean the
 * same folders, the same file names and the same contents. A missing folder hashes to `'missing'`.
 */
export async function hashTree(dir: string): Promise<string> {
  const exists = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!exists) return 'missing';
  const hash = createHash('sha256');
  for (const entry of await listTree(dir)) {
    hash.update(`${entry}\0`);
    if (!entry.endsWith('/')) {
      const content = await readFile(path.join(dir, entry));
      hash.update(`${content.length}\0`);
      hash.update(content);
    }
  }
  return hash.digest('hex');
}

/** The modification time (ns) of `dir` itself and of everything under it, keyed by relative path (`.` for `dir`). */
export async function mtimesOf(dir: string): Promise<Map<string, bigint>> {
  const times = new Map<string, bigint>([['.', (await stat(dir, { bigint: true })).mtimeNs]]);
  for (const entry of await listTree(dir)) times.set(entry, (await stat(path.join(dir, entry), { bigint: true })).mtimeNs);
  return times;
}
