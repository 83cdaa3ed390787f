/**
 * A scratch folder inside the repository for the policies of a ref. It must be inside: policy
 * modules import `'restorable'`, which resolves through the package's self-reference only for files
 * within the package. It is removed when the diff ends, also on Ctrl-C, and `.tmp/` with it when the
 * diff created that folder.
 */
import { rmdirSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Folder of scratch folders, relative to the repository root (git-ignored in restorable's own repository). */
export const SCRATCH_FOLDER = '.tmp';

/** Runs `fn` with a fresh folder `<root>/.tmp/<prefix><random>/` and removes it afterwards, whatever happens. */
export async function withScratchFolder<T>(root: string, prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const parent = path.join(root, SCRATCH_FOLDER);
  const parentExisted = await stat(parent).then(() => true, () => false);
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(path.join(parent, prefix));
  const removeNow = (): void => {
    rmSync(dir, { recursive: true, force: true });
    if (!parentExisted) {
      try {
        rmdirSync(parent);
      } catch {
        // Someone else's scratch folder is in it: leave it.
      }
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    removeNow();
    stopListening();
    process.kill(process.pid, signal);
  };
  const stopListening = (): void => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn(dir);
  } finally {
    stopListening();
    await rm(dir, { recursive: true, force: true });
    if (!parentExisted) await rmdir(parent).catch(() => undefined);
  }
}
