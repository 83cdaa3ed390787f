/**
 * Git trees computed in memory: each directory's entries and object id for a
 * set of files, without reading or writing the object database. Comparing
 * these ids with HEAD's tells which directories changed, so a commit reads
 * and writes only the trees on changed paths (git's cache-tree does the same
 * job; isomorphic-git drops that index extension). The ids are exactly those
 * `git write-tree` gives; test/git/tree-hash.test.ts checks them against it.
 */
import type { TreeEntry } from 'isomorphic-git';
import { objectId } from './object-id.ts';

/** A file as a tree holds it. */
export interface TreeFile {
  oid: string;
  mode: string;
}

/** A file to place into a new tree. */
export interface NewTreeFile extends TreeFile {
  /** Path relative to the tree root (posix). */
  path: string;
}

/** A directory of the new tree, with its id. */
export interface HashedDir {
  /** The tree object id. */
  oid: string;
  /** The tree object's content (entries in git's order), ready to store. */
  body: Buffer;
  /** Files directly in this directory, by name. */
  files: Map<string, TreeFile>;
  /** Subdirectories, by name. */
  dirs: Map<string, HashedDir>;
}

/** Tree mode of a directory entry, as isomorphic-git spells it (the object stores `40000`). */
const TREE_MODE = '040000';

/** git's order of tree entries: byte order of the names, a directory's name taken with a trailing `/`. */
function sortKey(entry: TreeEntry): Buffer {
  return Buffer.from(entry.mode === TREE_MODE ? `${entry.path}/` : entry.path);
}

/** `entries` in git's order. */
function gitOrder(entries: TreeEntry[]): TreeEntry[] {
  const keys = new Map(entries.map((e) => [e, sortKey(e)]));
  return entries.sort((a, b) => Buffer.compare(keys.get(a) as Buffer, keys.get(b) as Buffer));
}

/** The entries of `dir` in git's order. */
function entriesOf(dir: HashedDir): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const [name, file] of dir.files) entries.push({ mode: file.mode, path: name, oid: file.oid, type: file.mode === '160000' ? 'commit' : 'blob' });
  for (const [name, child] of dir.dirs) entries.push({ mode: TREE_MODE, path: name, oid: child.oid, type: 'tree' });
  return gitOrder(entries);
}

/** The content of the tree object holding `entries` (already in git's order): `<mode> <name>\0<20-byte id>` each. */
function treeBody(entries: readonly TreeEntry[]): Buffer {
  const heads = entries.map((e) => `${e.mode === TREE_MODE ? '40000' : e.mode} ${e.path}\0`);
  let size = 0;
  for (const head of heads) size += Buffer.byteLength(head) + 20;
  const body = Buffer.allocUnsafe(size);
  let offset = 0;
  entries.forEach((entry, i) => {
    offset += body.write(heads[i] as string, offset);
    offset += body.write(entry.oid, offset, 'hex');
  });
  return body;
}

/** The tree object holding `entries` (in any order): its content and id. */
export function treeObject(entries: readonly TreeEntry[]): { oid: string; body: Buffer } {
  const body = treeBody(gitOrder([...entries]));
  return { oid: objectId('tree', body), body };
}

interface Building {
  files: Map<string, TreeFile>;
  dirs: Map<string, Building>;
}

function hashDir(node: Building): HashedDir {
  const dirs = new Map([...node.dirs].map(([name, child]) => [name, hashDir(child)]));
  const dir: HashedDir = { oid: '', body: Buffer.alloc(0), files: node.files, dirs };
  dir.body = treeBody(entriesOf(dir));
  dir.oid = objectId('tree', dir.body);
  return dir;
}

/** The tree of `files` (paths relative to its root), every directory's id computed. */
export function hashTree(files: readonly NewTreeFile[]): HashedDir {
  const root: Building = { files: new Map(), dirs: new Map() };
  for (const file of files) {
    const segments = file.path.split('/');
    const name = segments.pop() as string;
    let node = root;
    for (const segment of segments) {
      let child = node.dirs.get(segment);
      if (!child) {
        child = { files: new Map(), dirs: new Map() };
        node.dirs.set(segment, child);
      }
      node = child;
    }
    node.files.set(name, { oid: file.oid, mode: file.mode });
  }
  return hashDir(root);
}
