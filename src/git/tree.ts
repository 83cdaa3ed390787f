/**
 * Tree reading and writing for the output directory. The new commit's tree is
 * HEAD's tree with only the output directory's subtree replaced, so nothing
 * outside it (and nothing staged elsewhere in the index) can leak in.
 */
import git, { type TreeEntry } from 'isomorphic-git';
import type { RepoContext } from './context.ts';
import { writeObject } from './objects.ts';
import { type TreeFile, treeObject } from './tree-hash.ts';

export type { NewTreeFile, TreeFile } from './tree-hash.ts';

/** The entries of tree `oid`. */
export async function readTreeEntries(ctx: RepoContext, oid: string): Promise<TreeEntry[]> {
  const { tree } = await git.readTree({ fs: ctx.fs, gitdir: ctx.gitdir, cache: ctx.cache, oid });
  return tree;
}

/**
 * The tree id at `segments` below `rootTree`, or null when that path is
 * missing or not a directory.
 */
export async function subtreeAt(ctx: RepoContext, rootTree: string | null, segments: readonly string[]): Promise<string | null> {
  let current = rootTree;
  for (const segment of segments) {
    if (current === null) return null;
    const entry = (await readTreeEntries(ctx, current)).find((e) => e.path === segment);
    current = entry?.type === 'tree' ? entry.oid : null;
  }
  return current;
}

/** Every non-tree entry below `treeOid`, keyed by posix path relative to it. */
export async function listTreeFiles(ctx: RepoContext, treeOid: string | null): Promise<Map<string, TreeFile>> {
  const files = new Map<string, TreeFile>();
  const visit = async (oid: string, prefix: string): Promise<void> => {
    const entries = await readTreeEntries(ctx, oid);
    await Promise.all(
      entries.map(async (entry) => {
        const rel = prefix === '' ? entry.path : `${prefix}/${entry.path}`;
        if (entry.type === 'tree') await visit(entry.oid, rel);
        else files.set(rel, { oid: entry.oid, mode: entry.mode });
      }),
    );
  };
  if (treeOid !== null) await visit(treeOid, '');
  return files;
}

/**
 * Returns a copy of `rootTree` (null: empty) with the directory at `segments`
 * replaced by `subtree`, writing only the trees on that path. Sibling
 * entries keep their ids, so the rest of the repository is untouched.
 */
export async function spliceSubtree(
  ctx: RepoContext,
  rootTree: string | null,
  segments: readonly string[],
  subtree: string,
): Promise<string> {
  const [head, ...rest] = segments;
  if (head === undefined) return subtree;
  const entries = rootTree === null ? [] : await readTreeEntries(ctx, rootTree);
  const existing = entries.find((e) => e.path === head);
  const childTree = existing?.type === 'tree' ? existing.oid : null;
  const newChild = await spliceSubtree(ctx, childTree, rest, subtree);
  const others = entries.filter((e) => e.path !== head);
  others.push({ mode: '040000', path: head, oid: newChild, type: 'tree' });
  const { oid, body } = treeObject(others);
  return writeObject(ctx, 'tree', body, oid);
}
