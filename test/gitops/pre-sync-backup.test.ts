import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { backupPolicy, cluster, preSyncBackup, s3Storage, sealed } from '../../src/index.ts';
import { lower } from '../../src/lower/index.ts';
import { backupNowScript, backupNowSpec, celLiteral } from '../../src/lower/pre-sync-backup.ts';
import { resolve } from '../../src/model/resolve.ts';
import { checkModel } from '../../src/rules/index.ts';

const run = promisify(execFile);

function organisation(images: { kubectl?: string } = { kubectl: 'example/kubectl:1' }) {
  const storage = s3Storage('bucket', { bucket: 'b', region: 'eu-west-1', credentials: sealed('creds') });
  const prod = cluster('prod', { environment: 'production', storage: [storage], images });
  const ledger = backupPolicy('ledger', { cluster: prod, namespaces: ['payments'], rpo: '1h', retention: { hourly: 24 } });
  return resolve([storage, prod, ledger, preSyncBackup(ledger)]).model;
}

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A fake kubectl on PATH (no cluster runs here): records its arguments and stdin, answers with scripted phases. */
async function fakeKubectl(phases: string[]): Promise<{ env: NodeJS.ProcessEnv; calls: () => Promise<string[]>; created: () => Promise<string> }> {
  dir = await mkdtemp(path.join(tmpdir(), 'restorable-presync-'));
  await writeFile(path.join(dir, 'phases'), `${phases.join('\n')}\n`);
  const script = `#!/bin/sh
echo "$*" >> "${dir}/calls"
case "$1" in
  create) cat > "${dir}/created.json"; printf 'ledger-presync-abc12' ;;
  get) head -n 1 "${dir}/phases"; sed -i 1d "${dir}/phases" ;;
esac
`;
  await writeFile(path.join(dir, 'kubectl'), script);
  await chmod(path.join(dir, 'kubectl'), 0o755);
  await writeFile(path.join(dir, 'sleep'), '#!/bin/sh\nexit 0\n');
  await chmod(path.join(dir, 'sleep'), 0o755);
  return {
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
    calls: async () => (await readFile(path.join(dir, 'calls'), 'utf8')).trim().split('\n'),
    created: () => readFile(path.join(dir, 'created.json'), 'utf8'),
  };
}

describe('pre-sync backup hook', () => {
  it('GIVEN preSyncBackup(ledger) WHEN lowered THEN a PreSync Job and ServiceAccount go to hooks/ledger and a least-privilege Role to the cluster folder', () => {
    const objects = lower(organisation());
    const hooks = objects.filter((o) => o.folder === 'hooks/ledger').map((o) => o.object.kind);
    expect(hooks.sort()).toEqual(['Job', 'ServiceAccount']);
    const job = objects.find((o) => o.object.kind === 'Job')!.object as { metadata: { annotations: Record<string, string>; namespace: string } };
    expect(job.metadata.namespace).toBe('payments');
    expect(job.metadata.annotations['argocd.argoproj.io/hook']).toBe('PreSync');
    expect(job.metadata.annotations['argocd.argoproj.io/hook-delete-policy']).toBe('BeforeHookCreation');
    const role = objects.find((o) => o.object.kind === 'Role')!;
    expect(role.folder).toBeUndefined();
    expect(role.object.rules).toEqual([{ apiGroups: ['velero.io'], resources: ['backups'], verbs: ['create', 'get'] }]);
  });

  it("GIVEN preSyncBackup(ledger) WHEN lowered THEN an admission policy, bound, pins what the hook's ServiceAccount may create to the policy's own Backup spec", () => {
    const model = organisation();
    const objects = lower(model).map((p) => p.object as { kind: string; metadata: { name: string }; spec: Record<string, unknown> });
    const policy = objects.find((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name === 'restorable-presync-backup-ledger')!;
    expect(policy.spec.matchConditions).toEqual([{ name: 'this-hook-only', expression: "request.userInfo.username == 'system:serviceaccount:payments:presync-backup-ledger'" }]);
    const spec = backupNowSpec(model.policies[0]!);
    expect((policy.spec.validations as { expression: string }[])[0]!.expression).toBe(`dyn(object.spec) == ${celLiteral(spec)}`);
    expect(objects.find((o) => o.kind === 'ValidatingAdmissionPolicyBinding' && o.metadata.name === 'restorable-presync-backup-ledger')?.spec).toEqual({
      policyName: 'restorable-presync-backup-ledger',
      validationActions: ['Deny'],
    });
  });

  it('GIVEN JSON values WHEN written as a CEL literal THEN every map and list value is wrapped in dyn() and strings keep their escapes', () => {
    expect(celLiteral({ a: false, b: { c: ['x"y', 1] }, d: null })).toBe('{"a": dyn(false), "b": dyn({"c": dyn([dyn("x\\"y"), dyn(1)])}), "d": dyn(null)}');
  });

  it('GIVEN a cluster without a kubectl image WHEN checked THEN IMG001 names the policy', () => {
    const codes = checkModel(organisation({})).map((d) => `${d.code} ${d.declaration}`);
    expect(codes).toContain('IMG001 ledger');
  });

  it('GIVEN the script run against a fake kubectl (no cluster here) WHEN Velero reports InProgress then Completed THEN it exits 0 after creating one Backup from the base tier', async () => {
    const model = organisation();
    const kubectl = await fakeKubectl(['InProgress', 'Completed']);
    const script = backupNowScript('velero', model.policies[0]!, model.preSyncBackups[0]!.timeout.seconds, 'presync');
    const result = await run('/bin/sh', ['-c', script], { env: kubectl.env });
    expect(result.stdout).toContain('backup ledger-presync-abc12 completed');
    const backup = JSON.parse(await kubectl.created());
    expect(backup.kind).toBe('Backup');
    expect(backup.metadata.generateName).toBe('ledger-presync-');
    expect(backup.spec.ttl).toBe('25h0m0s');
    expect(backup.spec.includedNamespaces).toEqual(['payments']);
    const calls = await kubectl.calls();
    expect(calls.filter((c) => c.startsWith('get backup.velero.io ledger-presync-abc12 -n velero'))).toHaveLength(2);
  });

  it('GIVEN the script run against a fake kubectl (no cluster here) WHEN the backup ends PartiallyFailed THEN it exits non-zero and says so', async () => {
    const model = organisation();
    const kubectl = await fakeKubectl(['InProgress', 'PartiallyFailed']);
    const script = backupNowScript('velero', model.policies[0]!, model.preSyncBackups[0]!.timeout.seconds, 'presync');
    await expect(run('/bin/sh', ['-c', script], { env: kubectl.env })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('ended PartiallyFailed'),
    });
  });
});
