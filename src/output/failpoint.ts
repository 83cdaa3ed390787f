/**
 * Crash injection for tests: with `RESTORABLE_FAILPOINT_WRITE=N` the process kills itself with
 * SIGKILL at its N-th file system write, so crash safety is tested at chosen points rather than by
 * racing a timer. Unset in normal use; costs one integer comparison per write.
 */
const limit = Number.parseInt(process.env.RESTORABLE_FAILPOINT_WRITE ?? '', 10);
let writes = 0;

/** Counts one write and dies there when the failpoint says so. */
export function writeFailpoint(): void {
  if (Number.isNaN(limit)) return;
  writes += 1;
  if (writes >= limit) process.kill(process.pid, 'SIGKILL');
}
