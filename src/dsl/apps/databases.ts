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
  /**
   * Folder where the dump is written, on a volume you declare for it in the pod and that the backup
   * captures. The hook refuses to dump when the folder's free space is below the last dump's size.
   */
  readonly dumpDir: string;
  /**
   * How much data the database holds (`'200Gi'`): the dump's timeout is derived from it and the
   * policy's RPO, and RPO002 reports a dump that cannot finish within the RPO. @default unknown
   */
  readonly dataSize?: string;
  /** How long the dump may take. @default '10m', or derived from `dataSize` and the RPO */
  readonly timeout?: DurationString;
  /** Extra checks for drills. @default a connection check */
  readonly verify?: readonly VerifyCheck[];
}

/**
 * How fast each engine's dump tool writes, in bytes per second: conservative figures for a single
 * dump stream (compression included), from which the dump's timeout and RPO002 are derived.
 */
export const DUMP_THROUGHPUT: Readonly<Record<string, number>> = {
  postgres: 30 * 1024 ** 2,
  mysql: 20 * 1024 ** 2,
  mongodb: 20 * 1024 ** 2,
  redis: 100 * 1024 ** 2,
};

/** The size estimate a profile carries when `dataSize` is declared. */
function dumpEstimate(engine: string, props: DatabaseProfileProps): AppProfile['dump'] {
  return props.dataSize === undefined ? undefined : { dataSize: props.dataSize, bytesPerSecond: DUMP_THROUGHPUT[engine] ?? 20 * 1024 ** 2, timeoutDeclared: props.timeout !== undefined };
}

/**
 * The file name of a database's dump: the name itself, with `/` written `%2F` (and `%` written
 * `%25`, so two names never share a file). A database name may hold a `/` ('sales/2026'), which as
 * a path would name a file in a folder that does not exist, or with `..` one outside the dump folder.
 */
function dumpFileName(database: string, extension: string): string {
  return `${database.replaceAll('%', '%25').replaceAll('/', '%2F')}.${extension}`;
}

/**
 * A POSIX sh script that dumps into `dumpDir/file` safely at size and when runs overlap:
 * - one dump of a file at a time: a lock folder (`mkdir` is atomic) holding the holder's PID; a
 *   lock whose holder is gone (a hook killed at its timeout) is taken over, a live one fails the hook;
 * - the dump goes to a temporary file unique to the run (`.<pid>.partial`), renamed over the last
 *   dump only when the tool succeeded, and removed otherwise;
 * - no dump when the folder's free space is below the last dump's size (the new one would fill the
 *   volume before replacing it).
 * `write` is the command writing the dump, given the shell expression of the temporary file.
 */
function dumpTo(dumpDir: string, file: string, write: (tmp: string) => string): Command {
  return sh(
    [
      'set -eu',
      `dir=${shellQuote(dumpDir)}`,
      `target=${shellQuote(`${dumpDir}/${file}`)}`,
      `lock=${shellQuote(`${dumpDir}/.${file}.lock`)}`,
      'mkdir -p "$dir"',
      'if ! mkdir "$lock" 2>/dev/null; then',
      '  holder=$(cat "$lock/pid" 2>/dev/null || true)',
      '  if [ -n "$holder" ] && kill -0 "$holder" 2>/dev/null; then echo "restorable: another dump of $target is running (pid $holder)" >&2; exit 1; fi',
      '  rm -rf "$lock"',
      '  mkdir "$lock"',
      'fi',
      'echo "$$" > "$lock/pid"',
      'tmp="$target.$$.partial"',
      `trap 'rm -f "$tmp"; rm -rf "$lock"' EXIT`,
      "trap 'exit 1' HUP INT TERM",
      'if [ -f "$target" ]; then',
      '  need=$(( ($(wc -c < "$target") + 1023) / 1024 ))',
      `  free=$(df -Pk "$dir" | awk 'NR == 2 { print $4 }')`,
      '  if [ "$free" -lt "$need" ]; then echo "restorable: $free KiB free in $dir, less than the last dump ($need KiB): not dumping" >&2; exit 1; fi',
      'fi',
      write('"$tmp"'),
      'mv "$tmp" "$target"',
    ].join('\n'),
  );
}

const restoreWait = { waitTimeout: '10m', execTimeout: '5m' } as const;

/**
 * PostgreSQL. Hooks cannot hold a session open between pre and post (a non-exclusive base backup
 * ends with its session), so a pre-hook writes a consistent `pg_dump` (custom format) onto the data
 * volume. On restore the volume comes back crash-consistent and PostgreSQL replays its WAL; the dump
 * is read through to its end (`pg_restore --file=/dev/null`: a table of contents alone passes a
 * truncated archive) and is the fallback (`pg_restore --clean`) if recovery fails.
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
    pre: [dumpTo(props.dumpDir, file, (tmp) => `pg_dump --username=${shellQuote(user)} --format=custom ${db} > ${tmp}`)],
    post: [],
    hookTimeout: props.timeout ?? '10m',
    dump: dumpEstimate('postgres', props),
    restore: [
      { command: sh(`until pg_isready --username=${shellQuote(user)}; do sleep 2; done`), ...restoreWait },
      { command: ['pg_restore', '--file=/dev/null', dump], ...restoreWait },
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
 * On restore the dump is read through to its last line, which mysqldump writes only when it
 * completed (`-- Dump completed`).
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
    pre: [dumpTo(props.dumpDir, file, (tmp) => `mysqldump --single-transaction --routines --triggers --databases ${shellQuote(props.database)} > ${tmp}`)],
    post: [],
    hookTimeout: props.timeout ?? '10m',
    dump: dumpEstimate('mysql', props),
    restore: [
      { command: sh('until mysqladmin ping --silent; do sleep 2; done'), ...restoreWait },
      { command: ['awk', 'END { if ($0 !~ /^-- Dump completed/) exit 1 }', dump], ...restoreWait },
    ],
    verify: props.verify ?? [
      { type: 'command', name: 'mysql-accepts-queries', command: ['mysql', props.database, '--execute=select 1'] },
    ],
    restoreNotes: `InnoDB recovers the restored volume from its redo log at start. If it does not, load the dump: mysql < ${dump}`,
  };
}

/** Props of the MongoDB profile. */
export interface MongoDbProfileProps extends DatabaseProfileProps {
  /**
   * Whether the server is a replica set member: only then has it an oplog, and the dump is taken
   * with `--oplog` (point in time; a standalone server refuses it). @default false
   */
  readonly replicaSet?: boolean;
  /**
   * Name of an environment variable of the container holding the connection string with its
   * credentials (`mongodb://user:password@localhost/?authSource=admin`), read when the hook runs,
   * never written in the policy. @default none: the server must accept the dump without credentials
   */
  readonly uriEnv?: string;
}

/**
 * MongoDB. A pre-hook writes `mongodump --archive` (with `--oplog` on a replica set: point-in-time
 * consistent), gzip-compressed as one stream, onto the data volume; WiredTiger recovers the volume
 * itself from its journal. On restore `gzip -t` reads the dump through (its checksum and length
 * catch a truncated one).
 *
 * @example
 * mongodb({ selector: { app: 'catalog-db' }, dumpDir: '/data/db/restorable', replicaSet: true, uriEnv: 'MONGODB_URI' })
 */
export function mongodb(props: MongoDbProfileProps): AppProfile {
  const dump = `${props.dumpDir}/mongodump.archive.gz`;
  const uri = props.uriEnv === undefined ? '' : ` --uri="$(printenv ${shellQuote(props.uriEnv)})"`;
  const oplog = props.replicaSet ? ' --oplog' : '';
  return {
    type: 'app',
    engine: 'mongodb',
    name: props.name ?? 'mongodb',
    selector: props.selector,
    container: props.container,
    consistency: 'dump',
    // POSIX sh has no pipefail: mongodump's exit status is kept beside the dump and checked.
    pre: [
      dumpTo(
        props.dumpDir,
        'mongodump.archive.gz',
        (tmp) => `{ status=0; mongodump --archive${oplog}${uri} || status=$?; echo "$status" > "$lock/status"; } | gzip > ${tmp}\n[ "$(cat "$lock/status")" = 0 ] || { echo "restorable: mongodump failed" >&2; exit 1; }`,
      ),
    ],
    post: [],
    hookTimeout: props.timeout ?? '10m',
    dump: dumpEstimate('mongodb', props),
    restore: [
      { command: sh(`until mongosh --quiet --eval 'db.runCommand({ ping: 1 })'; do sleep 2; done`), ...restoreWait },
      { command: ['gzip', '-t', dump], ...restoreWait },
    ],
    verify: props.verify ?? [
      { type: 'command', name: 'mongodb-answers-ping', command: ['mongosh', '--quiet', '--eval', 'db.runCommand({ ping: 1 })'] },
    ],
    restoreNotes: `WiredTiger recovers the restored volume from its journal at start. If it does not: gunzip -c ${dump} | mongorestore --archive --drop${props.replicaSet ? ' --oplogReplay' : ''}`,
  };
}

/**
 * Redis. A pre-hook copies a fresh RDB snapshot from the server (`redis-cli --rdb`) onto the data
 * volume; Redis loads its data directory at start. On restore `redis-check-rdb` reads the snapshot through.
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
    pre: [dumpTo(props.dumpDir, 'dump.rdb', (tmp) => `redis-cli --rdb ${tmp}`)],
    post: [],
    hookTimeout: props.timeout ?? '5m',
    dump: dumpEstimate('redis', props),
    restore: [
      { command: sh('until redis-cli ping | grep -q PONG; do sleep 2; done'), ...restoreWait },
      { command: ['redis-check-rdb', dump], ...restoreWait },
    ],
    verify: props.verify ?? [{ type: 'command', name: 'redis-answers-ping', command: ['redis-cli', 'ping'] }],
    restoreNotes: `Redis loads its data directory at start. To start from the hook's snapshot instead, copy ${dump} over the configured dump file before Redis starts.`,
  };
}
