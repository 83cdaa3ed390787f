/**
 * Shell metacharacters, quotes, a newline and a YAML document separator in every free-text field a
 * policy has. Names, namespaces, time zones and crons are validated (the corpus rejects them); every
 * other string must be harmless: the output is still one YAML object per file and parses back to
 * the exact string, and every shell script the output holds (database hooks, the pre-sync backup
 * job) runs with stub commands without executing anything from the string, passing it on as one
 * argument.
 */
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runSynth } from '../support/run-cli.ts';
import { makeTempDir, makeTempProject, readTree, type TempProject } from '../support/temp.ts';
import { installBase } from './support/corpus.ts';

/** Every character a shell or a YAML parser treats specially, a newline and a document separator. */
const PAYLOAD = `x'; touch pwned; echo "$(touch pwned)" \`touch pwned\` $HOME $(id) & | > < * ? ! # {a: b} [c] \\ %s ~ \n---\nkind: Secret\n`;
const literal = JSON.stringify(PAYLOAD);

/** Where each free-text field of the policy below ends up in the output, to check it parses back. */
const policySource = `import { backupPolicy, execHooks, mongodb, mysql, postgres, preSyncBackup, redis } from 'restorable';
import { corpusCluster } from '../corpus.ts';

const text = ${literal};
const selector = { 'app.kubernetes.io/name': text };

export const freeText = backupPolicy('free-text', {
  cluster: corpusCluster,
  selector: { matchLabels: { 'app.kubernetes.io/part-of': text } },
  includedResources: ['persistentvolumeclaims', text],
  rpo: '1h',
  retention: { daily: 7 },
  apps: [
    postgres({ name: 'pg', selector, container: text, database: text, user: text, dumpDir: 'dump/pg/' + text }),
    mysql({ name: 'my', selector, database: text, dumpDir: 'dump/my/' + text }),
    mongodb({ name: 'mongo', selector, dumpDir: 'dump/mongo/' + text }),
    redis({ name: 'cache', selector, dumpDir: 'dump/redis/' + text }),
    execHooks({ name: 'custom', selector, pre: [['app-ctl', 'freeze', text]], post: [['app-ctl', 'thaw', text]] }),
  ],
  volumePolicies: [{ conditions: { storageClass: [text], csiDriver: text, pvcLabels: { tier: text } }, action: 'skip' }],
});

export const freeTextPreSync = preSyncBackup(freeText, { namespace: 'free-text' });
`;

/** Free-text fields of the platform's storage and cluster declarations. */
function withFreeTextClusters(source: string): string {
  const replacements: readonly [string, string][] = [
    ["bucket: 'acme-velero-eu',", `bucket: ${literal},`],
    ["prefix: 'velero',\n  credentials: sealed('velero-eu-backups-credentials'),", `prefix: ${literal},\n  credentials: sealed('velero-eu-backups-credentials'),`],
    ["encryption: { kmsKeyId: 'alias/velero-eu' },", `encryption: { kmsKeyId: ${literal} },`],
  ];
  let changed = source;
  for (const [find, replace] of replacements) {
    if (changed.split(find).length !== 2) throw new Error(`"${find}" is not once in clusters.ts`);
    changed = changed.replace(find, replace);
  }
  return changed;
}

/** Commands the hooks call, replaced by a stub that records its arguments (NUL-separated) and succeeds. */
const STUBBED = ['pg_dump', 'pg_isready', 'pg_restore', 'mysqldump', 'mysqladmin', 'mongodump', 'mongosh', 'redis-cli', 'app-ctl', 'kubectl', 'sleep', 'id'];

const STUB = `#!/bin/sh
log="$STUB_LOG/$(basename "$0").$$"
printf '%s\\0' "$@" > "$log"
case "$(basename "$0")" in
  kubectl)
    case "$*" in
      create*) cat > "$log.stdin"; echo free-text-presync-1 ;;
      "get backuprepositories"*) ;; # no repository yet: the repository-password hook adopts
      *) echo Completed ;;
    esac ;;
  redis-cli) if [ "$1" = --rdb ]; then echo rdb > "$2"; else echo PONG; fi ;;
  pg_dump|mysqldump|mongodump) echo dump ;;
esac
exit 0
`;

let project: TempProject;
let result: CliResult;
let documents: Map<string, unknown[]>;

/** Every value in a parsed document, depth first. */
function* values(node: unknown): Generator<unknown> {
  yield node;
  if (Array.isArray(node)) for (const item of node) yield* values(item);
  else if (typeof node === 'object' && node !== null) for (const item of Object.values(node)) yield* values(item);
}

/** Every `['/bin/sh', '-c', script]` in the output, with the file it is in. */
function shellScripts(): { file: string; script: string }[] {
  const found: { file: string; script: string }[] = [];
  for (const [file, docs] of documents) {
    for (const value of docs.flatMap((doc) => [...values(doc)])) {
      if (Array.isArray(value) && value[0] === '/bin/sh' && value[1] === '-c' && typeof value[2] === 'string') found.push({ file, script: value[2] });
    }
  }
  return found;
}

beforeAll(async () => {
  project = await makeTempProject({ copyExamplePolicies: true, policies: { 'teams/free-text.ts': policySource } });
  await installBase(project);
  const clusters = path.join(project.policiesDir, 'clusters.ts');
  await writeFile(clusters, withFreeTextClusters(await readFile(clusters, 'utf8')));
  result = await runSynth(project.policiesDir, project.outDir);
  documents = new Map();
  if (result.code === 0) {
    for (const [file, bytes] of await readTree(project.outDir)) {
      if (/\.ya?ml$/.test(file)) documents.set(file, yaml.loadAll(bytes.toString('utf8')));
    }
  }
}, 120_000);
afterAll(() => project.cleanup());

describe('free text with shell and YAML metacharacters', () => {
  it('GIVEN metacharacters in every free-text field WHEN synth runs THEN it succeeds: none of these fields is validated, so each must be harmless', () => {
    expect(result.code, result.stderr).toBe(0);
  });

  it('GIVEN the output WHEN every YAML file is parsed THEN each holds exactly one object', () => {
    expect(documents.size).toBeGreaterThan(20);
    for (const [file, docs] of documents) {
      expect(docs, file).toHaveLength(1);
      expect(typeof docs[0] === 'object' && docs[0] !== null && !Array.isArray(docs[0]), file).toBe(true);
    }
  });

  it('GIVEN the output WHEN parsed THEN the string comes back exactly where each field goes, and no object of kind Secret appeared', () => {
    const where = (predicate: (file: string) => boolean): unknown[] => [...documents].filter(([file]) => predicate(file)).flatMap(([, docs]) => docs.flatMap((d) => [...values(d)]));
    const schedules = where((file) => /schedule-free-text-daily\.yaml$/.test(file));
    expect(schedules).toContain(PAYLOAD); // label selector, container, included resource, hook arguments
    const locations = where((file) => /backupstoragelocation-eu-backups\.yaml$/.test(file));
    expect(locations.filter((v) => v === PAYLOAD).length).toBeGreaterThanOrEqual(3); // bucket, prefix, kmsKeyId
    const resourcePolicy = where((file) => /configmap-.*free-text.*\.yaml$/.test(file)).filter((v): v is string => typeof v === 'string');
    const parsedPolicy = resourcePolicy.flatMap((text) => [...values(yaml.load(text))]);
    expect(parsedPolicy).toContain(PAYLOAD); // storage class, CSI driver, PVC label inside the embedded YAML
    for (const docs of documents.values()) for (const doc of docs) expect((doc as { kind?: unknown }).kind).not.toBe('Secret');
  });

  it('GIVEN every shell script in the output WHEN run with stub commands THEN nothing from the string runs, and each command gets it as one argument', async () => {
    const scripts = shellScripts();
    expect(scripts.length).toBeGreaterThanOrEqual(6);
    const sandbox = await makeTempDir('restorable-free-text-');
    try {
      const stubs = path.join(sandbox.dir, 'stubs');
      await mkdir(stubs);
      for (const name of STUBBED) {
        await writeFile(path.join(stubs, name), STUB);
        await chmod(path.join(stubs, name), 0o755);
      }
      for (const [index, { file, script }] of scripts.entries()) {
        const cwd = path.join(sandbox.dir, `run-${index}`);
        const log = path.join(cwd, '.stub-log');
        await mkdir(log, { recursive: true });
        const run = spawnSync('/bin/sh', ['-c', script], {
          cwd,
          env: { PATH: `${stubs}:${process.env.PATH ?? '/usr/bin:/bin'}`, STUB_LOG: log, HOME: cwd },
          encoding: 'utf8',
          timeout: 20_000,
        });
        expect(run.status, `${file}: ${run.stderr}`).toBe(0);
        const created = await readdir(cwd, { recursive: true });
        // The string names the dump folders (`dump/pg/x'; touch pwned; ...`); a file called just `pwned` would be an injection.
        expect(created.filter((entry) => path.basename(String(entry)) === 'pwned'), file).toEqual([]);
        const calls = await readdir(log);
        const argv = await Promise.all(calls.filter((c) => !c.endsWith('.stdin')).map(async (c) => ({ command: c.replace(/\.\d+$/, ''), args: (await readFile(path.join(log, c), 'utf8')).split('\0').slice(0, -1) })));
        expect(argv.map((a) => a.command), file).not.toContain('id');
        for (const call of argv.filter((a) => file.includes('free-text') && ['pg_dump', 'mysqldump', 'app-ctl'].includes(a.command))) {
          expect(call.args.some((arg) => arg === PAYLOAD || arg === `--username=${PAYLOAD}`), `${file}: ${call.command} ${JSON.stringify(call.args)}`).toBe(true);
        }
        for (const stdin of calls.filter((c) => c.endsWith('.stdin'))) {
          const backup = JSON.parse(await readFile(path.join(log, stdin), 'utf8')) as unknown;
          if (file.startsWith('hooks/free-text/')) expect([...values(backup)], `${file}: the Backup the pre-sync job creates`).toContain(PAYLOAD);
        }
      }
      // The dumps landed under the exact folder names: the quoted paths reached mkdir, the redirections and mv whole.
      // A database's dump file is named after it, with `%` and `/` written as in a URL.
      const dumpName = `${PAYLOAD.replaceAll('%', '%25').replaceAll('/', '%2F')}.pgdump`;
      for (const [engine, file] of [['pg', dumpName], ['redis', 'dump.rdb'], ['mongo', 'mongodump.archive.gz']] as const) {
        const found = await Promise.all(scripts.map((_, i) => stat(path.join(sandbox.dir, `run-${i}`, 'dump', engine, PAYLOAD, file)).then(() => true, () => false)));
        expect(found.filter(Boolean), `${engine}: ${file}`).toHaveLength(1);
      }
    } finally {
      await sandbox.cleanup();
    }
  });
});
