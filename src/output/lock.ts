import { open, readFile, rm } from 'node:fs/promises';

/** Raised when another process holds the output lock for longer than we wait. */
export class LockBusyError extends Error {}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes an exclusive lock file (created with O_EXCL, holding our pid) and returns its release
 * function. A lock whose owner no longer runs is stale and taken over; a live owner is waited for
 * up to `waitMs`, then the caller gets a LockBusyError naming the file.
 */
export async function acquireLock(lockPath: string, waitMs = 30_000): Promise<() => Promise<void>> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) {
      await rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new LockBusyError(
        `another restorable process (pid ${Number.isInteger(owner) ? owner : 'unknown'}) is writing this output; lock file ${lockPath}. Wait for it, or remove the file if no such process runs`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
