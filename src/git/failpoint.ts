/**
 * Crash injection for tests: `RESTORABLE_FAILPOINT_COMMIT=<n>` makes the
 * process SIGKILL itself at its n-th durable file write (after the data is
 * written to a temporary file, before it is renamed into place), which is the
 * worst moment for a crash. Unset or invalid: no effect.
 */

/** Environment variable that arms the failpoint. */
export const FAILPOINT_ENV = 'RESTORABLE_FAILPOINT_COMMIT';

/** Counts writes and kills the process at the armed one. */
export interface WriteFailpoint {
  /** Called once per file write, between writing the data and publishing it. */
  hit(): void;
}

/** A failpoint armed from `env[FAILPOINT_ENV]`; a no-op when it is unset. */
export function failpointFromEnv(env: NodeJS.ProcessEnv = process.env): WriteFailpoint {
  const raw = env[FAILPOINT_ENV];
  const target = raw !== undefined && /^[1-9][0-9]*$/.test(raw) ? Number(raw) : 0;
  let count = 0;
  return {
    hit() {
      if (target === 0) return;
      count += 1;
      if (count === target) process.kill(process.pid, 'SIGKILL');
    },
  };
}
