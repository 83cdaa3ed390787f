/**
 * `restorable commit` timed in-process: only commitGenerated, without node's start-up and module
 * loading. Prints `{ "ms": ..., "status": ..., "files": ... }`.
 *
 *   node --import tsx/esm bench/children/commit-in-process.ts REPO_DIR
 */
import { performance } from 'node:perf_hooks';
import { commitGenerated } from '../../src/git/index.ts';

const [dir] = process.argv.slice(2);
if (!dir) throw new Error('usage: commit-in-process.ts REPO_DIR');
const started = performance.now();
const result = await commitGenerated({ dir, message: 'bench: one policy changed (in-process)' });
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ ms, status: result.status, files: result.status === 'committed' ? result.changes.length : 0 })}\n`);
