/**
 * What changed under the output directory, grouped the way people read a
 * synth: per cluster (`clusters/<c>/...` and `runbooks/<c>/...`), then per
 * other top-level directory (`argocd/`).
 */
import { MANIFEST_PATH } from './manifest.ts';

/** One changed path, relative to the output directory. */
export interface FileChange {
  path: string;
  kind: 'added' | 'changed' | 'removed';
}

/** Counts for one group of paths. */
export interface ChangeCounts {
  added: number;
  changed: number;
  removed: number;
}

/** Default commit subject. */
export const DEFAULT_SUBJECT = 'restorable: synth';

/**
 * The summary group of a path: the cluster name for cluster and runbook
 * files, else its top-level directory with a trailing `/` (or `./` for a
 * top-level file), so clusters and shared output cannot be confused.
 */
export function groupOf(file: string): string {
  const [top, second, ...rest] = file.split('/');
  if ((top === 'clusters' || top === 'runbooks') && second !== undefined && rest.length > 0) return second;
  return second === undefined ? './' : `${top}/`;
}

/**
 * Counts per group: clusters first (sorted), then directories (sorted). The
 * manifest changes whenever anything does, so it is only counted alone.
 */
export function summarize(changes: readonly FileChange[]): Map<string, ChangeCounts> {
  const groups = new Map<string, ChangeCounts>();
  const outputs = changes.filter((c) => c.path !== MANIFEST_PATH);
  for (const change of outputs.length > 0 ? outputs : changes) {
    const key = groupOf(change.path);
    const counts = groups.get(key) ?? { added: 0, changed: 0, removed: 0 };
    counts[change.kind]++;
    groups.set(key, counts);
  }
  const rank = (key: string): number => (key.endsWith('/') ? 1 : 0);
  return new Map([...groups].sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)));
}

/** `prod-eu: 3 added, 1 changed, 0 removed`, one line per group. */
export function summaryLines(groups: ReadonlyMap<string, ChangeCounts>): string[] {
  return [...groups].map(([key, c]) => `${key}: ${c.added} added, ${c.changed} changed, ${c.removed} removed`);
}

/**
 * The commit message: the subject (`--message`, else {@link DEFAULT_SUBJECT}),
 * a blank line, then the per-group summary. Ends with a newline, as git's do.
 */
export function commitMessage(changes: readonly FileChange[], subject?: string): string {
  const head = subject?.trim() ? subject.trim() : DEFAULT_SUBJECT;
  return `${head}\n\n${summaryLines(summarize(changes)).join('\n')}\n`;
}
