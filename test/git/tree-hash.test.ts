import * as fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobOid } from '../../src/git/object-id.ts';
import { hashTree } from '../../src/git/tree-hash.ts';
import { createTestRepo, type TestRepo } from './support/repo.ts';

// Names chosen for git's ordering rules: a directory sorts as if its name ended in "/", so "a.b"
// comes between the file "a-" and the directory "a"; byte order puts "B" before "a".
const FILES: Record<string, string> = {
  'a-': 'dash\n',
  'a.b': 'dot\n',
  'a/b': 'in a\n',
  'a/c/d.yaml': 'deep\n',
  B: 'upper\n',
  'run.sh': '#!/bin/sh\n',
  'z/ü.txt': 'not ascii\n',
};

describe('hashTree computes the ids git write-tree gives', () => {
  let repo: TestRepo;
  beforeEach(async () => {
    repo = await createTestRepo({ empty: true });
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  it('GIVEN files with names that test git order, an executable and non-ASCII names WHEN hashed THEN every tree id equals git write-tree', async () => {
    for (const [file, content] of Object.entries(FILES)) {
      await fs.mkdir(path.dirname(path.join(repo.dir, file)), { recursive: true });
      await fs.writeFile(path.join(repo.dir, file), content, { mode: file.endsWith('.sh') ? 0o755 : 0o644 });
    }
    repo.git('add', '-A');
    const root = repo.git('write-tree').trim();

    const tree = hashTree(
      Object.entries(FILES).map(([file, content]) => ({ path: file, oid: blobOid(Buffer.from(content)), mode: file.endsWith('.sh') ? '100755' : '100644' })),
    );

    expect(tree.oid).toBe(root);
    expect(tree.dirs.get('a')?.oid).toBe(repo.git('rev-parse', `${root}:a`).trim());
    expect(tree.dirs.get('a')?.dirs.get('c')?.oid).toBe(repo.git('rev-parse', `${root}:a/c`).trim());
    expect(tree.dirs.get('z')?.oid).toBe(repo.git('rev-parse', `${root}:z`).trim());
  });
});
