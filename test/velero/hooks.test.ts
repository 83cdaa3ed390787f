import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AppProfile, type Command, execHooks, mongodb, mysql, postgres, redis, shellQuote } from '../../src/dsl/index.ts';
import { validateObject } from '../../src/k8s/schema-registry.ts';
import { parseDuration } from '../../src/model/duration.ts';
import { validateAgainstReferenceCrds } from '../support/crd.ts';
import { makeTempDir } from '../support/temp.ts';
import { build, clusterWith, errorCodes, policy, schedules, storage, templateOf } from './support.ts';

/** Seconds of a Go duration as Velero parses it (`10m0s`, `1h30m0s`, `45s`); NaN when it is not one. */
function goSeconds(text: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (match === null || text === '') return Number.NaN;
  const [, h = '0', m = '0', s = '0'] = match;
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

/** A value no shell may interpret: quotes, spaces, command substitutions and separators. */
const HOSTILE = `it's a "db"; $(rm -rf /) \`rm -rf /\` & | > x`;
/** The dump file name of {@link HOSTILE}: its `/` (and `%`) written as in a URL, so the dump stays in dumpDir. */
const HOSTILE_FILE = HOSTILE.replaceAll('%', '%25').replaceAll('/', '%2F');

const selector = { app: 'db' };

/** One of every profile, with the hostile value wherever the profile takes a name or a folder. */
function everyProfile(dumpDir: string): AppProfile[] {
  return [
    postgres({ selector, database: HOSTILE, user: HOSTILE, dumpDir }),
    mysql({ selector, database: HOSTILE, dumpDir }),
    mongodb({ selector, dumpDir }),
    redis({ selector, dumpDir }),
    execHooks({
      name: 'queue',
      selector: { app: 'queue' },
      pre: [['queue-ctl', 'flush', HOSTILE]],
      post: [['queue-ctl', 'resume']],
      restore: [{ command: ['queue-ctl', 'check'], waitTimeout: '2m', execTimeout: '1m' }],
    }),
  ];
}

function isShell(command: Command): boolean {
  return command[0] === '/bin/sh' || command[0] === 'sh' || command[0] === 'bash' || command[0]?.endsWith('/bash') === true;
}

describe('application profiles: hook commands', () => {
  for (const profile of everyProfile('/data/restorable dumps')) {
    it(`GIVEN the ${profile.engine} profile WHEN its hooks are read THEN every command is an argument vector, a shell only as /bin/sh -c with one script`, () => {
      const commands = [...profile.pre, ...profile.post, ...profile.restore.map((hook) => hook.command)];
      expect(commands.length).toBeGreaterThan(0);
      for (const command of commands) {
        expect(command.length).toBeGreaterThan(0);
        for (const arg of command) expect(typeof arg).toBe('string');
        if (isShell(command)) {
          expect(command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
          expect(command).toHaveLength(3);
        }
      }
    });

    it(`GIVEN the ${profile.engine} profile WHEN its timeouts are read THEN the hook timeout and every restore hook's waitTimeout and execTimeout are durations`, () => {
      expect(parseDuration(profile.hookTimeout)).toBeDefined();
      for (const hook of profile.restore) {
        expect(parseDuration(hook.waitTimeout)?.seconds).toBeGreaterThan(0);
        expect(parseDuration(hook.execTimeout)?.seconds).toBeGreaterThan(0);
      }
    });
  }

  it('GIVEN the database profiles WHEN they are built THEN each has one pre hook, no post hook, dump consistency and at least one restore hook', () => {
    for (const profile of everyProfile('/data').slice(0, 4)) {
      expect(profile.pre).toHaveLength(1);
      expect(profile.post).toEqual([]);
      expect(profile.consistency).toBe('dump');
      expect(profile.restore.length).toBeGreaterThan(0);
    }
  });

  it('GIVEN postgres with a hostile database name WHEN its restore check is read THEN it is an argument vector with the dump path as one argument', () => {
    const profile = postgres({ selector, database: HOSTILE, dumpDir: '/data/x' });
    expect(profile.restore[1]?.command).toEqual(['pg_restore', '--file=/dev/null', `/data/x/${HOSTILE_FILE}.pgdump`]);
  });

  it('GIVEN the default timeouts WHEN profiles are built THEN databases allow 10m (redis 5m) and hand-written hooks 5m', () => {
    expect(postgres({ selector, database: 'a', dumpDir: '/d' }).hookTimeout).toBe('10m');
    expect(mysql({ selector, database: 'a', dumpDir: '/d' }).hookTimeout).toBe('10m');
    expect(mongodb({ selector, dumpDir: '/d' }).hookTimeout).toBe('10m');
    expect(redis({ selector, dumpDir: '/d' }).hookTimeout).toBe('5m');
    expect(execHooks({ name: 'x', selector }).hookTimeout).toBe('5m');
  });

  it('GIVEN shellQuote WHEN a value holds single quotes THEN the shell reads back exactly the value', () => {
    for (const value of ['', "'", "''", 'a b', HOSTILE, '$HOME', '\n', '\\']) {
      const echoed = execFileSync('/bin/sh', ['-c', `printf '%s' ${shellQuote(value)}`], { encoding: 'utf8' });
      expect(echoed).toBe(value);
    }
  });
});

/**
 * Runs the hook scripts for real in a temporary folder, with fake database tools first on PATH that
 * record the argument vector they received. `rm` is faked too, so a quoting mistake that reached
 * `$(rm -rf /)` would only leave a canary file behind.
 */
describe('application profiles: the scripts run by /bin/sh', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  let bin = '';

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('restorable-hooks-'));
    bin = path.join(dir, 'bin');
    await mkdir(bin);
    // The scripts remove their own lock and temporary file: only an argument of `/` leaves the canary.
    await fake('rm', `for arg in "$@"; do if [ "$arg" = / ]; then : > ${shellQuote(path.join(dir, 'CANARY'))}; exit 0; fi; done; exec /bin/rm "$@"`);
  });
  afterEach(async () => cleanup());

  /** A fake tool: records its arguments NUL-separated in `<dir>/<name>.args`, then runs `body`. */
  async function fake(name: string, body: string): Promise<void> {
    const file = path.join(bin, name);
    await writeFile(file, `#!/bin/sh\nprintf '%s\\0' "$@" > ${shellQuote(path.join(dir, `${name}.args`))}\n${body}\n`);
    await chmod(file, 0o755);
  }

  async function argsOf(name: string): Promise<string[]> {
    const text = await readFile(path.join(dir, `${name}.args`), 'utf8');
    return text.split('\0').slice(0, -1);
  }

  function run(command: Command, env: Record<string, string> = {}): { status: number | null; stderr: string } {
    const [file = '', ...args] = command;
    const result = spawnSync(file, args, { cwd: dir, encoding: 'utf8', env: { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, ...env } });
    return { status: result.status, stderr: result.stderr };
  }

  function dumpDirOf(): string {
    return path.join(dir, `dumps "x" it's $(rm -rf /)`);
  }

  it('GIVEN postgres with a hostile database, user and dump folder WHEN the pre hook runs THEN pg_dump receives the database as one argument and the dump lands in place', async () => {
    await fake('pg_dump', "printf 'PGDUMP'");
    const dumpDir = dumpDirOf();
    const profile = postgres({ selector, database: HOSTILE, user: HOSTILE, dumpDir });
    const [command] = profile.pre;

    const result = run(command ?? []);

    expect(result).toEqual({ status: 0, stderr: '' });
    expect(await argsOf('pg_dump')).toEqual([`--username=${HOSTILE}`, '--format=custom', HOSTILE]);
    expect(await readdir(dumpDir)).toEqual([`${HOSTILE_FILE}.pgdump`]);
    expect(await readFile(path.join(dumpDir, `${HOSTILE_FILE}.pgdump`), 'utf8')).toBe('PGDUMP');
    expect(existsSync(path.join(dir, 'CANARY'))).toBe(false);
  });

  it('GIVEN a good dump from the last run WHEN pg_dump fails THEN the hook fails and the good dump is kept', async () => {
    await fake('pg_dump', "printf 'HALF'; exit 3");
    const dumpDir = dumpDirOf();
    await mkdir(dumpDir, { recursive: true });
    await writeFile(path.join(dumpDir, 'ledger.pgdump'), 'GOOD');
    const [command] = postgres({ selector, database: 'ledger', dumpDir }).pre;

    const result = run(command ?? []);

    expect(result.status).not.toBe(0);
    expect(await readFile(path.join(dumpDir, 'ledger.pgdump'), 'utf8')).toBe('GOOD');
  });

  // A legal PostgreSQL database name may hold a `/` ('sales/2026'): used as a file name unchanged it
  // named a file in a folder that does not exist (the pre hook failed on every backup), and `..`
  // segments would write outside dumpDir. The dump file writes `/` as `%2F`.
  it('GIVEN postgres with a database named sales/2026 WHEN the pre hook runs THEN the dump is written inside dumpDir', async () => {
    await fake('pg_dump', "printf 'PGDUMP'");
    const dumpDir = path.join(dir, 'dumps');
    const profile = postgres({ selector, database: 'sales/2026', dumpDir });

    const result = run(profile.pre[0] ?? []);

    expect(result).toEqual({ status: 0, stderr: '' });
    expect(await argsOf('pg_dump')).toEqual(['--username=postgres', '--format=custom', 'sales/2026']);
    expect(await readdir(dumpDir)).toEqual(['sales%2F2026.pgdump']);
    expect(await readFile(path.join(dumpDir, 'sales%2F2026.pgdump'), 'utf8')).toBe('PGDUMP');
    expect(profile.restore[1]?.command).toEqual(['pg_restore', '--file=/dev/null', `${dumpDir}/sales%2F2026.pgdump`]);
  });

  it('GIVEN postgres with a database named ../../etc WHEN the pre hook runs THEN the dump is written inside dumpDir', async () => {
    await fake('pg_dump', "printf 'PGDUMP'");
    const dumpDir = path.join(dir, 'deep', 'dumps');

    const result = run(postgres({ selector, database: '../../etc', dumpDir }).pre[0] ?? []);

    expect(result).toEqual({ status: 0, stderr: '' });
    expect(await readdir(dumpDir)).toEqual(['..%2F..%2Fetc.pgdump']);
    expect(await readdir(path.join(dir, 'deep'))).toEqual(['dumps']);
  });

  it('GIVEN postgres with a hostile user WHEN the restore readiness hook runs THEN pg_isready receives the user as one argument', async () => {
    await fake('pg_isready', 'exit 0');
    const profile = postgres({ selector, database: 'ledger', user: HOSTILE, dumpDir: dumpDirOf() });

    const result = run(profile.restore[0]?.command ?? []);

    expect(result.status).toBe(0);
    expect(await argsOf('pg_isready')).toEqual([`--username=${HOSTILE}`]);
    expect(existsSync(path.join(dir, 'CANARY'))).toBe(false);
  });

  it('GIVEN mysql with a hostile database WHEN the pre hook runs THEN mysqldump receives it as one argument', async () => {
    await fake('mysqldump', "printf 'SQL'");
    const dumpDir = dumpDirOf();

    const result = run(mysql({ selector, database: HOSTILE, dumpDir }).pre[0] ?? []);

    expect(result).toEqual({ status: 0, stderr: '' });
    expect(await argsOf('mysqldump')).toEqual(['--single-transaction', '--routines', '--triggers', '--databases', HOSTILE]);
    expect(await readFile(path.join(dumpDir, `${HOSTILE_FILE}.sql`), 'utf8')).toBe('SQL');
    expect(existsSync(path.join(dir, 'CANARY'))).toBe(false);
  });

  it('GIVEN mongodb (a standalone server) with a hostile dump folder WHEN the pre hook runs THEN mongodump writes an archive without --oplog, gzip-compressed as one stream', async () => {
    await fake('mongodump', "printf 'ARCHIVE'");
    const dumpDir = dumpDirOf();

    const result = run(mongodb({ selector, dumpDir }).pre[0] ?? []);

    expect(result).toEqual({ status: 0, stderr: '' });
    expect(await argsOf('mongodump')).toEqual(['--archive']);
    expect(execFileSync('gzip', ['-dc', path.join(dumpDir, 'mongodump.archive.gz')], { encoding: 'utf8' })).toBe('ARCHIVE');
    expect(existsSync(path.join(dir, 'CANARY'))).toBe(false);
  });

  it('GIVEN mongodb on a replica set with credentials in an environment variable WHEN the pre hook runs THEN mongodump gets --oplog and the connection string, which the policy never holds', async () => {
    await fake('mongodump', "printf 'ARCHIVE'");
    const profile = mongodb({ selector, dumpDir: dumpDirOf(), replicaSet: true, uriEnv: 'MONGODB_URI' });
    const uri = `mongodb://backup:${HOSTILE}@localhost/?authSource=admin`;

    const result = run(profile.pre[0] ?? [], { MONGODB_URI: uri });

    expect(result).toEqual({ status: 0, stderr: '' });
    expect(await argsOf('mongodump')).toEqual(['--archive', '--oplog', `--uri=${uri}`]);
    expect(JSON.stringify(profile)).not.toContain('backup:');
    expect(profile.restoreNotes).toContain('--oplogReplay');
    expect(mongodb({ selector, dumpDir: '/d' }).restoreNotes).not.toContain('--oplogReplay');
    expect(existsSync(path.join(dir, 'CANARY'))).toBe(false);
  });

  it('GIVEN a good dump from the last run WHEN mongodump fails behind its gzip pipe THEN the hook fails and the good dump is kept', async () => {
    await fake('mongodump', "printf 'HALF'; exit 3");
    const dumpDir = dumpDirOf();
    await mkdir(dumpDir, { recursive: true });
    await writeFile(path.join(dumpDir, 'mongodump.archive.gz'), 'GOOD');

    const result = run(mongodb({ selector, dumpDir }).pre[0] ?? []);

    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('mongodump failed');
    expect(await readFile(path.join(dumpDir, 'mongodump.archive.gz'), 'utf8')).toBe('GOOD');
    expect(await readdir(dumpDir)).toEqual(['mongodump.archive.gz']);
  });

  it('GIVEN redis with a hostile dump folder WHEN the pre hook runs THEN redis-cli --rdb receives the partial path as one argument and the snapshot is moved in place', async () => {
    await fake('redis-cli', `printf 'RDB' > "$2"`);
    const dumpDir = dumpDirOf();

    const result = run(redis({ selector, dumpDir }).pre[0] ?? []);

    expect(result).toEqual({ status: 0, stderr: '' });
    const [flag, partial] = await argsOf('redis-cli');
    expect(flag).toBe('--rdb');
    expect(partial).toMatch(new RegExp(`^${path.join(dumpDir, 'dump.rdb.').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\d+\\.partial$`));
    expect(await readFile(path.join(dumpDir, 'dump.rdb'), 'utf8')).toBe('RDB');
    expect(existsSync(path.join(dir, 'CANARY'))).toBe(false);
  });

  it('GIVEN a dump of the same file still running (its lock held by a live process) WHEN another run starts THEN it fails without touching the dump or the running one', async () => {
    await fake('pg_dump', "printf 'NEW'");
    const dumpDir = dumpDirOf();
    await mkdir(path.join(dumpDir, '.ledger.pgdump.lock'), { recursive: true });
    await writeFile(path.join(dumpDir, '.ledger.pgdump.lock', 'pid'), String(process.pid));
    await writeFile(path.join(dumpDir, 'ledger.pgdump'), 'GOOD');

    const result = run(postgres({ selector, database: 'ledger', dumpDir }).pre[0] ?? []);

    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`another dump of ${dumpDir}/ledger.pgdump is running (pid ${process.pid})`);
    expect(existsSync(path.join(dir, 'pg_dump.args'))).toBe(false);
    expect(await readFile(path.join(dumpDir, 'ledger.pgdump'), 'utf8')).toBe('GOOD');
    expect(existsSync(path.join(dumpDir, '.ledger.pgdump.lock'))).toBe(true);
  });

  it('GIVEN a lock left by a dump that was killed (its process is gone) WHEN the next run starts THEN it takes the lock over, dumps, and leaves no lock or temporary file', async () => {
    await fake('pg_dump', "printf 'NEW'");
    const dumpDir = dumpDirOf();
    const gone = spawnSync('/bin/sh', ['-c', 'echo $$']).stdout.toString().trim();
    await mkdir(path.join(dumpDir, '.ledger.pgdump.lock'), { recursive: true });
    await writeFile(path.join(dumpDir, '.ledger.pgdump.lock', 'pid'), gone);

    const result = run(postgres({ selector, database: 'ledger', dumpDir }).pre[0] ?? []);

    expect(result).toEqual({ status: 0, stderr: '' });
    expect(await readdir(dumpDir)).toEqual(['ledger.pgdump']);
    expect(await readFile(path.join(dumpDir, 'ledger.pgdump'), 'utf8')).toBe('NEW');
  });

  it('GIVEN two runs at once WHEN both dump the same file THEN one writes it and the other fails on the lock, never a mixed file', async () => {
    await fake('pg_dump', "sleep 1; printf 'DUMP'");
    const dumpDir = dumpDirOf();
    const [command = ''] = postgres({ selector, database: 'ledger', dumpDir }).pre[0]?.slice(2) ?? [];
    const script = `( /bin/sh -c "$1" ) & first=$!; sleep 0.3; /bin/sh -c "$1"; second=$?; wait $first; echo "$? $second"`;
    const out = execFileSync('/bin/sh', ['-c', script, 'sh', command], { cwd: dir, encoding: 'utf8', env: { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` }, stdio: ['ignore', 'pipe', 'pipe'] });

    expect(out.trim()).toBe('0 1');
    expect(await readdir(dumpDir)).toEqual(['ledger.pgdump']);
    expect(await readFile(path.join(dumpDir, 'ledger.pgdump'), 'utf8')).toBe('DUMP');
  });

  it('GIVEN less free space in the dump folder than the last dump took WHEN the pre hook runs THEN it refuses to dump and says why', async () => {
    await fake('pg_dump', "printf 'NEW'");
    await fake('df', "printf 'Filesystem 1024-blocks Used Available Capacity Mounted on\\n/dev/x 100 99 1 99%% /data\\n'");
    const dumpDir = dumpDirOf();
    await mkdir(dumpDir, { recursive: true });
    await writeFile(path.join(dumpDir, 'ledger.pgdump'), 'G'.repeat(10_000));

    const result = run(postgres({ selector, database: 'ledger', dumpDir }).pre[0] ?? []);

    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`1 KiB free in ${dumpDir}, less than the last dump (10 KiB): not dumping`);
    expect(existsSync(path.join(dir, 'pg_dump.args'))).toBe(false);
    expect(await readdir(dumpDir)).toEqual(['ledger.pgdump']);
  });

  it('GIVEN a complete and a truncated mysqldump WHEN the restore check reads them THEN the complete one passes and the truncated one fails', async () => {
    const dumpDir = dumpDirOf();
    await mkdir(dumpDir, { recursive: true });
    const check = mysql({ selector, database: 'shop', dumpDir }).restore[1]?.command ?? [];
    const complete = '-- MySQL dump\nCREATE TABLE t (a int);\nINSERT INTO t VALUES (1);\n-- Dump completed on 2026-12-06 10:00:00\n';
    await writeFile(path.join(dumpDir, 'shop.sql'), complete);
    expect(run(check).status).toBe(0);
    await writeFile(path.join(dumpDir, 'shop.sql'), complete.slice(0, 50));
    expect(run(check).status).not.toBe(0);
  });

  it('GIVEN a complete and a truncated mongodb dump WHEN the restore check reads them THEN gzip -t passes the complete one and fails the truncated one', async () => {
    const dumpDir = dumpDirOf();
    await mkdir(dumpDir, { recursive: true });
    const check = mongodb({ selector, dumpDir }).restore[1]?.command ?? [];
    const gz = execFileSync('gzip', ['-c'], { input: 'A'.repeat(100_000) + Math.random().toString(36).repeat(1000) });
    await writeFile(path.join(dumpDir, 'mongodump.archive.gz'), gz);
    expect(run(check).status).toBe(0);
    await writeFile(path.join(dumpDir, 'mongodump.archive.gz'), gz.subarray(0, gz.length - 20));
    expect(run(check).status).not.toBe(0);
  });

  it('GIVEN postgres and redis WHEN their restore checks are read THEN they read the whole dump (pg_restore to /dev/null, redis-check-rdb), not a table of contents', () => {
    expect(postgres({ selector, database: 'ledger', dumpDir: '/d' }).restore[1]?.command).toEqual(['pg_restore', '--file=/dev/null', '/d/ledger.pgdump']);
    expect(redis({ selector, dumpDir: '/d' }).restore[1]?.command).toEqual(['redis-check-rdb', '/d/dump.rdb']);
  });

  it('GIVEN every profile WHEN each /bin/sh script is parsed by dash and by busybox sh (POSIX shells) THEN it is valid shell', () => {
    for (const profile of everyProfile(dumpDirOf())) {
      for (const command of [...profile.pre, ...profile.post, ...profile.restore.map((hook) => hook.command)]) {
        if (command[0] !== '/bin/sh') continue;
        for (const shell of [['dash'], ['busybox', 'sh']]) {
          const [file = '', ...args] = shell;
          const result = spawnSync(file, [...args, '-n', '-c', command[2] ?? ''], { encoding: 'utf8' });
          expect(result.status, `${shell.join(' ')}: ${profile.engine}: ${command[2]}`).toBe(0);
        }
      }
    }
  });

  it('GIVEN every profile WHEN each /bin/sh script is parsed with sh -n THEN it is valid shell', () => {
    for (const profile of everyProfile(dumpDirOf())) {
      for (const command of [...profile.pre, ...profile.post, ...profile.restore.map((hook) => hook.command)]) {
        if (command[0] !== '/bin/sh') continue;
        const result = spawnSync('/bin/sh', ['-n', '-c', command[2] ?? ''], { encoding: 'utf8' });
        expect(result.status, `${profile.engine}: ${command[2]}`).toBe(0);
      }
    }
  });
});

describe('lowered Schedules: backup hooks', () => {
  const store = storage('eu');
  const prod = clusterWith('prod', [store]);

  function lowered(apps: readonly AppProfile[], namespaces: readonly string[] = ['payments', 'billing']) {
    return build([store, prod, policy('ledger', prod, { namespaces, apps })]);
  }

  it('GIVEN a postgres profile WHEN the policy is lowered THEN every tier Schedule carries one hook resource with the selector, namespaces and a Fail pre hook with a Go timeout', () => {
    const profile = postgres({ name: 'ledger-db', selector: { 'app.kubernetes.io/name': 'ledger-db' }, container: 'postgres', database: 'ledger', dumpDir: '/data', timeout: '15m' });

    const built = lowered([profile]);

    expect(errorCodes(built.diagnostics)).toEqual([]);
    const names = schedules(built.objects).map((s) => s.metadata?.name);
    expect(names).toEqual(['ledger-hourly', 'ledger-daily']);
    for (const name of names) {
      const resources = templateOf(built.objects, String(name)).hooks?.resources ?? [];
      expect(resources).toHaveLength(1);
      const [resource] = resources;
      expect(resource?.name).toBe('ledger-db');
      expect(resource?.includedNamespaces).toEqual(['payments', 'billing']);
      expect(resource?.labelSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'ledger-db' } });
      expect(resource?.post).toBeUndefined();
      expect(resource?.pre).toEqual([{ exec: { container: 'postgres', command: [...(profile.pre[0] ?? [])], onError: 'Fail', timeout: '15m0s' } }]);
    }
  });

  describe('a dump timeout derived from the data size and the RPO', () => {
    const withSize = (dataSize: string, rpo: `${number}${'m' | 'h' | 'd'}`, timeout?: '15m') =>
      build([store, prod, policy('ledger', prod, { rpo, retention: { daily: 7 }, apps: [postgres({ name: 'ledger-db', selector, database: 'ledger', dumpDir: '/data', dataSize, timeout })] })]);
    const timeoutOf = (built: ReturnType<typeof build>) => templateOf(built.objects, 'ledger-daily').hooks?.resources?.[0]?.pre?.[0]?.exec.timeout;

    it('GIVEN 200Gi of PostgreSQL and an RPO of 1d WHEN lowered THEN the hook may take twice the estimated dump (200Gi at 30MiB/s: 1h53m47s, so 3h48m)', () => {
      const built = withSize('200Gi', '1d');
      expect(errorCodes(built.diagnostics)).toEqual([]);
      expect(timeoutOf(built)).toBe('3h48m0s');
    });

    it('GIVEN 150Gi and an RPO of 1h WHEN lowered THEN the timeout stops at the RPO, and RPO002 says the dump cannot finish within it', () => {
      const built = withSize('150Gi', '1h');
      expect(timeoutOf(built)).toBe('1h0m0s');
      const [d] = built.diagnostics.filter((x) => x.code === 'RPO002');
      expect([d?.severity, d?.path, d?.message]).toEqual([
        'error',
        'apps[0].dataSize',
        'the dump of ledger-db (150Gi at 30Mi/s) takes about 1h26m, longer than the RPO of 1h: each backup runs past the next one, which Velero holds back until it ends',
      ]);
    });

    it('GIVEN a small database WHEN lowered THEN the profile default (10m) stays the least timeout, and no RPO002', () => {
      const built = withSize('1Gi', '1h');
      expect(timeoutOf(built)).toBe('10m0s');
      expect(built.diagnostics.filter((x) => x.code === 'RPO002')).toEqual([]);
    });

    it('GIVEN a declared timeout WHEN lowered THEN it is used as is, and RPO002 still compares the estimate with the RPO', () => {
      const built = withSize('200Gi', '1h', '15m');
      expect(timeoutOf(built)).toBe('15m0s');
      expect(built.diagnostics.filter((x) => x.code === 'RPO002').map((x) => x.path)).toEqual(['apps[0].dataSize']);
    });

    it("GIVEN a data size that is not a quantity WHEN checked THEN APP005 names the field and the hook keeps the profile's timeout", () => {
      const built = withSize('200 gigs', '1d');
      const [d] = built.diagnostics.filter((x) => x.code === 'APP005');
      expect([d?.path, d?.message]).toEqual(['apps[0].dataSize', `expected a quantity such as '200Gi', got "200 gigs"`]);
    });
  });

  it('GIVEN hand-written hooks with odd timeouts WHEN lowered THEN each timeout is the same length as a Go duration', () => {
    const cases: [AppProfile['hookTimeout'], number][] = [['90s', 90], ['1h', 3600], ['1d', 86_400], ['2w', 14 * 86_400], ['45m', 2700]];
    for (const [timeout, seconds] of cases) {
      const app = execHooks({ name: 'queue', selector: { app: 'queue' }, pre: [['queue-ctl', 'flush']], post: [['queue-ctl', 'resume']], hookTimeout: timeout });
      const [resource] = templateOf(lowered([app]).objects, 'ledger-hourly').hooks?.resources ?? [];
      for (const hook of [...(resource?.pre ?? []), ...(resource?.post ?? [])]) {
        expect(hook.exec.timeout).toMatch(/^(\d+h)?(\d+m)?\d+s$/);
        expect(goSeconds(hook.exec.timeout ?? '')).toBe(seconds);
        expect(hook.exec.onError).toBe('Fail');
      }
      expect(resource?.pre?.[0]?.exec.command).toEqual(['queue-ctl', 'flush']);
      expect(resource?.post?.[0]?.exec.command).toEqual(['queue-ctl', 'resume']);
    }
  });

  it('GIVEN a profile with only restore hooks WHEN lowered THEN no backup hook resource is made for it', () => {
    const app = execHooks({ name: 'cache', selector: { app: 'cache' }, restore: [{ command: ['warm'], waitTimeout: '1m', execTimeout: '1m' }] });

    expect(templateOf(lowered([app]).objects, 'ledger-daily').hooks).toBeUndefined();
  });

  it('GIVEN a policy without apps WHEN lowered THEN the template has no hooks and no orderedResources', () => {
    const template = templateOf(lowered([]).objects, 'ledger-hourly');

    expect(template.hooks).toBeUndefined();
    expect(template.orderedResources).toBeUndefined();
  });

  it('GIVEN two profiles with ordered resources WHEN lowered THEN they merge per resource into Velero comma-separated namespace/name lists', () => {
    const apps = [
      execHooks({ name: 'db', selector: { app: 'db' }, orderedResources: { pods: ['payments/db-0', 'payments/db-1'], persistentvolumeclaims: ['payments/data-db-0'] } }),
      execHooks({ name: 'queue', selector: { app: 'queue' }, orderedResources: { pods: ['billing/queue-0'] } }),
    ];

    const template = templateOf(lowered(apps).objects, 'ledger-daily');

    expect(template.orderedResources).toEqual({
      pods: 'payments/db-0,payments/db-1,billing/queue-0',
      persistentvolumeclaims: 'payments/data-db-0',
    });
    for (const value of Object.values(template.orderedResources ?? {})) expect(value).not.toMatch(/\s/);
  });

  it('GIVEN every profile at once WHEN lowered THEN the Schedules validate against the real CRD and the project schema, with one hook resource per profile with backup hooks', () => {
    const apps = everyProfile('/data/dumps').map((app, index) => ({ ...app, name: `${app.engine}-${index}` }));

    const built = lowered(apps);

    expect(errorCodes(built.diagnostics)).toEqual([]);
    for (const schedule of schedules(built.objects)) {
      expect(validateAgainstReferenceCrds(schedule)).toEqual([]);
      expect(validateObject(schedule)).toEqual([]);
      expect(schedule.spec.template.hooks?.resources?.map((r) => r.name)).toEqual(apps.map((a) => a.name));
    }
  });
});

describe('lowered Schedules: waits and uploader from the declared volume data', () => {
  const store = storage('eu');
  const prod = clusterWith('prod', [store]);
  const built = (props: Parameters<typeof policy>[2]) => build([store, prod, policy('ledger', prod, { volumes: 'snapshot-data-mover', ...props })]);

  it('GIVEN 2Ti of volume data and 16 parallel uploads WHEN lowered THEN csiSnapshotTimeout and itemOperationTimeout follow the size, the uploader gets the parallelism, and the Schedule validates against the real CRD', () => {
    const result = built({ dataSize: '2Ti', uploaderParallelism: 16 });
    expect(errorCodes(result.diagnostics)).toEqual([]);
    for (const schedule of schedules(result.objects)) {
      const template = schedule.spec.template;
      // 2Ti at 100MiB/s is 6h59m03s: twice that, in whole minutes; plus an hour for the upload.
      expect([template.csiSnapshotTimeout, template.itemOperationTimeout]).toEqual(['11h40m0s', '12h40m0s']);
      expect(template.uploaderConfig).toEqual({ parallelFilesUpload: 16 });
      expect(validateAgainstReferenceCrds(schedule)).toEqual([]);
      expect(validateObject(schedule)).toEqual([]);
    }
  });

  it("GIVEN a small volume WHEN lowered THEN Velero's defaults are the least: 10m and 4h", () => {
    const template = templateOf(built({ dataSize: '10Gi' }).objects, 'ledger-daily');
    expect([template.csiSnapshotTimeout, template.itemOperationTimeout]).toEqual(['10m0s', '4h0m0s']);
  });

  it("GIVEN no data size and no parallelism WHEN lowered THEN none of these fields is written (Velero's defaults apply)", () => {
    const template = templateOf(built({}).objects, 'ledger-daily');
    expect([template.csiSnapshotTimeout, template.itemOperationTimeout, template.uploaderConfig]).toEqual([undefined, undefined, undefined]);
  });

  it('GIVEN a data size that is not a quantity and a parallelism of 0 WHEN checked THEN VOL002 and VOL003 name the fields', () => {
    const result = built({ dataSize: 'lots', uploaderParallelism: 0 });
    expect(result.diagnostics.filter((d) => d.code === 'VOL002' || d.code === 'VOL003').map((d) => [d.code, d.path, d.message])).toEqual([
      ['VOL002', 'dataSize', `expected a quantity such as '200Gi', got "lots"`],
      ['VOL003', 'uploaderParallelism', 'expected a whole number from 1 to 1024, got 0'],
    ]);
  });
});
