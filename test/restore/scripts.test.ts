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
import { resolve } from '../../src/model/resolve.ts';
import type { Model } from '../../src/model/types.ts';

const run = (file: string, args: string[], env: NodeJS.ProcessEnv) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(file, args, { env }, (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });

function organisation(options: { mode?: 'full' | 'data-only' } = {}): Model {
  const eu = s3Storage('eu', { bucket: 'b', region: 'eu-west-1', credentials: sealed('creds') });
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
    to: dr,
    scenario: 'region-loss',
    mode: options.mode,
    rto: '1h',
    secretsRecovery: 'secrets-from-backup',
    order: [{ name: 'ledger-db' }, { name: 'ledger-api', after: ['ledger-db'], selector: { app: 'ledger-api' } }, { name: 'rest', after: ['ledger-api'] }],
    drill: { every: 'week', verify: [sqlCheck('accounts', 'select 1 from accounts', { app: 'ledger-db' }), httpCheck('api', { service: 'ledger-api', port: 8080, path: '/readyz' })] },
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
  pinned?: Record<string, string>;
}

/** Lays out the plan's ConfigMap as the pod would see it, and a fake kubectl on PATH. */
async function harness(model: Model, variant: RestoreVariant, scenario: Scenario, overrides: Record<string, string> = {}) {
  dir = await mkdtemp(path.join(tmpdir(), 'restorable-runner-'));
  const config = path.join(dir, 'plan');
  const bin = path.join(dir, 'bin');
  await mkdir(config);
  await mkdir(bin);
  const data = planConfig(model.restorePlans[0]!, model.policies, variant, 'velero');
  for (const [file, content] of Object.entries(data)) await writeFile(path.join(config, file), content);
  for (const [key, value] of Object.entries(overrides)) {
    const plan = (await readFile(path.join(config, 'plan'), 'utf8')).replace(new RegExp(`^${key}=.*$`, 'm'), `${key}=${value}`);
    await writeFile(path.join(config, 'plan'), plan);
  }
  await writeFile(path.join(dir, 'scenario.json'), JSON.stringify(scenario));
  await writeFile(path.join(bin, 'kubectl'), `#!/bin/sh\nexec node ${JSON.stringify(FAKE)} "$@"\n`);
  await chmod(path.join(bin, 'kubectl'), 0o755);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_KUBECTL_DIR: dir, RESTORABLE_CONFIG: config, RESTORABLE_POLL_SECONDS: '0' };
  const script = path.join(config, variant === 'drill' ? 'drill.sh' : 'runner.sh');
  return {
    run: () => run('/bin/sh', [script], env),
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
    expect(restores.map((c) => /restorable.dev\/step: (\S+)/.exec(c.stdin)?.[1])).toEqual(['ledger-db', 'ledger-api', 'rest']);
    expect(new Set(restores.map((c) => /backupName: (\S+)/.exec(c.stdin)?.[1]))).toEqual(new Set(['ledger-hourly-20261125100000']));
    expect(new Set(restores.map((c) => /restorable.dev\/run: (\S+)/.exec(c.stdin)?.[1])).size).toBe(1);
    expect(calls.filter((c) => c.args[0] === 'get' && c.args[1] === 'backups.velero.io' && c.args.includes('-l'))).toHaveLength(1);
    expect(calls.some((c) => c.args[0] === 'exec')).toBe(true);
    expect(await h.result('restore-ledger-dr-last-run')).toContain('verdict: "ok"');
  });

  it('GIVEN step 2 ends PartiallyFailed WHEN the runner runs THEN it stops with Velero\'s reason, never starts step 3, and records the failure', async () => {
    const h = await harness(organisation(), 'run', { backups: freshBackups(), restorePhases: { 'ledger-api': ['InProgress', 'PartiallyFailed'] } });
    const result = await h.run();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/restore ledger-dr-02-\d+ ended PartiallyFailed: velero says: volume restore failed/);
    const steps = (await h.calls()).filter((c) => c.args[0] === 'create' && c.stdin.includes('kind: Restore'));
    expect(steps).toHaveLength(2);
    expect(await h.result('restore-ledger-dr-last-run')).toContain('failed: restore ledger-dr-02');
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
    expect(result.stderr).toContain('already has PersistentVolumeClaims');
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
    expect(calls).toContain('get --raw /api/v1/namespaces/drill-payments/services/ledger-api:8080/proxy/readyz');
    expect(calls.filter((c) => c.startsWith('delete namespaces -l restorable.dev/drill=ledger-dr'))).toHaveLength(2);
    expect(await h.result('drill-ledger-dr-result')).toContain('verdict: "passed"');
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

  it('GIVEN a restore slower than the RTO WHEN the drill runs THEN the drill fails with RTO exceeded', async () => {
    const h = await harness(organisation(), 'drill', { backups: freshBackups() }, { rtoSeconds: '-1' });
    const result = await h.run();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('RTO exceeded');
    expect(await h.result('drill-ledger-dr-result')).toContain('failed: RTO exceeded');
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
function apiRequests(args: readonly string[]): { group: string; resource: string; verb: string }[] {
  const [verb, kind = '', name] = args;
  const resource = (k: string) => {
    const [res = '', ...group] = k.split('.');
    const plural = res.endsWith('s') ? res : `${res}s`;
    return { resource: plural, group: group.join('.') };
  };
  if (args.includes('--dry-run=client')) return [];
  switch (verb) {
    case 'get':
      if (kind === '--raw') return [{ group: '', resource: 'services/proxy', verb: 'get' }];
      return [{ ...resource(kind), verb: args.includes('-l') || !name || name.startsWith('-') ? 'list' : 'get' }];
    case 'create':
      if (args.includes('-f')) return [{ group: 'velero.io', resource: 'restores', verb: 'create' }];
      return [{ ...resource(kind), verb: 'create' }];
    case 'apply':
      return args.includes('-n')
        ? ['get', 'create', 'patch'].map((v) => ({ group: 'networking.k8s.io', resource: 'networkpolicies', verb: v }))
        : ['get', 'create', 'patch'].map((v) => ({ group: '', resource: 'configmaps', verb: v }));
    case 'label':
      return ['get', 'patch'].map((v) => ({ ...resource(kind), verb: v }));
    case 'delete':
      return ['list', 'delete'].map((v) => ({ ...resource(kind), verb: v }));
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
      const calls = [];
      // Two runs: the newest backup, and one pinned by name (the only path that reads a backup by name).
      for (const pinned of [undefined, { ledger: 'ledger-hourly-20261125090000' }]) {
        const h = await harness(model, variant, { backups: freshBackups(), pinned });
        expect((await h.run()).code).toBe(0);
        calls.push(...(await h.calls()));
        await rm(dir, { recursive: true, force: true });
      }
      const used = new Set(calls.flatMap((c) => apiRequests(c.args)).map((r) => `${r.group}/${r.resource}/${r.verb}`));
      const rules = scriptRules(model.restorePlans[0]!, variant);
      const granted = new Set([...rules.namespaced, ...rules.cluster].flatMap((r) => r.resources.flatMap((res) => r.verbs.map((v) => `${r.apiGroups[0]}/${res}/${v}`))));
      for (const request of used) expect(granted, `call needs ${request}`).toContain(request);
      for (const grant of granted) expect(used, `granted but never used: ${grant}`).toContain(grant);
      for (const rule of [...rules.namespaced, ...rules.cluster]) {
        expect(rule.verbs.some((v) => v === '*' || ['escalate', 'bind', 'impersonate'].includes(v))).toBe(false);
        expect(rule.resources).not.toContain('*');
      }
    });
  }
});
