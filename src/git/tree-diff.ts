/**
 * The difference between HEAD's output directory and the new one, found top
 * down: a directory whose id equals HEAD's is identical and is not read, so a
 * one-policy change reads the few trees on its paths, not all of them.
 */
import type { RepoContext } from './context.ts';
import { writeObject } from './objects.ts';
import type { FileChange } from './summary.ts';
import { listTreeFiles, readTreeEntries } from './tree.ts';
import type { HashedDir } from './tree-hash.ts';

/** What a commit has to record. */
export interface TreeDiff {
  /** Every changed file, relative to the output directory, sorted by path. */
  changes: FileChange[];
  /** Directories of the new tree that HEAD does not have at their place, children before parents. */
  newTrees: HashedDir[];
}

const join = (prefix: string, name: string): string => (prefix === '' ? name : `${prefix}/${name}`);

async function removedUnder(ctx: RepoContext, oid: string, prefix: string, changes: FileChange[]): Promise<void> {
  for (const file of (await listTreeFiles(ctx, oid)).keys()) changes.push({ path: join(prefix, file), kind: 'removed' });
}

function addedUnder(dir: HashedDir, prefix: string, diff: TreeDiff): void {
  for (const [name, child] of dir.dirs) addedUnder(child, join(prefix, name), diff);
  for (const name of dir.files.keys()) diff.changes.push({ path: join(prefix, name), kind: 'added' });
  diff.newTrees.push(dir);
}

async function compareDir(ctx: RepoContext, before: string | null, next: HashedDir, prefix: string, diff: TreeDiff): Promise<void> {
  if (before === next.oid) return;
  if (before === null) {
    addedUnder(next, prefix, diff);
    return;
  }
  const old = new Map((await readTreeEntries(ctx, before)).map((e) => [e.path, e]));
  for (const [name, child] of next.dirs) {
    const prev = old.get(name);
    if (prev !== undefined && prev.type !== 'tree') diff.changes.push({ path: join(prefix, name), kind: 'removed' });
    await compareDir(ctx, prev?.type === 'tree' ? prev.oid : null, child, join(prefix, name), diff);
  }
  for (const [name, file] of next.files) {
    const prev = old.get(name);
    if (prev === undefined) diff.changes.push({ path: join(prefix, name), kind: 'added' });
    else if (prev.type === 'tree') {
      await removedUnder(ctx, prev.oid, join(prefix, name), diff.changes);
      diff.changes.push({ path: join(prefix, name), kind: 'added' });
    } else if (prev.oid !== file.oid || prev.mode !== file.mode) diff.changes.push({ path: join(prefix, name), kind: 'changed' });
  }
  for (const [name, prev] of old) {
    if (next.files.has(name) || next.dirs.has(name)) continue;
    if (prev.type === 'tree') await removedUnder(ctx, prev.oid, join(prefix, name), diff.changes);
    else diff.changes.push({ path: join(prefix, name), kind: 'removed' });
  }
  diff.newTrees.push(next);
}

/**
 * Compares the tree `before` (HEAD's output directory; null when it has none) with `next`.
 * @returns the changed files and the trees to write; no changes when the ids are equal
 */
export async function diffTree(ctx: RepoContext, before: string | null, next: HashedDir): Promise<TreeDiff> {
  const diff: TreeDiff = { changes: [], newTrees: [] };
  await compareDir(ctx, before, next, '', diff);
  diff.changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return diff;
}

/**
 * Stores the new trees, children first so nothing refers to a missing object, and returns the
 * root's id.
 */
export async function writeNewTrees(ctx: RepoContext, diff: TreeDiff, root: HashedDir): Promise<string> {
  for (const dir of diff.newTrees) await writeObject(ctx, 'tree', dir.body, dir.oid);
  return root.oid;
}
