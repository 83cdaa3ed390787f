/** The resolved model of the policies at a git ref, or in the working tree. */
import path from 'node:path';
import type { SourceLocation } from '../dsl/source.ts';
import { compile } from '../compile.ts';
import { discoverPolicyFiles } from '../loader/discover.ts';
import { PolicyLoadError } from '../loader/load.ts';
import { type Repository, resolveRevision, writeTreeTo } from './git-tree.ts';
import { EMPTY_MODEL, type Side } from './side.ts';
import type { DiffSide } from './types.ts';

/** One side, where it came from, and what to tell the reader about it. */
export interface Snapshot {
  readonly side: Side;
  readonly info: DiffSide;
  readonly notes: readonly string[];
  /**
   * What today's compiler makes of the side's policies (synth's output files, relative to the
   * output folder); undefined when the policies have errors (synth would write nothing) or the
   * side has no policies.
   */
  readonly files?: ReadonlyMap<string, string>;
}

const posix = (p: string): string => p.split(path.sep).join('/');

/** A path for the loader and for messages: relative to the working directory when inside it. */
function fromCwd(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
}

/**
 * Maps source locations (relative to the working directory, as the loader records them) to paths
 * relative to `root`, the folder that stands for the repository root on this side.
 */
function locator(root: string): Side['locate'] {
  return (source: SourceLocation | undefined) => {
    if (!source) return { file: null, line: null };
    return { file: posix(path.relative(root, path.resolve(source.file))), line: source.line };
  };
}

/**
 * Loads the policies in `dir`: an empty model when it holds no policy files. A label names the
 * side in errors ("base origin/main").
 */
async function modelOf(
  dir: string,
  label: string,
  root: string,
  scratch: boolean,
  now: Date,
): Promise<{ side: Omit<Side, 'locate'>; found: boolean; errors: number; codes: readonly string[]; files?: ReadonlyMap<string, string> }> {
  const files = await discoverPolicyFiles(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
    throw error;
  });
  if (files.length === 0) return { side: { model: EMPTY_MODEL }, found: false, errors: 0, codes: [] };
  try {
    // Compiled as synth compiles: the sealed credentials and certificates are read too (the
    // repository password's value is compared through them), every error validate would report
    // counts, and the output files are what synth would write.
    const compilation = await compile({ policiesDir: fromCwd(path.resolve(dir)), now });
    const errors = compilation.diagnostics.filter((d) => d.severity === 'error');
    return {
      side: { model: compilation.model },
      found: true,
      errors: errors.length,
      codes: [...new Set(errors.map((d) => d.code))].sort(),
      ...(errors.length === 0 ? { files: compilation.files } : {}),
    };
  } catch (error) {
    if (error instanceof PolicyLoadError) {
      // Paths inside the scratch folder mean nothing to the reader: show them as repository paths.
      const prefix = `${fromCwd(root)}/`;
      const shown = (text: string) => (scratch ? text.split(prefix).join('') : text);
      const failures = error.failures.map((f) => ({ ...f, file: posix(path.relative(root, path.resolve(f.file))), message: shown(f.message) }));
      throw new PolicyLoadError(`${label}: ${shown(error.message)}`, failures);
    }
    throw error;
  }
}

/**
 * The policies of `revision`: the folder `policiesRel` of its commit is written to `scratch` (which
 * stands for the repository root) and loaded from there.
 */
export async function snapshotAtRevision(repo: Repository, revision: string, policiesRel: string, scratch: string, label: 'base' | 'head', now: Date): Promise<Snapshot> {
  const commit = await resolveRevision(repo, revision);
  const folder = path.join(scratch, ...policiesRel.split('/').filter(Boolean));
  const written = await writeTreeTo(repo, commit, policiesRel, folder);
  const notes: string[] = [];
  const name = `${label} ${revision} (${commit.slice(0, 12)})`;
  const shownFolder = policiesRel === '' ? 'the repository root' : `${policiesRel}/`;
  if (written.skipped.length > 0) notes.push(`${name}: symbolic links and submodules are not read: ${written.skipped.join(', ')}`);
  const loaded = await modelOf(folder, name, scratch, true, now);
  if (!loaded.found) notes.push(`${name} has no policy files in ${shownFolder}: compared with an empty model, so everything on the other side counts as ${label === 'base' ? 'added' : 'removed'}`);
  if (loaded.errors > 0) notes.push(`${name}: ${loaded.errors} error(s) in the policies (${loaded.codes.join(', ')}); compared what resolved (run restorable validate)`);
  return { side: { ...loaded.side, locate: locator(scratch) }, info: { ref: revision, commit, policies: loaded.found }, notes, ...(loaded.files ? { files: loaded.files } : {}) };
}

/** The policies in the working tree's `policiesDir`, inside the repository at `repoRoot`. */
export async function snapshotOfWorkingTree(policiesDir: string, repoRoot: string, now: Date): Promise<Snapshot> {
  const notes: string[] = [];
  const loaded = await modelOf(policiesDir, 'head (working tree)', repoRoot, false, now);
  if (!loaded.found) notes.push(`the working tree has no policy files in ${posix(path.relative(repoRoot, path.resolve(policiesDir))) || '.'}/: compared with an empty model, so everything in the base counts as removed`);
  if (loaded.errors > 0) notes.push(`head (working tree): ${loaded.errors} error(s) in the policies (${loaded.codes.join(', ')}); compared what resolved (run restorable validate)`);
  return { side: { ...loaded.side, locate: locator(repoRoot) }, info: { ref: null, commit: null, policies: loaded.found }, notes, ...(loaded.files ? { files: loaded.files } : {}) };
}
