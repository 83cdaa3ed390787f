/**
 * `restorable commit` timed in-process: only commitGenerated, without node's start-up and module
 * loading. Prints `{ "ms": ..., "cpuMs": ..., "status": ..., "files": ... }` (wall and CPU time).
 *
 *   node --import tsx/esm bench/children/commit-in-process.ts REPO_DIR
 */
import { performance } from 'node:perf_hooks';
import { commitGenerated } from '../../src/git/index.ts';

const [dir] = process.argv.slice(2);
if (!dir) throw new Error('usage: commit-in-process.ts REPO_DIR');
const started = performance.now();
const cpuBefore = process.cpuUsage();
const result = await commitGenerated({ dir, message: 'bench: one policy changed (in-process)' });
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(`${JSON.stringify({ ms, cpuMs, status: result.status, files: result.status === 'committed' ? result.changes.length : 0 })}\n`);
