import type { DurationString } from '../duration.ts';
import type { AppProfile, Command, VerifyCheck } from './profile.ts';
import { sh, shellQuote } from './shell.ts';

/** Props shared by the database profiles. */
export interface DatabaseProfileProps {
  /** Labels of the database pods. */
  readonly selector: Readonly<Record<string, string>>;
  /** Step name. @default the engine name */
  readonly name?: string;
  /** Container running the database. @default the pod's first container */
  readonly container?: string;
  /** Folder on a backed-up volume where the dump is written. */
  readonly dumpDir: string;
  /** How long the dump may take. @default '10m' */
  readonly timeout?: DurationString;
  /** Extra checks for drills. @default a connection check */
  readonly verify?: readonly VerifyCheck[];
}

/**
 * The file name of a database's dump: the name itself, with `/` written `%2F` (and `%` written
 * `%25`, so two names never share a file). A database name may hold a `/` ('sales/2026'), which as
 * a path would name a file in a folder that does not exist, or with `..` one outside the dump folder.
 */
function dumpFileName(database: string, extension: string): string {
  return `${database.replaceAll('%', '%25').replaceAll('/', '%2F')}.${extension}`;
}

/** Writes `command`'s output to `file` through a temporary file, so a failed dump never replaces a good one. */
function dumpTo(dumpDir: string, file: string, command: string): Command {
  const target = `${dumpDir}/${file}`;
  return sh(`set -eu; mkdir -p ${shellQuote(dumpDir)}; ${command} > ${shellQuote(`${target}.partial`)}; mv ${shellQuote(`${target}.partial`)} ${shellQuote(target)}`);
}

const restoreWait = { waitTimeout: '10m', execTimeout: '5m' } as const;

/**
 * PostgreSQL. Hooks cannot hold a session open between pre and post (a non-exclusive base backup
 * ends with its session), so a pre-hook writes a consistent `pg_dump` (custom format) onto the data
 * volume. On restore the volume comes back crash-consistent and PostgreSQL replays its WAL; the dump
 * is checked with `pg_restore --list` and is the fallback (`pg_restore --clean`) if recovery fails.
 *
 * @example
 * postgres({ selector: { app: 'ledger-db' }, database: 'ledger', dumpDir: '/var/lib/postgresql/data/restorable' })
 */
export function postgres(props: DatabaseProfileProps & { readonly database: string; readonly user?: string }): AppProfile {
  const user = props.user ?? 'postgres';
  const db = shellQuote(props.database);
  const file = dumpFileName(props.database, 'pgdump');
  const dump = `${props.dumpDir}/${file}`;
  return {
    type: 'app',
    engine: 'postgres',
    database: props.database,
    user,
    name: props.name ?? 'postgres',
    selector: props.selector,
    container: props.container,
    consistency: 'dump',
    pre: [dumpTo(props.dumpDir, file, `pg_dump --username=${shellQuote(user)} --format=custom ${db}`)],
    post: [],
    hookTimeout: props.timeout ?? '10m',
    restore: [
      { command: sh(`until pg_isready --username=${shellQuote(user)}; do sleep 2; done`), ...restoreWait },
      { command: ['pg_restore', '--list', dump], ...restoreWait },
    ],
    verify: props.verify ?? [
      { type: 'command', name: 'postgres-accepts-queries', command: ['psql', `--username=${user}`, `--dbname=${props.database}`, '--command=select 1'] },
    ],
    restoreNotes: `PostgreSQL recovers the restored volume from its WAL at start. If it does not, restore the dump: pg_restore --clean --dbname=${props.database} ${dump}`,
  };
}

/**
 * MySQL / MariaDB. `FLUSH TABLES WITH READ LOCK` lasts only for its session, so a pre-hook writes
 * `mysqldump --single-transaction` (a consistent InnoDB snapshot without locking) onto the data
 * volume. Credentials come from the container (`MYSQL_PWD` or `~/.my.cnf`), never from the policy.
 *
 * @example
 * mysql({ selector: { app: 'shop-db' }, database: 'shop', dumpDir: '/var/lib/mysql/restorable' })
 */
export function mysql(props: DatabaseProfileProps & { readonly database: string }): AppProfile {
  const file = dumpFileName(props.database, 'sql');
  const dump = `${props.dumpDir}/${file}`;
  return {
    type: 'app',
    engine: 'mysql',
    database: props.database,
    name: props.name ?? 'mysql',
    selector: props.selector,
    container: props.container,
    consistency: 'dump',
    pre: [dumpTo(props.dumpDir, file, `mysqldump --single-transaction --routines --triggers --databases ${shellQuote(props.database)}`)],
    post: [],
    hookTimeout: props.timeout ?? '10m',
    restore: [{ command: sh('until mysqladmin ping --silent; do sleep 2; done'), ...restoreWait }],
    verify: props.verify ?? [
      { type: 'command', name: 'mysql-accepts-queries', command: ['mysql', props.database, '--execute=select 1'] },
    ],
    restoreNotes: `InnoDB recovers the restored volume from its redo log at start. If it does not, load the dump: mysql < ${dump}`,
  };
}

/**
 * MongoDB. A pre-hook writes `mongodump --archive --gzip --oplog` (point-in-time consistent on a
 * replica set) onto the data volume; WiredTiger recovers the volume itself from its journal.
 *
 * @example
 * mongodb({ selector: { app: 'catalog-db' }, dumpDir: '/data/db/restorable' })
 */
export function mongodb(props: DatabaseProfileProps): AppProfile {
  const dump = `${props.dumpDir}/mongodump.archive.gz`;
  return {
    type: 'app',
    engine: 'mongodb',
    name: props.name ?? 'mongodb',
    selector: props.selector,
    container: props.container,
    consistency: 'dump',
    pre: [dumpTo(props.dumpDir, 'mongodump.archive.gz', 'mongodump --archive --gzip --oplog')],
    post: [],
    hookTimeout: props.timeout ?? '10m',
    restore: [{ command: sh(`until mongosh --quiet --eval 'db.runCommand({ ping: 1 })'; do sleep 2; done`), ...restoreWait }],
    verify: props.verify ?? [
      { type: 'command', name: 'mongodb-answers-ping', command: ['mongosh', '--quiet', '--eval', 'db.runCommand({ ping: 1 })'] },
    ],
    restoreNotes: `WiredTiger recovers the restored volume from its journal at start. If it does not: mongorestore --archive=${dump} --gzip --oplogReplay --drop`,
  };
}

/**
 * Redis. A pre-hook copies a fresh RDB snapshot from the server (`redis-cli --rdb`) onto the data
 * volume; Redis loads its data directory at start.
 *
 * @example
 * redis({ selector: { app: 'sessions' }, dumpDir: '/data/restorable' })
 */
export function redis(props: DatabaseProfileProps): AppProfile {
  const dump = `${props.dumpDir}/dump.rdb`;
  return {
    type: 'app',
    engine: 'redis',
    name: props.name ?? 'redis',
    selector: props.selector,
    container: props.container,
    consistency: 'dump',
    pre: [sh(`set -eu; mkdir -p ${shellQuote(props.dumpDir)}; redis-cli --rdb ${shellQuote(`${dump}.partial`)}; mv ${shellQuote(`${dump}.partial`)} ${shellQuote(dump)}`)],
    post: [],
    hookTimeout: props.timeout ?? '5m',
    restore: [{ command: sh('until redis-cli ping | grep -q PONG; do sleep 2; done'), ...restoreWait }],
    verify: props.verify ?? [{ type: 'command', name: 'redis-answers-ping', command: ['redis-cli', 'ping'] }],
    restoreNotes: `Redis loads its data directory at start. To start from the hook's snapshot instead, copy ${dump} over the configured dump file before Redis starts.`,
  };
}
