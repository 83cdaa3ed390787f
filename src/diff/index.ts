/**
 * `restorable diff`: the protection changes between the policies at a base ref and a head (another
 * ref, or the working tree). Each side is loaded by the current compiler, so only the policies
 * differ. Refs are read with isomorphic-git into a scratch folder inside the repository; the user's
 * working tree, index and HEAD are never touched.
 */
import path from 'node:path';
import { diffModels, restorePointChanges } from './compare.ts';
import { DiffError } from './errors.ts';
import { openRepository } from './git-tree.ts';
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
  /** The run's clock. */
  readonly now: Date;
}

/** Builds the diff report. */
export async function runDiff(options: DiffOptions): Promise<DiffReport> {
  // The repository holding the policies folder (not necessarily the one of the working directory).
  const repo = await openRepository(options.policiesDir);
  const policiesRel = path.relative(repo.dir, path.resolve(options.policiesDir)).split(path.sep).join('/');
  if (policiesRel.startsWith('..') || path.isAbsolute(policiesRel)) {
    throw new DiffError(`--policies ${options.policiesDir} is outside the repository ${repo.dir}`);
  }
  return withScratchFolder(repo.dir, 'diff-', async (scratch) => {
    const [base, head] = await Promise.all([
      snapshotAtRevision(repo, options.base, policiesRel, path.join(scratch, 'base'), 'base', options.now),
      options.head === undefined
        ? snapshotOfWorkingTree(options.policiesDir, repo.dir, options.now)
        : snapshotAtRevision(repo, options.head, policiesRel, path.join(scratch, 'head'), 'head', options.now),
    ]);
    return reportOf(base, head, options.now);
  });
}

/** The report of two loaded sides. */
export function reportOf(base: Snapshot, head: Snapshot, now: Date): DiffReport {
  const changes = diffModels(base.side, head.side);
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
  };
}
