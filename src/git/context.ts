/** What every isomorphic-git call in this package needs. */
import type { AtomicFs } from './atomic-fs.ts';

/** A repository opened for one commit: work tree, git dir, fs client and shared cache. */
export interface RepoContext {
  /** Absolute path of the work tree. */
  dir: string;
  /** Absolute path of the git directory. */
  gitdir: string;
  /** fs client with atomic writes, handed to isomorphic-git. */
  fs: AtomicFs;
  /** isomorphic-git cache shared across calls (parsed packs, the index). */
  cache: object;
}
