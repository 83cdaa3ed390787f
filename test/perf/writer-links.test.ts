/**
 * writeTree takes unchanged files over from the current output by hard link, and only those: the
 * result is always exactly the new tree, as if every file had been written.
 */
import { chmod, link, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MANIFEST_PATH, manifestOf, serializeManifest } from '../../src/output/manifest.ts';
import { writeTree } from '../../src/output/writer.ts';
import { makeTempDir, readTree } from '../support/temp.ts';

const before = new Map([
  ['clusters/a/velero/schedule-one.yaml', 'kind: Schedule\nname: one\n'],
  ['clusters/a/velero/schedule-two.yaml', 'kind: Schedule\nname: two\n'],
  ['clusters/b/velero/schedule-three.yaml', 'kind: Schedule\nname: three\n'],
  ['clusters/b/velero/schedule-four.yaml', 'kind: Schedule\nname: four\n'],
]);
const after = new Map([...before, ['clusters/a/velero/schedule-two.yaml', 'kind: Schedule\nname: two\nttl: 25h0m0s\n']]);

let temp: { dir: string; cleanup: () => Promise<void> };
let out: string;
beforeEach(async () => {
  temp = await makeTempDir('restorable-links-');
  out = path.join(temp.dir, 'generated');
});
afterEach(() => temp.cleanup());

const inode = async (file: string): Promise<number> => (await stat(path.join(out, file))).ino;

async function expectExactly(files: ReadonlyMap<string, string>): Promise<void> {
  const tree = new Map([...(await readTree(out))].map(([file, bytes]) => [file, bytes.toString('utf8')]));
  expect(tree).toEqual(new Map([...files, [MANIFEST_PATH, serializeManifest(manifestOf(files))]]));
}

describe('writeTree: unchanged files are linked, not written', () => {
  it('GIVEN the manifest of the files, computed once by the caller WHEN the tree is written THEN it is exact, and unchanged files are still recognised', async () => {
    await writeTree(out, before, { manifest: manifestOf(before) });
    await expectExactly(before);
    expect(await writeTree(out, before, { manifest: manifestOf(before) })).toEqual({ changed: false, files: before.size });
    await writeTree(out, after, { manifest: manifestOf(after) });
    await expectExactly(after);
  });

  it('GIVEN one changed file WHEN the new tree is written THEN the others keep their inode, the changed one is new, the tree is exact', async () => {
    await writeTree(out, before);
    const inodes = new Map(await Promise.all([...before.keys()].map(async (f) => [f, await inode(f)] as const)));
    await writeTree(out, after);
    await expectExactly(after);
    for (const file of before.keys()) {
      if (file === 'clusters/a/velero/schedule-two.yaml') expect(await inode(file)).not.toBe(inodes.get(file));
      else expect(await inode(file), file).toBe(inodes.get(file));
      expect((await stat(path.join(out, file))).nlink, file).toBe(1);
    }
  });

  it('GIVEN a file edited by hand WHEN a tree with other changes is written THEN the edit is not carried over', async () => {
    await writeTree(out, before);
    await writeFile(path.join(out, 'clusters/b/velero/schedule-three.yaml'), 'kind: Schedule\nname: edited\n');
    await writeTree(out, after);
    await expectExactly(after);
  });

  it('GIVEN a file with the right bytes but another mode WHEN a tree with other changes is written THEN it is written afresh with the usual mode', async () => {
    await writeTree(out, before);
    const usual = (await stat(path.join(out, 'clusters/b/velero/schedule-four.yaml'))).mode;
    const file = path.join(out, 'clusters/b/velero/schedule-three.yaml');
    await chmod(file, 0o755);
    await writeTree(out, after);
    await expectExactly(after);
    expect((await stat(file)).mode).toBe(usual);
  });

  it('GIVEN a file hard-linked from elsewhere WHEN a tree with other changes is written THEN it is written afresh, so the output shares no inode with it', async () => {
    await writeTree(out, before);
    const outside = path.join(temp.dir, 'copy.yaml');
    await link(path.join(out, 'clusters/b/velero/schedule-four.yaml'), outside);
    await writeTree(out, after);
    await expectExactly(after);
    expect((await stat(path.join(out, 'clusters/b/velero/schedule-four.yaml'))).ino).not.toBe((await stat(outside)).ino);
    expect(await readFile(outside, 'utf8')).toBe(before.get('clusters/b/velero/schedule-four.yaml'));
  });

  it('GIVEN a progress callback WHEN a tree is written THEN it is called once per file with the running count', async () => {
    const calls: [number, number][] = [];
    await writeTree(out, after, { onFile: (done, total) => calls.push([done, total]) });
    expect(calls).toEqual([...after.keys()].map((_, i) => [i + 1, after.size]));
  });
});
