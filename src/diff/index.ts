/**
 * `restorable diff`: the protection changes between the policies at a base ref and a head (another
 * ref, or the working tree). Each side is loaded by the current compiler, so only the policies
 * differ. Refs are read with isomorphic-git into a scratch folder inside the repository; the user's
 * working tree, index and HEAD are never touched.
 */
import path from 'node:path';
import { compareChanges, diffModels, restorePointChanges } from './compare.ts';
import { DiffError } from './errors.ts';
import { type GeneratedFindings, generatedFindings } from './generated.ts';
import { openRepository, readTreeFiles } from './git-tree.ts';
import { type Snapshot, snapshotAtRevision, snapshotOfWorkingTree } from './snapshot.ts';
import { withScratchFolder } from './temp.ts';
import type { DiffReport } from './types.ts';

export { DiffError } from './errors.ts';
export { renderMarkdown } from './markdown.ts';
export type { Change, ChangeClass, DiffReport } from './types.ts';

/** What to compare. */
export interface DiffOptions {
  /** Revision of the base (`origin/main`, a tag, a commit id). */
  readonly base: string;
  /** Revision of the head. @default the working tree */
  readonly head?: string;
  /** The policies folder, as on the command line (relative to the working directory). */
  readonly policiesDir: string;
  /** The output folder synth writes, as on the command line. @default `generated` next to the policies folder */
  readonly generatedDir?: string;
  /** The run's clock. */
  readonly now: Date;
}

/** Builds the diff report. */
export async function runDiff(options: DiffOptions): Promise<DiffReport> {
  // The repository holding the policies folder (not necessarily the one of the working directory).
  const repo = await openRepository(options.policiesDir);
  const policiesRel = repositoryPath(repo.dir, options.policiesDir, '--policies');
  const generatedRel = repositoryPath(repo.dir, options.generatedDir ?? path.join(path.dirname(options.policiesDir), 'generated'), '--generated');
  return withScratchFolder(repo.dir, 'diff-', async (scratch) => {
    const [base, head] = await Promise.all([
      snapshotAtRevision(repo, options.base, policiesRel, path.join(scratch, 'base'), 'base', options.now),
      options.head === undefined
        ? snapshotOfWorkingTree(options.policiesDir, repo.dir, options.now)
        : snapshotAtRevision(repo, options.head, policiesRel, path.join(scratch, 'head'), 'head', options.now),
    ]);
    // What the clusters run: the base's committed output, which Argo CD syncs.
    const committed = base.info.commit === null ? undefined : await readTreeFiles(repo, base.info.commit, generatedRel);
    return reportOf(base, head, options.now, generatedFindings(generatedRel, committed, base.files, head.files));
  });
}

/** A folder given on the command line as a repository-relative path (`/` separators). */
function repositoryPath(root: string, folder: string, option: string): string {
  const rel = path.relative(root, path.resolve(folder)).split(path.sep).join('/');
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new DiffError(`${option} ${folder} is outside the repository ${root}`);
  return rel;
}

/** The report of two loaded sides, with the generated manifests when they were compared. */
export function reportOf(base: Snapshot, head: Snapshot, now: Date, generated?: GeneratedFindings): DiffReport {
  const changes = [...diffModels(base.side, head.side), ...(generated?.changes ?? [])].sort(compareChanges);
  const count = (cls: string) => changes.filter((c) => c.class === cls).length;
  return {
    version: 1,
    base: base.info,
    head: head.info,
    now: now.toISOString(),
    summary: { risk: count('risk'), review: count('review'), safe: count('safe'), total: changes.length },
    notes: [...base.notes, ...head.notes],
    changes,
    restorePoints: restorePointChanges(base.side, head.side),
    generated: generated?.diff ?? null,
  };
}
