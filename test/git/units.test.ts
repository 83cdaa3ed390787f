import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/git/atomic-fs.ts';
import { parseAuthor, parseCommitDate, userFromConfigText } from '../../src/git/identity.ts';
import { encodeEntry, inspectIndex, readIndexFile, serializeIndex } from '../../src/git/index-file.ts';
import { acquireLock, ownerRecord, parseOwner, removeIfStale } from '../../src/git/lock.ts';
import { parseManifest } from '../../src/git/manifest.ts';
import { redactSecrets } from '../../src/git/redact.ts';
import { reflogLine } from '../../src/git/ref-update.ts';
import { commitMessage, type FileChange, groupOf } from '../../src/git/summary.ts';
import { createTestRepo } from './support/repo.ts';

describe('parseCommitDate', () => {
  it.each([
    ['2024-05-01T12:00:00Z', 1714564800, 0],
    ['2024-05-01T14:00:00+02:00', 1714564800, -120],
    ['2024-05-01T07:30:00-0430', 1714564800, 270],
    ['2024-05-01 12:00:00.999Z', 1714564800, 0],
    ['2024-05-01', 1714521600, 0],
  ])('GIVEN %s WHEN parsed THEN timestamp %i and offset %i (getTimezoneOffset sign)', (text, timestamp, timezoneOffset) => {
    expect(parseCommitDate(text)).toEqual({ timestamp, timezoneOffset });
  });

  it('GIVEN a UTC date WHEN parsed THEN the offset is +0, never -0', () => {
    expect(Object.is(parseCommitDate('2024-05-01T00:00:00Z').timezoneOffset, 0)).toBe(true);
  });

  it.each(['2024-02-30', 'May 1 2024', '2024-05-01T25:00:00Z', ''])('GIVEN %j WHEN parsed THEN it is rejected', (text) => {
    expect(() => parseCommitDate(text)).toThrow('--date must be an ISO 8601 date');
  });
});

describe('parseAuthor', () => {
  it('GIVEN "Name <email>" WHEN parsed THEN both parts are returned trimmed', () => {
    expect(parseAuthor('  Release Bot   <bot@example.test> ')).toEqual({ name: 'Release Bot', email: 'bot@example.test' });
  });
  it.each(['bot@example.test', 'Bot <>', '<a@b>', 'A <b> <c>', 'B\not <a@b>'])('GIVEN %j WHEN parsed THEN it is rejected', (text) => {
    expect(() => parseAuthor(text)).toThrow('--author must look like');
  });
});

describe('userFromConfigText', () => {
  it('GIVEN sections, quotes, comments and subsections WHEN read THEN only [user] counts and the last value wins', () => {
    const text = '[core]\n\tname = no\n[user]\n\tname = First\n[user "x"]\n\tname = Sub\n[User]\n\tNAME = "Last  One" ; c\n\temail = me@x.test # c\n';
    expect(userFromConfigText(text)).toEqual({ name: 'Last  One', email: 'me@x.test' });
  });
});

describe('redactSecrets', () => {
  it('GIVEN a token in raw, encoded, basic-auth and URL forms WHEN redacted THEN none survive', () => {
    const token = 'tok/en+1=';
    const text = [
      `raw ${token}`,
      `enc ${encodeURIComponent(token)}`,
      `basic ${Buffer.from(`bot:${token}`).toString('base64')}`,
      'url https://bot:whatever@git.example.test/x.git',
    ].join('\n');

    const out = redactSecrets(text, [token], 'bot');

    expect(out).not.toContain(token);
    expect(out).not.toContain(encodeURIComponent(token));
    expect(out).not.toContain(Buffer.from(`bot:${token}`).toString('base64'));
    expect(out).not.toContain('whatever');
    expect(out).toContain('https://***@git.example.test/x.git');
  });
});

describe('summary', () => {
  it.each([
    ['clusters/prod-eu/velero/a.yaml', 'prod-eu'],
    ['runbooks/prod-eu/full/README.md', 'prod-eu'],
    ['argocd/prod-eu.yaml', 'argocd/'],
    ['clusters/README.md', 'clusters/'],
    ['index.md', './'],
  ])('GIVEN %s WHEN grouped THEN it belongs to %s', (file, group) => {
    expect(groupOf(file)).toBe(group);
  });

  it('GIVEN changes WHEN summarised THEN clusters come first, sorted, and the manifest is not counted', () => {
    const changes: FileChange[] = [
      { path: '.restorable/manifest.json', kind: 'changed' },
      { path: 'argocd/a.yaml', kind: 'added' },
      { path: 'clusters/a/gone.yaml', kind: 'removed' },
      { path: 'clusters/b/x.yaml', kind: 'changed' },
    ];

    expect(commitMessage(changes)).toBe(
      'restorable: synth\n\na: 0 added, 0 changed, 1 removed\nb: 0 added, 1 changed, 0 removed\nargocd/: 1 added, 0 changed, 0 removed\n',
    );
  });

  it('GIVEN only the manifest changed WHEN summarised THEN it is reported rather than an empty body', () => {
    const changes: FileChange[] = [{ path: '.restorable/manifest.json', kind: 'changed' }];
    expect(commitMessage(changes, '  Custom subject ')).toBe('Custom subject\n\n.restorable/: 0 added, 1 changed, 0 removed\n');
  });
});

describe('parseManifest', () => {
  const hash = 'a'.repeat(64);
  it('GIVEN a valid manifest WHEN parsed THEN its files are returned, minus the manifest itself', () => {
    const m = parseManifest(JSON.stringify({ version: 1, files: { 'a/b.yaml': hash, '.restorable/manifest.json': hash } }), 'm');
    expect([...m.files]).toEqual([['a/b.yaml', hash]]);
    expect(m.blobs.size).toBe(0);
  });
  it('GIVEN a manifest with blob ids WHEN parsed THEN each file has its blob id', () => {
    const m = parseManifest(JSON.stringify({ version: 1, files: { 'a/b.yaml': hash }, blobs: { 'a/b.yaml': 'c'.repeat(40) } }), 'm');
    expect([...m.blobs]).toEqual([['a/b.yaml', 'c'.repeat(40)]]);
  });
  it.each([
    [{ version: 2, files: {} }, 'unsupported version 2'],
    [{ version: 1, files: { '../x': hash } }, 'has an empty, "." or ".." segment'],
    [{ version: 1, files: { 'a/.git/config': hash } }, 'has a ".git" segment'],
    [{ version: 1, files: { 'a/.GIT/config': hash } }, 'has a ".git" segment'],
    [{ version: 1, files: { 'a//b': hash } }, 'has an empty, "." or ".." segment'],
    [{ version: 1, files: { 'a\\b': hash } }, 'must use "/" separators'],
    [{ version: 1, files: { 'a/b': hash }, blobs: { 'a/b': 'xyz' } }, 'bad git blob id for a/b'],
    [{ version: 1, files: { 'a/b': hash }, blobs: { 'a/c': 'b'.repeat(40) } }, '"blobs" names "a/c", which "files" does not list'],
    [{ version: 1, files: { 'a/b': hash, 'a/c': hash }, blobs: { 'a/b': 'b'.repeat(40) } }, '"blobs" does not list every file'],
    [{ version: 1, files: { '/etc/x': hash } }, 'must be a relative path'],
    [{ version: 1, files: { 'a\\b': hash } }, 'must use "/" separators'],
    [{ version: 1, files: { a: 'nothex' } }, 'bad sha256 for a'],
  ])('GIVEN %j WHEN parsed THEN it is refused: %s', (data, why) => {
    expect(() => parseManifest(JSON.stringify(data), 'gen/.restorable/manifest.json')).toThrow(why);
  });
});

describe('inspectIndex', () => {
  it('GIVEN indexes written by git WHEN inspected THEN version and extensions are found', async () => {
    const repo = await createTestRepo();
    try {
      // A path longer than the 12-bit name-length field, to exercise the NUL scan.
      const blob = repo.git('hash-object', '-w', 'README.md').trim();
      const longPath = Array.from({ length: 18 }, (_, i) => `${i}-${'d'.repeat(240)}`).join('/');
      repo.git('update-index', '--add', '--cacheinfo', `100644,${blob},${longPath}`);
      repo.git('write-tree');
      const info = inspectIndex(await fs.readFile(path.join(repo.dir, '.git', 'index')));
      expect(info.version).toBe(2);
      expect(info.extensions).toContain('TREE');
      repo.git('update-index', '--split-index');
      expect(inspectIndex(await fs.readFile(path.join(repo.dir, '.git', 'index'))).extensions).toContain('link');
    } finally {
      await repo.cleanup();
    }
  });
});

describe('the index reader and writer', () => {
  it('GIVEN an index git wrote (a path longer than the name-length field included) WHEN read and written again THEN the bytes are identical', async () => {
    const repo = await createTestRepo();
    try {
      // A fresh index without extensions (the first commit's cache tree would be dropped on a rewrite).
      await fs.rm(path.join(repo.dir, '.git', 'index'));
      repo.git('update-index', '--add', 'README.md');
      const blob = repo.git('hash-object', '-w', 'README.md').trim();
      const longPath = Array.from({ length: 18 }, (_, i) => `${i}-${'d'.repeat(240)}`).join('/');
      repo.git('update-index', '--add', '--cacheinfo', `100644,${blob},${longPath}`);
      repo.git('update-index', '--add', '--cacheinfo', `100755,${blob},generated/é/x.sh`);
      const bytes = await fs.readFile(path.join(repo.dir, '.git', 'index'));
      const index = readIndexFile(path.join(repo.dir, '.git'));
      expect(index?.extensions).toEqual([]);
      expect(index?.entries.map((e) => e.path)).toEqual(['README.md', longPath, 'generated/é/x.sh'].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
      expect(serializeIndex(2, index?.entries ?? []).equals(bytes)).toBe(true);
    } finally {
      await repo.cleanup();
    }
  });

  it('GIVEN an entry encoded by restorable WHEN git reads the index THEN it lists the id, mode and stat data given', async () => {
    const repo = await createTestRepo();
    try {
      const blob = repo.git('hash-object', '-w', 'README.md').trim();
      const stats = { ctimeSeconds: 1, ctimeNanoseconds: 2, mtimeSeconds: 3, mtimeNanoseconds: 4, dev: 5, ino: 6, mode: 0o100755, uid: 7, gid: 8, size: 9 };
      await fs.writeFile(path.join(repo.dir, '.git', 'index'), serializeIndex(2, [encodeEntry('a/b.sh', blob, stats)]));
      expect(repo.git('ls-files', '--stage').trim()).toBe(`100755 ${blob} 0\ta/b.sh`);
      expect(repo.git('ls-files', '--debug').replace(/\s+/g, ' ').trim()).toBe('a/b.sh ctime: 1:2 mtime: 3:4 dev: 5 ino: 6 uid: 7 gid: 8 size: 9 flags: 0');
    } finally {
      await repo.cleanup();
    }
  });
});

describe('writeFileAtomic and locks', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'restorable-unit-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('GIVEN a failure between writing and publishing WHEN writing THEN the old content stays and no temp file is left', async () => {
    const target = path.join(dir, 'index');
    await fs.writeFile(target, 'old');
    const failpoint = {
      hit() {
        throw new Error('crash');
      },
    };

    await expect(writeFileAtomic(target, 'new', { failpoint })).rejects.toThrow('crash');
    expect(await fs.readFile(target, 'utf8')).toBe('old');
    expect(await fs.readdir(dir)).toEqual(['index']);

    await writeFileAtomic(target, 'new', { durable: true });
    expect(await fs.readFile(target, 'utf8')).toBe('new');
    expect(await fs.readdir(dir)).toEqual(['index']);
  });

  it('GIVEN our owner record WHEN parsed THEN pid and host round-trip; foreign content is not ours', () => {
    expect(parseOwner(ownerRecord('t1'))).toMatchObject({ pid: process.pid, token: 't1' });
    expect(parseOwner('')).toBeNull();
    expect(parseOwner('DIRC...')).toBeNull();
  });

  it('GIVEN a lock held by this live process WHEN checked for staleness THEN it is kept', async () => {
    const lockPath = path.join(dir, 'index.lock');
    const held = await acquireLock(lockPath, { timeoutMs: 0 });

    expect(await removeIfStale(lockPath)).toBeNull();
    await expect(acquireLock(lockPath, { timeoutMs: 0, label: '.git/index.lock' })).rejects.toThrow(
      `another git process holds .git/index.lock (restorable, pid ${process.pid}`,
    );
    await held.release();
    await held.release();
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('GIVEN our lock replaced by someone else WHEN released THEN theirs is not deleted', async () => {
    const lockPath = path.join(dir, 'index.lock');
    const held = await acquireLock(lockPath, { timeoutMs: 0 });
    await fs.writeFile(lockPath, 'someone else');

    await held.release();

    expect(await fs.readFile(lockPath, 'utf8')).toBe('someone else');
  });
});

describe('reflogLine', () => {
  it('GIVEN a first commit WHEN logged THEN the old id is zeros and only the subject is kept', () => {
    const who = { name: 'A', email: 'a@x', timestamp: 1714564800, timezoneOffset: -90 };
    expect(reflogLine(null, 'b'.repeat(40), who, 'commit (initial): s\n\nbody')).toBe(
      `${'0'.repeat(40)} ${'b'.repeat(40)} A <a@x> 1714564800 +0130\tcommit (initial): s\n`,
    );
  });
});
