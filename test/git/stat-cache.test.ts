import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitGenerated, RestorableGitError } from '../../src/git/index.ts';
import { readIndexFile } from '../../src/git/index-file.ts';
import { readStatCache } from '../../src/git/index-update.ts';
import { readManifest } from '../../src/git/manifest.ts';
import { type ScannedFile, scanOutput } from '../../src/git/scan.ts';
import { writeTree } from '../../src/output/writer.ts';
import { createTestRepo, fsck, sampleOutput, type TestRepo, writeGenerated } from './support/repo.ts';

const OUTPUT = new Map(Object.entries(sampleOutput(['prod-eu', 'dr-us'], 20)));
const CHANGED = 'clusters/prod-eu/velero/schedule-3.yaml';

describe('commit reads only what synth changed (stat cache)', () => {
  let repo: TestRepo;
  const out = (): string => path.join(repo.dir, 'generated');
  const scan = async (): Promise<ScannedFile[]> => {
    return scanOutput(out(), await readManifest(out(), 'generated'), 'generated', readStatCache(readIndexFile(path.join(repo.dir, '.git')), 'generated'));
  };
  const readPaths = (files: readonly ScannedFile[]): string[] => files.filter((f) => f.read).map((f) => f.path);
  const commit = () => commitGenerated({ dir: repo.dir, env: repo.env });

  beforeEach(async () => {
    repo = await createTestRepo();
    await writeTree(out(), OUTPUT);
    expect((await commit()).status).toBe('committed');
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  it('GIVEN a synth that changed one file WHEN scanning THEN only that file and the manifest are read, and the commit is exact', async () => {
    await writeTree(out(), new Map([...OUTPUT, [CHANGED, 'kind: Schedule\nname: changed\n']]));

    expect(readPaths(await scan())).toEqual(['.restorable/manifest.json', CHANGED]);
    const result = await commit();
    expect(result.status === 'committed' && result.changes).toEqual([
      { path: '.restorable/manifest.json', kind: 'changed' },
      { path: CHANGED, kind: 'changed' },
    ]);
    expect(repo.git('status', '--porcelain')).toBe('');
    expect(fsck(repo)).toMatchObject({ status: 0, stderr: '' });
  });

  it('GIVEN a same-size hand edit whose mtime was set back WHEN committing THEN it is still refused (its ctime moved)', async () => {
    const file = path.join(out(), CHANGED);
    const reference = path.join(repo.dir, 'mtime-reference');
    await fs.writeFile(reference, '');
    // touch -r copies the times to the nanosecond (fs.utimes would round them).
    execFileSync('touch', ['-r', file, reference]);
    const before = await fs.stat(file, { bigint: true });
    const original = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, original.replace('revision: 1', 'revision: 9'));
    execFileSync('touch', ['-r', reference, file]);
    const after = await fs.stat(file, { bigint: true });
    expect([after.size, after.ino, after.mtimeNs]).toEqual([before.size, before.ino, before.mtimeNs]);

    const error = await commit().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RestorableGitError);
    expect((error as RestorableGitError).message).toContain(`generated/${CHANGED} (modified)`);
  });

  it('GIVEN a hand edit staged with git add WHEN committing THEN it is refused (the index holds another blob than synth wrote)', async () => {
    await fs.appendFile(path.join(out(), CHANGED), '# tweak\n');
    repo.git('add', `generated/${CHANGED}`);

    const error = await commit().catch((e: unknown) => e);

    expect((error as RestorableGitError).code).toBe('hand-edits');
    expect((error as RestorableGitError).message).toContain(`generated/${CHANGED} (modified)`);
  });

  it('GIVEN index entries as new as the index file (racily clean) WHEN scanning THEN every file is read', async () => {
    await fs.utimes(path.join(repo.dir, '.git', 'index'), new Date('2001-01-01T00:00:00Z'), new Date('2001-01-01T00:00:00Z'));

    expect(readPaths(await scan())).toHaveLength(OUTPUT.size + 1);
  });

  it('GIVEN a manifest written before synth recorded blob ids WHEN committing THEN every file is read and the commit still works', async () => {
    await writeGenerated(repo.dir, Object.fromEntries(new Map([...OUTPUT, [CHANGED, 'kind: Schedule\nname: old\n']])));

    expect(readPaths(await scan())).toHaveLength(OUTPUT.size + 1);
    const result = await commit();
    expect(result.status === 'committed' && result.changes.map((c) => c.path)).toEqual(['.restorable/manifest.json', CHANGED]);
  });
});
