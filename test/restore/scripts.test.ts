import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { backupPolicy, cluster, httpCheck, postgres, restorePlan, s3Storage, sealed, sqlCheck } from '../../src/index.ts';
import { scriptRules } from '../../src/lower/restore/access.ts';
import { planConfig } from '../../src/lower/restore/plan-config.ts';
import type { RestoreVariant } from '../../src/lower/restore/restore-spec.ts';
import { replicaLags } from '../../src/model/replica-location.ts';
import { resolve } from '../../src/model/resolve.ts';
import type { Model } from '../../src/model/types.ts';

const run = (file: string, args: string[], env: NodeJS.ProcessEnv) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(file, args, { env }, (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });

function organisation(options: { mode?: 'full' | 'data-only'; minRows?: number; to?: 'prod' | 'dr'; replicaLag?: '15m' } = {}): Model {
  const replication = options.replicaLag ? { bucket: 'b-replica', region: 'us-east-1', lag: options.replicaLag } : undefined;
  const eu = s3Storage('eu', { bucket: 'b', region: 'eu-west-1', credentials: sealed('creds'), replication });
  const prod = cluster('prod', { environment: 'production', storage: [eu], images: { kubectl: 'example/kubectl:1' } });
  const dr = cluster('dr', { environment: 'production', storage: [eu], images: { kubectl: 'example/kubectl:1' } });
  const ledger = backupPolicy('ledger', {
    cluster: prod,
    namespaces: ['payments'],
    rpo: '1h',
    retention: { hourly: 24, daily: 7 },
    volumes: 'snapshot-data-mover',
    apps: [postgres({ name: 'ledger-db', selector: { app: 'ledger-db' }, container: 'postgres', database: 'ledger', dumpDir: '/data/restorable' })],
  });
  const plan = restorePlan('ledger-dr', {
    from: ledger,
    to: options.to === 'prod' ? prod : dr,
    scenario: options.to === 'prod' ? 'namespace-loss' : 'region-loss',
    mode: options.mode,
    rto: '1h',
    secretsRecovery: 'secrets-from-backup',
    order: [{ name: 'ledger-db' }, { name: 'ledger-api', after: ['ledger-db'], selector: { app: 'ledger-api' } }, { name: 'rest', after: ['ledger-api'] }],
    drill: { every: 'week', verify: [sqlCheck('accounts', 'select 1 from accounts', { app: 'ledger-db', minRows: options.minRows }), httpCheck('api', { service: 'ledger-api', port: 8080, path: '/readyz' })] },
  });
  return resolve([eu, prod, dr, ledger, plan]).model;
}

const FAKE = fileURLToPath(new URL('./fake-kubectl.mjs', import.meta.url));
let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Scenario {
  backups: { name: string; phase: string; completed: string; policy: string; tier: string }[];
  restorePhases?: Record<string, string[]>;
  execOutput?: string;
  existingPvcs?: boolean;
  existingStatefulSets?: boolean;
  pinned?: Record<string, string>;
  /** `"<verb> <kind>"`: the first n such calls fail as when the API server cannot be reached. */
  unavailable?: Record<string, number>;
  /** `"<verb> <kind>"`: every such call fails with this message. */
  errors?: Record<string, string>;
  /** `"<verb> <kind>"`: the n-th such call fails with the n-th message (none: it succeeds). */
  failures?: Record<string, string[]>;
  /** A killed drill's namespaces are still there. */
  leftoverNamespaces?: boolean;
  /** The first n Restores are created, and kubectl hears nothing back. */
  lostCreateAnswers?: number;
  /** The drill's claims, one phase per poll. */
  claims?: { name: string; phases: string[] }[];
  /** What the drill's go-template prints for the restored workloads. */
  references?: string;
  /** Referenced objects that are not there (`resource/name`). */
  missing?: string[];
  /** The drill's RoleBinding takes effect after this many answers of "no". */
  rightsAfter?: number;
  /** How the drill's probe pods end (by pod name); by default the isolation probe times out and the others succeed. */
  probes?: Record<string, { phase?: string; exitCode?: number; message?: string }>;
}

/** Lays out the plan's ConfigMap as the pod would see it, and a fake kubectl on PATH. */
async function harness(model: Model, variant: RestoreVariant, scenario: Scenario, overrides: Record<string, string> = {}) {
  dir = await mkdtemp(path.join(tmpdir(), 'restorable-runner-'));
  const config = path.join(dir, 'plan');
  const bin = path.join(dir, 'bin');
  await mkdir(config);
  await mkdir(bin);
  const target = model.clusters.find((c) => c.name === model.restorePlans[0]!.to)!;
  const data = planConfig(model.restorePlans[0]!, model.policies, variant, 'velero', target, replicaLags(model, target, model.restorePlans[0]!));
  for (const [file, content] of Object.entries(data)) await writeFile(path.join(config, file), content);
  for (const [key, value] of Object.entries(overrides)) {
    const plan = (await readFile(path.join(config, 'plan'), 'utf8')).replace(new RegExp(`^${key}=.*$`, 'm'), `${key}=${value}`);
    await writeFile(path.join(config, 'plan'), plan);
  }
  await writeFile(path.join(dir, 'scenario.json'), JSON.stringify(scenario));
  await writeFile(path.join(bin, 'kubectl'), `#!/bin/sh\nexec node ${JSON.stringify(FAKE)} "$@"\n`);
  await chmod(path.join(bin, 'kubectl'), 0o755);
  const env = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    FAKE_KUBECTL_DIR: dir,
    RESTORABLE_CONFIG: config,
    RESTORABLE_POLL_SECONDS: '0',
    RESTORABLE_RETRY_SECONDS: '0',
    // A probe pod that never ends is given up on at once.
    RESTORABLE_PROBE_SECONDS: '0',
    TMPDIR: dir,
  };
  const script = path.join(config, variant === 'drill' ? 'drill.sh' : 'runner.sh');
  return {
    run: () => run('/bin/sh', [script], env),
    /** Replaces the scenario; the cluster state (result ConfigMaps, restores) stays, as for a second run. */
    setScenario: (next: Scenario) => writeFile(path.join(dir, 'scenario.json'), JSON.stringify(next)),
    calls: async () =>
      (await readFile(path.join(dir, 'calls.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { args: string[]; stdin: string }),
    result: async (name: string) => ((JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as { configmaps: Record<string, string> }).configmaps[name] ?? ''),
  };
}

const minutesAgo = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
const freshBackups = () => [
  { name: 'ledger-hourly-20261125100000', phase: 'Completed', completed: minutesAgo(30), policy: 'ledger', tier: 'hourly' },
  { name: 'ledger-hourly-20261125090000', phase: 'Completed', completed: minutesAgo(90), policy: 'ledger', tier: 'hourly' },
  { name: 'ledger-hourly-20261125110000', phase: 'InProgress', completed: '', policy: 'ledger', tier: 'hourly' },
];

describe('restore runner script (fake kubectl on PATH: no cluster runs here)', () => {
  it('GIVEN a backup pinned in the pin ConfigMap WHEN the runner runs THEN every step restores that backup, not the newest', async () => {
    const h = await harness(organisation(), 'run', { backups: freshBackups(), pinned: { ledger: 'ledger-hourly-20261125090000' } });
    expect((await h.run()).code).toBe(0);
    const restores = (await h.calls()).filter((c) => c.stdin.includes('kind: Restore'));
    expect(new Set(restores.map((c) => /backupName: (\S+)/.exec(c.stdin)?.[1]))).toEqual(new Set(['ledger-hourly-20261125090000']));
  });

  it('GIVEN Completed backups WHEN the runner runs THEN it resolves the newest once and restores every step from it, in order, then checks and records ok', async () => {
    const h = await harness(organisation(), 'run', { backups: freshBackups() });
    const result = await h.run();
    expect(result.stderr).not.toContain('FAILED');
    expect(result.code).toBe(0);
    const calls = await h.calls();
    const restores = calls.filter((c) => c.args[0] === 'create' && c.stdin.includes('kind: Restore'));
    expect(restores.map((c) => /restorable.dev\/step: (\S+)/.exec(c.stdin)?.[1])).toEqual(['cluster-scoped', 'ledger-config-storage', 'ledger-db', 'ledger-api', 'rest']); // a region-loss run restores the cluster-scoped kinds first
    expect(new Set(restores.map((c) => /backupName: (\S+)/.exec(c.stdin)?.[1]))).toEqual(new Set(['ledger-hourly-20261125100000']));
    expect(new Set(restores.map((c) => /restorable.dev\/run: (\S+)/.exec(c.stdin)?.[1])).size).toBe(1);
    expect(calls.filter((c) => c.args[0] === 'get' && c.args[1] === 'backups.velero.io' && c.args.includes('-l'))).toHaveLength(1);
    expect(calls.some((c) => c.args[0] === 'exec')).toBe(true);
    expect(await h.result('restore-ledger-dr-last-run')).toContain('verdict: "ok"');
  });

  it('GIVEN step 3 ends PartiallyFailed WHEN the runner runs THEN it stops with Velero\'s reason, never starts step 4, and records the failure', async () => {
    const h = await harness(organisation(), 'run', { backups: freshBackups(), restorePhases: { 'ledger-api': ['InProgress', 'PartiallyFailed'] } });
    const result = await h.run();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/restore ledger-dr-03-\d+ ended PartiallyFailed: velero says: volume restore failed/);
    const steps = (await h.calls()).filter((c) => c.args[0] === 'create' && c.stdin.includes('kind: Restore'));
    expect(steps).toHaveLength(4); // the cluster-scoped step, steps 1 to 3
    expect(await h.result('restore-ledger-dr-last-run')).toContain('failed: restore ledger-dr-03');
  });

  it('GIVEN no Completed backup WHEN the runner runs THEN it fails before creating any Restore', async () => {
    const h = await harness(organisation(), 'run', { backups: [{ ...freshBackups()[2]! }] });
    const result = await h.run();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no Completed backup of policy ledger');
    expect((await h.calls()).some((c) => c.stdin.includes('kind: Restore'))).toBe(false);
  });

  it('GIVEN a data-only plan and existing PVCs in the target WHEN the runner runs THEN it refuses (Velero would skip them silently)', async () => {
    const h = await harness(organisation({ mode: 'data-only' }), 'run', { backups: freshBackups(), existingPvcs: true });
    const result = await h.run();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('namespace payments already holds PersistentVolumeClaims (data-0)');
  });

  for (const [what, scenario, reason] of [
    ['PersistentVolumeClaims', { existingPvcs: true }, 'namespace payments already holds PersistentVolumeClaims (data-0); Velero would skip the existing claims and leave them empty.'],
    ['StatefulSets', { existingStatefulSets: true }, 'namespace payments already holds StatefulSets (ledger-db); Velero would skip the existing claims and leave them empty.'],
  ] as const) {
    it(`GIVEN an in-place full restore into a namespace that already holds ${what} (Argo CD recreated it) WHEN the runner runs THEN it refuses before restoring anything and records the reason`, async () => {
      const h = await harness(organisation({ to: 'prod' }), 'run', { backups: freshBackups(), ...scenario });
      const result = await h.run();
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(reason);
      expect((await h.calls()).some((c) => c.stdin.includes('kind: Restore'))).toBe(false);
      expect(await h.result('restore-ledger-dr-last-run')).toContain(`verdict: "failed: ${reason}`);
    });
  }

  it('GIVEN the backups cannot be listed WHEN the runner fails inside a command substitution THEN the result records the real reason, not an exit status', async () => {
    const h = await harness(organisation(), 'run', { backups: freshBackups(), errors: { 'get backups.velero.io': 'Error from server (Forbidden): backups.velero.io is forbidden' } });
    const result = await h.run();
    expect(result.code).toBe(1);
    expect(await h.result('restore-ledger-dr-last-run')).toContain('verdict: "failed: could not list the backups of policy ledger"');
  });
});

describe('runner and drill scripts when the API server is briefly unavailable (fake kubectl: no cluster runs here)', () => {
  const phasePolls = (calls: { args: string[] }[]) => calls.filter((c) => c.args[0] === 'get' && c.args[1] === 'restores.velero.io' && c.args.includes('jsonpath={.status.phase}'));

  it('GIVEN the API server refuses connections three times while a Restore is polled WHEN the runner runs THEN it retries, finishes every step and records ok', async () => {
    const h = await harness(organisation(), 'run', { backups: freshBackups(), unavailable: { 'get restores.velero.io': 3 } });
    const result = await h.run();
    expect(result.stderr).not.toContain('FAILED');
    expect(result.code).toBe(0);
    expect(result.stderr.match(/kubectl get restores\.velero\.io: The connection to the server .* was refused.*; attempt \d of 10, retrying in 0s/g)).toHaveLength(3);
    expect((await h.calls()).filter((c) => c.args[0] === 'create' && c.stdin.includes('kind: Restore'))).toHaveLength(5); // the cluster-scoped step and 4 steps
    expect(await h.result('restore-ledger-dr-last-run')).toContain('verdict: "ok"');
  });

  it('GIVEN the API server stays unreachable WHEN the runner polls THEN it gives up after 10 attempts and records the failure', async () => {
    const h = await harness(organisation(), 'run', { backups: freshBackups(), unavailable: { 'get restores.velero.io': 1000 } });
    const result = await h.run();
    expect(result.code).toBe(1);
    expect(phasePolls(await h.calls())).toHaveLength(10);
    expect(await h.result('restore-ledger-dr-last-run')).toMatch(/verdict: "failed: could not read the phase of restore ledger-dr-c1-\d+: The connection to the server 127.0.0.1:6443 was refused/);
  });

  it('GIVEN a request the API server refuses (Forbidden) WHEN the runner runs THEN it is not retried', async () => {
    const h = await harness(organisation(), 'run', { backups: freshBackups(), errors: { 'get restores.velero.io': 'Error from server (Forbidden): restores.velero.io "x" is forbidden' } });
    const result = await h.run();
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain('retrying');
    expect(phasePolls(await h.calls())).toHaveLength(1);
  });

  it('GIVEN the API server comes back and refuses requests until its caches are filled WHEN the runner polls THEN those refusals right after the outage are retried too', async () => {
    const refused = 'The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?';
    const discovery = 'E1206 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group list: unknown"\nerror: the server doesn\'t have a resource type "restores"';
    const forbidden = 'Error from server (Forbidden): restores.velero.io "x" is forbidden: User "system:serviceaccount:velero:restore-ledger-dr" cannot get resource "restores"';
    const h = await harness(organisation(), 'run', { backups: freshBackups(), failures: { 'get restores.velero.io': [refused, discovery, forbidden] } });
    const result = await h.run();
    expect(result.stderr).not.toContain('FAILED');
    expect(result.code).toBe(0);
    expect(result.stderr.match(/retrying in 0s/g)).toHaveLength(3);
  });

  it('GIVEN the API server comes back before it serves Velero\'s resource types WHEN the runner polls THEN "no resource type" right after the outage is retried too', async () => {
    const refused = 'The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?';
    const unknownType = 'error: the server doesn\'t have a resource type "restores"';
    const h = await harness(organisation(), 'run', { backups: freshBackups(), failures: { 'get restores.velero.io': [refused, unknownType] } });
    const result = await h.run();
    expect(result.stderr).not.toContain('FAILED');
    expect(result.code).toBe(0);
    expect(result.stderr.match(/retrying in 0s/g)).toHaveLength(2);
  });

  it('GIVEN the answer to a Restore create is lost WHEN the runner retries THEN it finds the Restore it made and creates no other', async () => {
    const h = await harness(organisation(), 'run', { backups: freshBackups(), lostCreateAnswers: 1 });
    const result = await h.run();
    expect(result.stderr).not.toContain('FAILED');
    expect(result.code).toBe(0);
    const creates = (await h.calls()).filter((c) => c.args[0] === 'create' && c.stdin.includes('kind: Restore'));
    // The first Restore (the cluster-scoped step) twice (the second meets AlreadyExists), then steps 1 to 4.
    expect(creates.map((c) => /restorable.dev\/step: (\S+)/.exec(c.stdin)?.[1])).toEqual(['cluster-scoped', 'cluster-scoped', 'ledger-config-storage', 'ledger-db', 'ledger-api', 'rest']);
    expect(result.stderr).toMatch(/step 01 ledger-config-storage: restore ledger-dr-01-\d+ from/);
  });

  it('GIVEN the pin ConfigMap cannot be read (Forbidden, not NotFound) WHEN the runner runs THEN it stops instead of restoring the newest backup', async () => {
    const h = await harness(organisation(), 'run', { backups: freshBackups(), errors: { 'get --raw': 'Error from server (Forbidden): configmaps "restore-ledger-dr-pin" is forbidden' } });
    const result = await h.run();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('could not read ConfigMap restore-ledger-dr-pin');
    expect((await h.calls()).some((c) => c.stdin.includes('kind: Restore'))).toBe(false);
  });

  it("GIVEN a killed drill's namespaces are still there WHEN the next drill starts THEN it deletes them without waiting by watch (it may list, not watch) and polls until they are gone", async () => {
    const h = await harness(organisation(), 'drill', { backups: freshBackups(), leftoverNamespaces: true });
    const result = await h.run();
    expect(result.stderr).not.toContain('FAILED');
    expect(result.code).toBe(0);
    const calls = (await h.calls()).map((c) => c.args.join(' '));
    expect(calls.filter((c) => c.startsWith('delete ')).every((c) => c.includes('--wait=false'))).toBe(true);
    expect(calls.filter((c) => c.startsWith('get namespaces -l restorable.dev/drill=ledger-dr')).length).toBeGreaterThanOrEqual(2);
    expect(result.stderr).toContain('waiting for the drill namespaces of an earlier run to go away');
  });
});

describe('restore drill script (fake kubectl on PATH: no cluster runs here)', () => {
  it('GIVEN a fresh backup WHEN the drill runs THEN it restores into drill-* namespaces behind a NetworkPolicy, runs every check, records passed and cleans up', async () => {
    const h = await harness(organisation(), 'drill', { backups: freshBackups() });
    const result = await h.run();
    expect(result.stderr).not.toContain('FAILED');
    expect(result.code).toBe(0);
    const calls = (await h.calls()).map((c) => c.args.join(' '));
    expect(calls).toContain('create namespace drill-payments');
    expect(calls.some((c) => c.startsWith('apply -n drill-payments -f'))).toBe(true);
    expect(calls.filter((c) => c.startsWith('exec -n drill-payments'))).toHaveLength(2);
    // The HTTP check runs from a probe pod inside the drill namespace, never through the API server's proxy.
    expect(calls.some((c) => c.includes('/proxy'))).toBe(false);
    const probes = (await h.calls()).filter((c) => c.args[0] === 'create' && c.stdin.includes('kind: Pod'));
    expect(probes.map((c) => [c.args.join(' '), /\n {2}name: (\S+)/.exec(c.stdin)?.[1]])).toEqual([
      ['create -n drill-payments -f - -o jsonpath={.metadata.name}', 'restorable-isolation-probe'],
      ['create -n drill-payments -f - -o jsonpath={.metadata.name}', 'restorable-check-03'],
    ]);
    expect(probes[1]?.stdin).toContain('--server=http://ledger-api.drill-payments.svc:8080');
    expect(result.stderr).toContain('isolation enforced: a pod in drill-payments could not reach the API server');
    expect(calls.filter((c) => c.startsWith('delete namespaces -l restorable.dev/drill=ledger-dr'))).toHaveLength(2);
    expect(await h.result('drill-ledger-dr-result')).toContain('verdict: "passed"');
  });

  it('GIVEN a region-loss plan reading a replica copied up to 15m late WHEN the runner runs THEN it restores the newest backup completed more than 15m ago, never a newer one', async () => {
    const backups = [
      { name: 'ledger-hourly-20261125110000', phase: 'Completed', completed: minutesAgo(5), policy: 'ledger', tier: 'hourly' },
      { name: 'ledger-hourly-20261125100000', phase: 'Completed', completed: minutesAgo(65), policy: 'ledger', tier: 'hourly' },
      { name: 'ledger-hourly-20261125090000', phase: 'Completed', completed: minutesAgo(125), policy: 'ledger', tier: 'hourly' },
    ];
    const h = await harness(organisation({ replicaLag: '15m' }), 'run', { backups });
    const result = await h.run();
    expect(result.stderr).not.toContain('FAILED');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('policy ledger: read from a replica copied up to 900s late');
    const restores = (await h.calls()).filter((c) => c.stdin.includes('kind: Restore'));
    expect(restores.length).toBeGreaterThan(0);
    expect(new Set(restores.map((c) => /backupName: (\S+)/.exec(c.stdin)?.[1]))).toEqual(new Set(['ledger-hourly-20261125100000']));
    expect(await h.result('restore-ledger-dr-last-run')).toContain('ledger=ledger-hourly-20261125100000');
  });

  it('GIVEN a replica copied up to 15m late and only a backup of 5 minutes ago WHEN the runner runs THEN it restores nothing and says why', async () => {
    const h = await harness(organisation({ replicaLag: '15m' }), 'run', { backups: [{ name: 'ledger-hourly-20261125110000', phase: 'Completed', completed: minutesAgo(5), policy: 'ledger', tier: 'hourly' }] });
    const result = await h.run();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no Completed backup of policy ledger \(tier latest, completed by \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)/);
    expect((await h.calls()).some((c) => c.stdin.includes('kind: Restore'))).toBe(false);
  });

  it('GIVEN a replica copied up to 15m late WHEN the drill runs THEN a backup 125 minutes old is fresh enough (RPO 1h, one hourly interval and the 15m lag)', async () => {
    const h = await harness(organisation({ replicaLag: '15m' }), 'drill', { backups: [{ ...freshBackups()[0]!, completed: minutesAgo(125) }] });
    const result = await h.run();
    expect(result.stderr).not.toContain('stale backup');
    expect(result.code).toBe(0);
  });

  it('GIVEN only a two-month-old backup WHEN the drill runs THEN it fails as stale, restores nothing and still cleans up', async () => {
    const h = await harness(organisation(), 'drill', { backups: [{ ...freshBackups()[0]!, completed: minutesAgo(60 * 24 * 60) }] });
    const result = await h.run();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('stale backup');
    const calls = await h.calls();
    expect(calls.some((c) => c.stdin.includes('kind: Restore'))).toBe(false);
    expect(calls.filter((c) => c.args.slice(0, 2).join(' ') === 'delete namespaces')).toHaveLength(2);
    expect(await h.result('drill-ledger-dr-result')).toContain('failed: stale backup');
  });

  it('GIVEN a pin ConfigMap left from an incident, naming a two-month-old backup WHEN the drill runs THEN it never reads the pin, restores the newest backup and passes', async () => {
    const old = { name: 'ledger-hourly-20260925100000', phase: 'Completed', completed: minutesAgo(60 * 24 * 60), policy: 'ledger', tier: 'hourly' };
    const h = await harness(organisation(), 'drill', { backups: [...freshBackups(), old], pinned: { ledger: old.name } });
    const result = await h.run();
    expect(result.stderr).not.toContain('FAILED');
    expect(result.code).toBe(0);
    const calls = await h.calls();
    expect(calls.some((c) => c.args.join(' ').includes('-pin'))).toBe(false);
    expect(new Set(calls.filter((c) => c.stdin.includes('kind: Restore')).map((c) => /backupName: (\S+)/.exec(c.stdin)?.[1]))).toEqual(new Set(['ledger-hourly-20261125100000']));
    expect(await h.result('drill-ledger-dr-result')).toContain('verdict: "passed"');
  });

  it('GIVEN a restore slower than the RTO WHEN the drill runs THEN the drill fails with RTO exceeded', async () => {
    const h = await harness(organisation(), 'drill', { backups: freshBackups() }, { rtoSeconds: '-1' });
    const result = await h.run();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('RTO exceeded');
    expect(await h.result('drill-ledger-dr-result')).toContain('failed: RTO exceeded');
  });

  it('GIVEN a SQL check with minRows WHEN the database counts fewer rows THEN the drill fails with the count; as many or more THEN it passes', async () => {
    const few = await harness(organisation({ minRows: 5000 }), 'drill', { backups: freshBackups(), execOutput: '4999\n' });
    const failed = await few.run();
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('check accounts counted 4999 rows in drill-payments/pod-0, fewer than 5000');
    const sql = (await few.calls()).find((c) => c.args[0] === 'exec' && c.args.includes('--command'));
    expect(sql?.args.at(-1)).toBe('select count(*) from (select 1 from accounts) as restorable_rows');
    expect(await few.result('drill-ledger-dr-result')).toContain('fewer than 5000');
    await rm(dir, { recursive: true, force: true });
    const enough = await harness(organisation({ minRows: 5000 }), 'drill', { backups: freshBackups(), execOutput: '5000\n' });
    const passed = await enough.run();
    expect(passed.stderr).not.toContain('FAILED');
    expect(passed.code).toBe(0);
  });

  it('GIVEN a SQL check with minRows WHEN the client prints something that is not a count THEN the drill fails instead of trusting it', async () => {
    const h = await harness(organisation({ minRows: 2 }), 'drill', { backups: freshBackups(), execOutput: 'ERROR: relation "accounts" does not exist\n' });
    const result = await h.run();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('check accounts did not print a row count');
  });

  it("GIVEN a drill WHEN it creates its namespaces THEN it binds its inside role there and waits until the binding takes effect before restoring", async () => {
    const h = await harness(organisation(), 'drill', { backups: freshBackups(), rightsAfter: 2 });
    const result = await h.run();
    expect(result.stderr).not.toContain('FAILED');
    expect(result.code).toBe(0);
    const calls = await h.calls();
    const binding = calls.find((c) => c.args.join(' ') === 'create -n drill-payments -f -');
    expect(binding?.stdin).toContain('kind: RoleBinding');
    expect(binding?.stdin).toContain('name: restorable-drill-ledger-dr-inside');
    const canI = calls.map((c, i) => [c.args.slice(0, 2).join(' '), i] as const).filter(([c]) => c === 'auth can-i').map(([, i]) => i);
    expect(canI).toHaveLength(3);
    const firstRestore = calls.findIndex((c) => c.stdin.includes('kind: Restore'));
    expect(Math.max(...canI)).toBeLessThan(firstRestore);
  });

  it('GIVEN a claim that stays Pending WHEN the drill runs THEN it fails naming the claim, before any check', async () => {
    // Every Restore is Completed at the first look, so the wait limit of 0 s is first met by the claims.
    const completed = { 'ledger-config-storage': ['Completed'], 'ledger-db': ['Completed'], 'ledger-api': ['Completed'], rest: ['Completed'] };
    const claims = [
      { name: 'data-ledger-db-0', phases: ['Bound'] },
      { name: 'data-ledger-db-1', phases: ['Pending'] },
    ];
    const h = await harness(organisation(), 'drill', { backups: freshBackups(), restorePhases: completed, claims }, { waitLimitSeconds: '0' });
    const result = await h.run();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('claims in drill-payments not Bound after 0s: data-ledger-db-1 (Pending)');
    expect((await h.calls()).some((c) => c.args[0] === 'exec')).toBe(false);
    expect(await h.result('drill-ledger-dr-result')).toContain('not Bound');
  });

  it('GIVEN claims that bind while the drill waits WHEN the drill runs THEN it waits for them and passes', async () => {
    const h = await harness(organisation(), 'drill', { backups: freshBackups(), claims: [{ name: 'data-ledger-db-0', phases: ['Pending', 'Pending', 'Bound'] }] });
    const result = await h.run();
    expect(result.stderr).not.toContain('FAILED');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('waiting for claims in drill-payments to be Bound: data-ledger-db-0 (Pending)');
    expect(result.stderr).toContain('claims in drill-payments: 1 Bound');
  });

  it('GIVEN a restored workload whose Secret and ServiceAccount did not come back WHEN the drill runs THEN it fails naming each, before any check', async () => {
    const references = 'StatefulSet/ledger-db serviceaccounts ledger-db\nStatefulSet/ledger-db secrets ledger-db-credentials\nDeployment/ledger-api configmaps ledger-api-config\n';
    const h = await harness(organisation(), 'drill', { backups: freshBackups(), references, missing: ['secrets/ledger-db-credentials', 'serviceaccounts/ledger-db'] });
    const result = await h.run();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('restored workloads in drill-payments lack what they need: StatefulSet/ledger-db needs serviceaccounts/ledger-db; StatefulSet/ledger-db needs secrets/ledger-db-credentials');
    const calls = await h.calls();
    expect(calls.some((c) => c.args[0] === 'exec')).toBe(false);
    expect(calls.map((c) => c.args.join(' '))).toContain('get configmaps ledger-api-config -n drill-payments -o name');
  });

  it('GIVEN a network plugin that does not enforce NetworkPolicies WHEN the isolation probe reaches the API server THEN the drill restores nothing and records "isolation not enforced"', async () => {
    for (const answer of [{ phase: 'Succeeded', exitCode: 0, message: '' }, { phase: 'Failed', exitCode: 1, message: 'error: You must be logged in to the server (Unauthorized)' }]) {
      const h = await harness(organisation(), 'drill', { backups: freshBackups(), probes: { 'restorable-isolation-probe': answer } });
      const result = await h.run();
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('isolation not enforced: a pod in drill-payments reached the API server');
      const calls = await h.calls();
      expect(calls.some((c) => c.stdin.includes('kind: Restore'))).toBe(false);
      expect(await h.result('drill-ledger-dr-result')).toContain('verdict: "isolation not enforced: a pod in drill-payments reached the API server');
      expect(calls.filter((c) => c.args.slice(0, 2).join(' ') === 'delete namespaces')).toHaveLength(2);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('GIVEN an isolation probe that never runs, cannot resolve names or fails without a connection error WHEN the drill starts THEN isolation is not proven and nothing is restored', async () => {
    const cases = [
      [{ phase: 'Pending' }, 'the probe pod in drill-payments did not run within 0s'],
      [{ phase: 'Failed', exitCode: 1, message: 'dial tcp: lookup kubernetes.default.svc on 10.96.0.10:53: read udp: i/o timeout' }, 'the probe in drill-payments could not resolve the API server\'s name through the cluster DNS'],
      [{ phase: 'Failed', exitCode: 128, message: 'exec: "kubectl": executable file not found in $PATH' }, 'the probe in drill-payments failed without a connection error (exit code 128)'],
    ] as const;
    for (const [answer, reason] of cases) {
      const h = await harness(organisation(), 'drill', { backups: freshBackups(), probes: { 'restorable-isolation-probe': answer } });
      const result = await h.run();
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`isolation not enforced: ${reason}`);
      expect((await h.calls()).some((c) => c.stdin.includes('kind: Restore'))).toBe(false);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('GIVEN an HTTP check whose Service answers with an error WHEN the drill runs THEN it fails with what the probe saw', async () => {
    const h = await harness(organisation(), 'drill', { backups: freshBackups(), probes: { 'restorable-check-03': { phase: 'Failed', exitCode: 1, message: 'Error from server (ServiceUnavailable): the server is currently unable to handle the request' } } });
    const result = await h.run();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('check api failed: GET http://ledger-api.drill-payments.svc:8080/readyz from inside drill-payments: Error from server (ServiceUnavailable)');
  });

  it('GIVEN a check that returns no rows WHEN the drill runs THEN it fails and cleans up', async () => {
    const h = await harness(organisation(), 'drill', { backups: freshBackups(), execOutput: '' });
    const result = await h.run();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('returned no rows');
    expect((await h.calls()).filter((c) => c.args.slice(0, 2).join(' ') === 'delete namespaces')).toHaveLength(2);
  });
});

/** What the API server is asked for by each kubectl call the scripts make. */
function apiRequests(call: { args: readonly string[]; stdin: string }): { group: string; resource: string; verb: string }[] {
  const { args, stdin } = call;
  const [verb, kind = '', name] = args;
  const resource = (k: string) => {
    const [res = '', ...group] = k.split('.');
    const plural = res.endsWith('s') ? res : `${res}s`;
    return { resource: plural, group: group.join('.') };
  };
  const fromStdin = () =>
    stdin.includes('kind: Restore')
      ? { group: 'velero.io', resource: 'restores' }
      : stdin.includes('kind: RoleBinding')
        ? { group: 'rbac.authorization.k8s.io', resource: 'rolebindings' }
        : stdin.includes('kind: Pod')
          ? { group: '', resource: 'pods' }
          : { group: '', resource: 'configmaps' };
  if (args.includes('--dry-run=client')) return [];
  // A SelfSubjectAccessReview, which every authenticated user may make (system:basic-user).
  if (verb === 'auth') return [];
  // `kubectl get a,b` lists each.
  if (verb === 'get' && kind.includes(',')) return kind.split(',').map((k) => ({ ...resource(k), verb: 'list' }));
  switch (verb) {
    case 'get':
      if (kind === '--raw') return [{ group: '', resource: name?.includes('/configmaps/') ? 'configmaps' : 'services/proxy', verb: 'get' }];
      if (kind === '-f') return [{ ...fromStdin(), verb: 'get' }];
      return [{ ...resource(kind), verb: args.includes('-l') || !name || name.startsWith('-') ? 'list' : 'get' }];
    case 'create':
      if (args.includes('-f')) return [{ ...fromStdin(), verb: 'create' }];
      return [{ ...resource(kind), verb: 'create' }];
    case 'patch':
      // kubectl patch reads the object before it patches it.
      return ['get', 'patch'].map((v) => ({ ...resource(kind), verb: v }));
    case 'apply':
      // kubectl apply reads the object, creates or patches it, and reads the namespace before creating.
      return [...['get', 'create', 'patch'].map((v) => ({ group: 'networking.k8s.io', resource: 'networkpolicies', verb: v })), { group: '', resource: 'namespaces', verb: 'get' }];
    case 'label':
      return ['get', 'patch'].map((v) => ({ ...resource(kind), verb: v }));
    case 'delete':
      // By label: kubectl lists, then deletes each; by name: one delete.
      return (args.includes('-l') ? ['list', 'delete'] : ['delete']).map((v) => ({ ...resource(kind), verb: v }));
    case 'exec':
      return [
        { group: '', resource: 'pods', verb: 'get' },
        { group: '', resource: 'pods/exec', verb: 'create' },
      ];
    default:
      throw new Error(`unmapped kubectl call: ${args.join(' ')}`);
  }
}

describe('least privilege, derived from the calls the scripts make (fake kubectl: no cluster runs here)', () => {
  for (const variant of ['run', 'drill'] as const) {
    it(`GIVEN the ${variant} script's recorded calls WHEN compared with its RBAC THEN every call is allowed and every granted verb is used`, async () => {
      const model = organisation();
      // Two runs on one cluster: the newest backup (the result is created), then one pinned by name
      // (the only path that reads a backup by name; the result is patched).
      const h = await harness(model, variant, { backups: freshBackups() });
      expect((await h.run()).code).toBe(0);
      await h.setScenario({ backups: freshBackups(), pinned: { ledger: 'ledger-hourly-20261125090000' } });
      expect((await h.run()).code).toBe(0);
      const calls = await h.calls();
      const used = new Set(calls.flatMap((c) => apiRequests(c)).map((r) => `${r.group}/${r.resource}/${r.verb}`));
      const rules = scriptRules(model.restorePlans[0]!, variant);
      // `bind` is checked when the drill creates its RoleBinding, never requested on its own.
      const requested = [...rules.namespaced, ...rules.cluster, ...rules.inside].map((r) => ({ ...r, verbs: r.verbs.filter((v) => v !== 'bind') }));
      const granted = new Set(requested.flatMap((r) => r.resources.flatMap((res) => r.verbs.map((v) => `${r.apiGroups[0]}/${res}/${v}`))));
      for (const request of used) expect(granted, `call needs ${request}`).toContain(request);
      for (const grant of granted) expect(used, `granted but never used: ${grant}`).toContain(grant);
      for (const rule of [...rules.namespaced, ...rules.cluster, ...rules.inside]) {
        expect(rule.verbs.some((v) => v === '*' || ['escalate', 'impersonate'].includes(v))).toBe(false);
        // `bind` only on the drill's own inside role, by name.
        if (rule.verbs.includes('bind')) expect(rule.resourceNames).toEqual(['restorable-drill-ledger-dr-inside']);
        expect(rule.resources).not.toContain('*');
      }
    });
  }
});
