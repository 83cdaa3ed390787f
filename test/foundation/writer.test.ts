import { spawn, spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, LockBusyError } from '../../src/output/lock.ts';
import { MANIFEST_PATH, manifestOf, serializeManifest } from '../../src/output/manifest.ts';
import { recoverInterruptedSwap, swapPaths, writeTree } from '../../src/output/writer.ts';
import { hashTree, makeTempDir, mtimesOf, readTree, repoRoot } from '../support/temp.ts';

const oldFiles = new Map([
  ['clusters/prod-eu/velero/schedule-ledger-daily.yaml', 'kind: Schedule\nname: ledger-daily\n'],
  ['clusters/prod-eu/velero/schedule-ledger-hourly.yaml', 'kind: Schedule\nname: ledger-hourly\n'],
  ['clusters/dr-us/_cluster/volumesnapshotclass-ebs.yaml', 'kind: VolumeSnapshotClass\n'],
]);
const newFiles = new Map([
  ['clusters/prod-eu/velero/schedule-ledger-daily.yaml', 'kind: Schedule\nname: ledger-daily\nttl: 8d\n'],
  ['clusters/prod-eu/velero/schedule-search-daily.yaml', 'kind: Schedule\nname: search-daily\n'],
  ['clusters/dr-us/_cluster/volumesnapshotclass-ebs.yaml', 'kind: VolumeSnapshotClass\n'],
]);

/** The files a complete output folder holds for `files`: them and the manifest. */
function expectedTree(files: ReadonlyMap<string, string>): Map<string, string> {
  return new Map(
    [...files, [MANIFEST_PATH, serializeManifest(manifestOf(files))] as const].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

async function treeText(dir: string): Promise<Map<string, string>> {
  return new Map([...(await readTree(dir))].map(([file, bytes]) => [file, bytes.toString('utf8')]));
}

/** Writes `files` and their manifest into `dir` the way a finished `.next` looks, or without the manifest. */
async function writeFolder(dir: string, files: ReadonlyMap<string, string>, withManifest = true): Promise<void> {
  for (const [file, content] of withManifest ? expectedTree(files) : files) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
}

/** Names in the folder holding the output (the output and any swap leftovers). */
async function siblings(outDir: string): Promise<string[]> {
  return (await readdir(path.dirname(outDir))).sort();
}

/** A pid that no longer runs: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  if (child.pid === undefined) throw new Error('could not start a child process');
  return child.pid;
}

let temp: { dir: string; cleanup: () => Promise<void> };
let out: string;

beforeEach(async () => {
  temp = await makeTempDir('restorable-writer-');
  out = path.join(temp.dir, 'repo', 'generated');
  await mkdir(path.dirname(out));
});
afterEach(() => temp.cleanup());

describe('writeTree: writing', () => {
  it('GIVEN no output folder WHEN a tree is written THEN it holds exactly the files and a manifest of their sha256, and nothing is left beside it', async () => {
    const result = await writeTree(out, oldFiles);
    expect(result).toEqual({ changed: true, files: 3 });
    expect(await treeText(out)).toEqual(expectedTree(oldFiles));
    const manifest = JSON.parse(await readFile(path.join(out, MANIFEST_PATH), 'utf8')) as { files: Record<string, string> };
    expect(Object.keys(manifest.files)).toEqual([...oldFiles.keys()].sort());
    expect(await siblings(out)).toEqual(['generated']);
  });

  it('GIVEN an older tree WHEN a new tree is written THEN the output is exactly the new tree: removed files are gone', async () => {
    await writeTree(out, oldFiles);
    expect(await writeTree(out, newFiles)).toEqual({ changed: true, files: 3 });
    expect(await treeText(out)).toEqual(expectedTree(newFiles));
    expect(await siblings(out)).toEqual(['generated']);
  });

  it('GIVEN the same tree WHEN written again THEN nothing is touched: same bytes, same modification times, changed is false', async () => {
    await writeTree(out, oldFiles);
    const hash = await hashTree(out);
    const times = await mtimesOf(out);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await writeTree(out, new Map([...oldFiles].reverse()))).toEqual({ changed: false, files: 3 });
    expect(await hashTree(out)).toBe(hash);
    expect(await mtimesOf(out)).toEqual(times);
    expect(await siblings(out)).toEqual(['generated']);
  });

  it('GIVEN a file edited by hand in the output WHEN the same tree is written THEN the edit is undone', async () => {
    await writeTree(out, oldFiles);
    await writeFile(path.join(out, 'clusters/dr-us/_cluster/volumesnapshotclass-ebs.yaml'), 'kind: Edited\n');
    expect((await writeTree(out, oldFiles)).changed).toBe(true);
    expect(await treeText(out)).toEqual(expectedTree(oldFiles));
  });

  it('GIVEN a file added by hand in the output WHEN the same tree is written THEN the extra file is removed', async () => {
    await writeTree(out, oldFiles);
    await writeFile(path.join(out, 'clusters/stray.yaml'), 'kind: Stray\n');
    expect((await writeTree(out, oldFiles)).changed).toBe(true);
    expect(await treeText(out)).toEqual(expectedTree(oldFiles));
  });
});

describe('recoverInterruptedSwap: each crash point', () => {
  it('GIVEN the output missing and a complete .next (crash between the two renames) WHEN recovered THEN the output is the new tree', async () => {
    const { next, prev } = swapPaths(out);
    await writeFolder(prev, oldFiles);
    await writeFolder(next, newFiles);
    await recoverInterruptedSwap(out);
    expect(await treeText(out)).toEqual(expectedTree(newFiles));
    expect(await siblings(out)).toEqual(['generated']);
  });

  it('GIVEN the output missing and only .prev (crash after the first rename of a swap whose .next is gone) WHEN recovered THEN the output is the old tree', async () => {
    await writeFolder(swapPaths(out).prev, oldFiles);
    await recoverInterruptedSwap(out);
    expect(await treeText(out)).toEqual(expectedTree(oldFiles));
    expect(await siblings(out)).toEqual(['generated']);
  });

  it('GIVEN the output missing, an incomplete .next (no manifest) and .prev WHEN recovered THEN the output is the old tree and .next is removed', async () => {
    const { next, prev } = swapPaths(out);
    await writeFolder(prev, oldFiles);
    await writeFolder(next, newFiles, false);
    await recoverInterruptedSwap(out);
    expect(await treeText(out)).toEqual(expectedTree(oldFiles));
    expect(await siblings(out)).toEqual(['generated']);
  });

  it('GIVEN a complete output with .next and .prev leftovers WHEN recovered THEN the output is untouched and the leftovers are removed', async () => {
    await writeTree(out, oldFiles);
    const { next, prev } = swapPaths(out);
    await writeFolder(next, newFiles);
    await writeFolder(prev, newFiles, false);
    const hash = await hashTree(out);
    await recoverInterruptedSwap(out);
    expect(await hashTree(out)).toBe(hash);
    expect(await siblings(out)).toEqual(['generated']);
  });

  it('GIVEN a crash between the renames WHEN the next writeTree runs with the new files THEN it finishes the swap and reports the output up to date', async () => {
    const { next, prev } = swapPaths(out);
    await writeFolder(prev, oldFiles);
    await writeFolder(next, newFiles);
    expect(await writeTree(out, newFiles)).toEqual({ changed: false, files: 3 });
    expect(await treeText(out)).toEqual(expectedTree(newFiles));
    expect(await siblings(out)).toEqual(['generated']);
  });
});

describe('writeTree: killed at every write (RESTORABLE_FAILPOINT_WRITE)', () => {
  /** Failpoints: one per file, the manifest, the rename of the old output, the rename of .next, the removal of .prev. */
  const writes = newFiles.size + 4;

  function runChild(filesJson: string, failpoint: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(repoRoot, 'test', 'foundation', 'write-tree-child.ts'), out, filesJson],
        { cwd: repoRoot, env: { ...process.env, RESTORABLE_FAILPOINT_WRITE: String(failpoint) }, stdio: 'ignore' },
      );
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
  }

  it(`GIVEN an old output WHEN writeTree is killed before each of its ${writes} writes THEN the output is the old or the new tree after recovery, and the next write takes over the dead lock`, async () => {
    const filesJson = path.join(temp.dir, 'files.json');
    await writeFile(filesJson, JSON.stringify(Object.fromEntries(newFiles)));
    const oldTree = expectedTree(oldFiles);
    const newTree = expectedTree(newFiles);
    const seen: string[] = [];
    for (let failpoint = 1; failpoint <= writes + 1; failpoint++) {
      await rm(out, { recursive: true, force: true });
      await writeTree(out, oldFiles);
      const { code, signal } = await runChild(filesJson, failpoint);
      if (failpoint <= writes) expect(signal, `failpoint ${failpoint}`).toBe('SIGKILL');
      else expect(code, 'no failpoint reached').toBe(0);

      const outExists = await stat(out).then(
        () => true,
        () => false,
      );
      if (outExists) {
        const now = await treeText(out);
        expect([oldTree, newTree], `failpoint ${failpoint}: a readable output is complete`).toContainEqual(now);
      }
      await recoverInterruptedSwap(out);
      const recovered = await treeText(out);
      expect([oldTree, newTree], `failpoint ${failpoint}: recovered`).toContainEqual(recovered);
      seen.push(`${failpoint}:${outExists ? '' : 'missing,'}${recovered.size > 0 && recovered.get(MANIFEST_PATH) === newTree.get(MANIFEST_PATH) ? 'new' : 'old'}`);

      expect(await writeTree(out, newFiles)).toMatchObject({ files: 3 });
      expect(await treeText(out)).toEqual(newTree);
      expect(await siblings(out)).toEqual(['generated']);
    }
    // Before the first rename the old tree survives; between the renames the output is briefly
    // missing and recovery finishes the swap; after it the new tree is in place.
    expect(seen).toEqual([
      ...Array.from({ length: newFiles.size + 2 }, (_, i) => `${i + 1}:old`),
      `${writes - 1}:missing,new`,
      `${writes}:new`,
      `${writes + 1}:new`,
    ]);
  });
});

describe('writeTree: lock', () => {
  it('GIVEN a lock held by a live process WHEN acquiring with a short wait THEN LockBusyError names the pid and the lock file', async () => {
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      const { lock } = swapPaths(out);
      await writeFile(lock, `${sleeper.pid}\n`);
      const started = Date.now();
      const error = await acquireLock(lock, 300).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(LockBusyError);
      expect((error as Error).message).toContain(`pid ${sleeper.pid}`);
      expect((error as Error).message).toContain(lock);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(await readFile(lock, 'utf8')).toBe(`${sleeper.pid}\n`);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('GIVEN a lock held by a live process WHEN writeTree runs THEN it waits, and writes once the lock is released', async () => {
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      const { lock } = swapPaths(out);
      await writeFile(lock, `${sleeper.pid}\n`);
      let settled = false;
      const writing = writeTree(out, oldFiles).finally(() => {
        settled = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(settled).toBe(false);
      expect(await hashTree(out)).toBe('missing');
      await rm(lock);
      expect(await writing).toEqual({ changed: true, files: 3 });
      expect(await treeText(out)).toEqual(expectedTree(oldFiles));
      expect(await siblings(out)).toEqual(['generated']);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('GIVEN a stale lock left by a process that no longer runs WHEN writeTree runs THEN it takes the lock over at once and removes it afterwards', async () => {
    const { lock } = swapPaths(out);
    await writeFile(lock, `${deadPid()}\n`);
    const started = Date.now();
    expect(await writeTree(out, oldFiles)).toEqual({ changed: true, files: 3 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await siblings(out)).toEqual(['generated']);
  });

  it('GIVEN two writers at once in one process WHEN both write THEN both succeed one after the other and the output is one of the two trees', async () => {
    const results = await Promise.all([writeTree(out, oldFiles), writeTree(out, newFiles)]);
    expect(results.every((r) => r.changed)).toBe(true);
    expect([expectedTree(oldFiles), expectedTree(newFiles)]).toContainEqual(await treeText(out));
    expect(await siblings(out)).toEqual(['generated']);
  });

  it('GIVEN a lock file without a pid (its writer died between creating and filling it) WHEN acquiring THEN it is never treated as stale: LockBusyError with pid unknown', async () => {
    const { lock } = swapPaths(out);
    await writeFile(lock, '');
    const error = await acquireLock(lock, 200).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LockBusyError);
    expect((error as Error).message).toContain('pid unknown');
  });
});
