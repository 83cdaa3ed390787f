/**
 * Throwaway git repositories for tests, driven by the real git CLI, plus a
 * writer that lays out a `generated/` tree and its manifest exactly as synth
 * does. Everything runs with an isolated HOME so the machine's git config
 * never leaks in.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Result of running a git command that may fail. */
export interface GitRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A repository in a temporary directory. */
export interface TestRepo {
  /** Work-tree root. */
  dir: string;
  /** Isolated HOME used for every git and CLI invocation. */
  home: string;
  /** Environment for child processes (isolated HOME, no system config). */
  env: NodeJS.ProcessEnv;
  /** Runs git in the repository and returns stdout; throws on failure. */
  git(...args: string[]): string;
  /** Runs git in the repository and returns status and output. */
  tryGit(...args: string[]): GitRun;
  /** Removes the temporary directory. */
  cleanup(): Promise<void>;
}

/** The author every test commit uses. */
export const TEST_AUTHOR = { name: 'Test Author', email: 'author@example.test' };

/** Environment for git and CLI child processes: isolated HOME, no system or global config. */
export function isolatedEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('GIT_') && !key.startsWith('RESTORABLE_')) env[key] = value;
  }
  return { ...env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), GIT_CONFIG_NOSYSTEM: '1', TZ: 'UTC', ...extra };
}

/** Runs git in `cwd` with `env`, returning status and output. */
export function runGit(cwd: string, env: NodeJS.ProcessEnv, args: readonly string[]): GitRun {
  const r = spawnSync('git', args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Creates a repository on branch `main` with user.name/email configured and,
 * unless `empty`, one commit holding `README.md`.
 */
export async function createTestRepo(options: { empty?: boolean; bare?: boolean } = {}): Promise<TestRepo> {
  const root = await fs.mkdtemp(path.join(tmpdir(), 'restorable-git-'));
  const dir = path.join(root, 'repo');
  const home = path.join(root, 'home');
  await fs.mkdir(dir);
  await fs.mkdir(home);
  const env = isolatedEnv(home);
  const tryGit = (...args: string[]): GitRun => runGit(dir, env, args);
  const git = (...args: string[]): string => {
    const r = tryGit(...args);
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  };
  git('init', '-q', '-b', 'main', ...(options.bare ? ['--bare'] : []));
  if (!options.bare) {
    git('config', 'user.name', TEST_AUTHOR.name);
    git('config', 'user.email', TEST_AUTHOR.email);
    git('config', 'commit.gpgsign', 'false');
    if (!options.empty) {
      await fs.writeFile(path.join(dir, 'README.md'), '# policies\n');
      git('add', 'README.md');
      git('commit', '-q', '-m', 'initial');
    }
  }
  return { dir, home, env, git, tryGit, cleanup: () => fs.rm(root, { recursive: true, force: true }) };
}

/** sha256 hex, as the synth manifest records it. */
export function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Writes `files` (paths relative to the output directory) the way synth does:
 * the output directory is replaced wholesale, then the manifest lists every
 * file with its sha256.
 */
export async function writeGenerated(repoDir: string, files: Readonly<Record<string, string>>, outDir = 'generated'): Promise<void> {
  const out = path.join(repoDir, outDir);
  await fs.rm(out, { recursive: true, force: true });
  const manifest: { version: 1; files: Record<string, string> } = { version: 1, files: {} };
  for (const [file, content] of Object.entries(files)) {
    const abs = path.join(out, ...file.split('/'));
    await fs.mkdir(path.dirname(abs), { recursive: true });
    await fs.writeFile(abs, content);
    manifest.files[file] = sha256(content);
  }
  await fs.mkdir(path.join(out, '.restorable'), { recursive: true });
  await fs.writeFile(path.join(out, '.restorable', 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * A synth-like output: per cluster a few synced manifests and a runbook, plus
 * an Argo CD application per cluster.
 */
export function sampleOutput(clusters: readonly string[], perCluster = 3, revision = 1): Record<string, string> {
  const files: Record<string, string> = {};
  for (const c of clusters) {
    for (let i = 0; i < perCluster; i++) {
      files[`clusters/${c}/velero/schedule-${i}.yaml`] = `kind: Schedule\nname: ${c}-${i}\nrevision: ${revision}\n`;
    }
    files[`runbooks/${c}/restore/README.md`] = `# Restore ${c}\n`;
    files[`argocd/${c}.yaml`] = `kind: Application\nname: ${c}\n`;
  }
  return files;
}

/** Runs `git fsck --strict` and returns its result. */
export function fsck(repo: TestRepo): GitRun {
  return repo.tryGit('fsck', '--strict', '--no-progress');
}

/** `git ls-files --stage --debug` for every path outside `prefix/`: the exact index entries. */
export function indexEntriesOutside(repo: TestRepo, prefix = 'generated'): string {
  const out = repo.git('ls-files', '--stage', '--debug');
  // --debug prints an entry's stat lines after its path line; keep them together.
  const blocks = out.split(/\n(?=\d{6} )/);
  return blocks.filter((b) => !b.split('\t')[1]?.startsWith(`${prefix}/`)).join('\n');
}

/** Returns the stdout of `git` run synchronously in `cwd` (throws on failure). */
export function gitIn(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env, encoding: 'utf8' });
}
