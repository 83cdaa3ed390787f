/**
 * The Sync hook that settles Velero's repository password before the SealedSecrets' wave: what is
 * emitted, with which rights and in which wave, and what its script decides (run under BusyBox with
 * a stub kubectl here; against a real API server and the real Sealed Secrets controller in
 * test/e2e/sealed-secrets.e2e.test.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sealed } from '../../src/index.ts';
import { lower } from '../../src/lower/index.ts';
import { ADOPTION_NAME, adoptionScript } from '../../src/lower/repository-password.ts';
import { declarationsOf, modelOf, planOrg } from '../plans/support.ts';

interface Emitted {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly annotations?: Record<string, string> };
  readonly [field: string]: unknown;
}

const objectsOf = (withPassword: boolean): { cluster: string; object: Emitted }[] =>
  lower(modelOf(declarationsOf(planOrg(withPassword ? { prod: { repositoryPassword: sealed('velero-repo-credentials', 'repository-password') } } : {})))).map((p) => ({
    cluster: p.cluster,
    object: p.object as unknown as Emitted,
  }));

describe('the repository-password Sync hook, as compiled', () => {
  const objects = objectsOf(true).filter((p) => p.cluster === 'prod').map((p) => p.object);
  const named = (kind: string) => objects.find((o) => o.kind === kind && o.metadata.name === ADOPTION_NAME);

  it('GIVEN a cluster with a repository password WHEN lowered THEN a Sync hook Job runs in the first wave, before the SealedSecrets, replaced on each sync', () => {
    const job = named('Job');
    expect(job?.metadata.annotations).toEqual({
      'argocd.argoproj.io/hook': 'Sync',
      'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
      'argocd.argoproj.io/sync-wave': '-3',
    });
    // The Job asks for its token itself; the account mounts none into any other pod.
    expect(named('ServiceAccount')?.automountServiceAccountToken).toBe(false);
    expect(named('Job')?.spec).toMatchObject({ template: { spec: { serviceAccountName: ADOPTION_NAME, automountServiceAccountToken: true } } });
    expect(named('RoleBinding')?.subjects).toEqual([{ kind: 'ServiceAccount', name: ADOPTION_NAME, namespace: 'velero' }]);
  });

  it('GIVEN the hook WHEN its rights are read THEN it may read and patch only the repository password Secret and list repositories', () => {
    expect(named('Role')?.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'patch'], resourceNames: ['velero-repo-credentials'] },
      { apiGroups: ['velero.io'], resources: ['backuprepositories'], verbs: ['list'] },
    ]);
  });

  it('GIVEN a cluster without a repository password WHEN lowered THEN no hook is emitted', () => {
    expect(objectsOf(false).filter((p) => p.object.metadata.name === ADOPTION_NAME)).toEqual([]);
  });
});

describe('the repository-password hook script (BusyBox sh, stub kubectl)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'restorable-adopt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const busybox = spawnSync('sh', ['-c', 'command -v busybox']).stdout.toString().trim();
  // The stub answers from STUB_* variables and records every call.
  const stub = path.join(dir, 'kubectl');
  writeFileSync(
    stub,
    `#!/bin/sh
echo "$*" >> "$STUB_LOG"
case "$*" in
  "get secret velero-repo-credentials -n velero -o name") [ "$STUB_SECRET" = missing ] && { echo 'Error from server (NotFound): secrets "velero-repo-credentials" not found' >&2; exit 1; }; [ "$STUB_SECRET" = unreachable ] && { echo 'Unable to connect to the server' >&2; exit 1; }; echo secret/velero-repo-credentials ;;
  "get secret velero-repo-credentials -n velero -o jsonpath="*) printf '%s' "$STUB_STATE" ;;
  "get backuprepositories.velero.io -n velero -o name") printf '%s' "$STUB_REPOSITORIES" ;;
  "annotate secret velero-repo-credentials -n velero sealedsecrets.bitnami.com/managed=true") echo annotated ;;
  *) echo "unexpected: $*" >&2; exit 3 ;;
esac
`,
  );
  chmodSync(stub, 0o755);

  const runScript = (env: Record<string, string>) => {
    const log = path.join(dir, `log-${Math.random()}`);
    writeFileSync(log, '');
    const shell = busybox ? [busybox, 'sh'] : ['sh'];
    const result = spawnSync(shell[0]!, [...shell.slice(1), '-c', adoptionScript('velero')], { env: { PATH: `${dir}:${process.env.PATH}`, STUB_LOG: log, ...env }, encoding: 'utf8' });
    return { code: result.status, output: `${result.stdout}${result.stderr}`, calls: readFileSync(log, 'utf8').trim().split('\n') };
  };

  it('GIVEN no Secret yet WHEN run THEN it leaves the creation to the SealedSecret and succeeds', () => {
    const result = runScript({ STUB_SECRET: 'missing' });
    expect(result.code).toBe(0);
    expect(result.output).toContain('does not exist yet');
  });

  it('GIVEN an API error that is not NotFound WHEN run THEN it fails instead of taking it for a missing Secret', () => {
    expect(runScript({ STUB_SECRET: 'unreachable' }).code).toBe(1);
  });

  it('GIVEN a Secret the SealedSecret owns or that is marked managed WHEN run THEN nothing is changed', () => {
    for (const state of ['/SealedSecret', 'true/']) {
      const result = runScript({ STUB_STATE: state });
      expect(result.code).toBe(0);
      expect(result.calls.some((c) => c.startsWith('annotate'))).toBe(false);
    }
  });

  it('GIVEN an unmanaged Secret that repositories use WHEN run THEN it fails naming them and never annotates', () => {
    const result = runScript({ STUB_STATE: '/', STUB_REPOSITORIES: 'backuprepository.velero.io/payments-default-kopia-x7k2p' });
    expect(result.code).toBe(1);
    expect(result.output).toContain('backuprepository.velero.io/payments-default-kopia-x7k2p');
    expect(result.output).toContain('would orphan them');
    expect(result.calls.some((c) => c.startsWith('annotate'))).toBe(false);
  });

  it('GIVEN an unmanaged Secret and no repository WHEN run THEN it marks the Secret managed for the controller to take over', () => {
    const result = runScript({ STUB_STATE: '/', STUB_REPOSITORIES: '' });
    expect(result.code).toBe(0);
    expect(result.calls).toContain('annotate secret velero-repo-credentials -n velero sealedsecrets.bitnami.com/managed=true');
  });

  it('GIVEN the script WHEN checked by the shell THEN it parses', () => {
    expect(() => execFileSync('sh', ['-n', '-c', adoptionScript('velero')])).not.toThrow();
  });
});
