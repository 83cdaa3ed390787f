/**
 * Access as real users on a real API server: README's access model, each claim tried as the user
 * and group it names (`kubectl --as=<user> --as-group=<group>`, no cluster-admin group), decided by
 * the API server's RBAC and admission over the test organisation's synced prod-eu folder. Jobs are
 * admitted or denied here, never run (no kubelet).
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ArgoHealth, downloadArgoCd, type LiveObject } from './harness/argocd-health.ts';
import { readFolder, syncFolder } from './harness/argocd-sync.ts';
import type { ControlPlane } from './harness/control-plane.ts';
import type { KubectlOptions } from './harness/kubectl.ts';
import { createNamespaces, installCrds, synthOrganisation, testOrganisation, upstreamCrdsFor } from './harness/organisation.ts';
import { hooksOnHost } from './harness/pod-on-host.ts';
import { waitFor } from './harness/processes.ts';
import { useTestRun } from './harness/test-run.ts';

const run = useTestRun('access');
const generated = synthOrganisation(testOrganisation, 'access');
const folder = path.join(generated, 'clusters', 'prod-eu');
let cluster: ControlPlane;
const health = new ArgoHealth(downloadArgoCd(), path.join(inject('luaHealthBin'), 'lua-health'));

/** People, by the groups the test organisation's policies name. */
const PAYMENTS_ONCALL: KubectlOptions = { as: 'olivia', groups: ['payments-oncall'] };
const WEB_ONCALL: KubectlOptions = { as: 'wes', groups: ['web-oncall'] };
const PAYMENTS_VIEW: KubectlOptions = { as: 'paula', groups: ['payments'] };
const AUDITOR: KubectlOptions = { as: 'aude', groups: ['backup-auditors'] };
/** A ServiceAccount user, with the groups the API server gives its tokens. */
const serviceAccount = (namespace: string, name: string): KubectlOptions => ({
  as: `system:serviceaccount:${namespace}:${name}`,
  groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
});

interface Job {
  metadata: { name: string; labels?: Record<string, string> };
  spec: Record<string, unknown> & { template: { metadata?: { labels?: Record<string, string> }; spec: { serviceAccountName?: string; containers: { image: string; command?: string[]; env?: { name: string; value: string }[] }[] } } };
}

let counter = 0;
/** The Job `kubectl create job --from=cronjob/<name>` makes (client-side, as the admin who may read every CronJob). */
async function jobFrom(cronJob: string): Promise<Job> {
  return JSON.parse(await cluster.kubectlOk(['create', 'job', `access-${++counter}`, `--from=cronjob/${cronJob}`, '-n', 'velero', '--dry-run=client', '-o', 'json'])) as Job;
}

const create = (object: unknown, as: KubectlOptions) => cluster.kubectl(['create', '-n', 'velero', '-f', '-', '-o', 'name'], { input: JSON.stringify(object), ...as });

/** Creates a Job that must be admitted, retrying while a binding's parameter informer catches up; then deletes it. */
async function expectCreated(object: Job, as: KubectlOptions): Promise<void> {
  let last = '';
  await waitFor(
    async () => {
      const result = await create(object, as);
      last = result.stderr;
      return result.code === 0 || !/no params found/.test(result.stderr);
    },
    { timeoutMs: 30_000, intervalMs: 1_000, describe: () => last },
  );
  expect(last, `${object.metadata.name} as ${as.as}`).toBe('');
  await cluster.kubectlOk(['delete', 'job', object.metadata.name, '-n', 'velero', '--wait=false']);
}

async function expectRefused(object: unknown, as: KubectlOptions, reason: RegExp): Promise<void> {
  let result = await create(object, as);
  // A binding whose parameter informer has not seen its CronJob yet denies for that reason instead.
  for (let attempt = 0; attempt < 30 && /no params found/.test(result.stderr); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    result = await create(object, as);
  }
  expect(result.code, `admitted: ${result.stdout}`).not.toBe(0);
  expect(result.stderr).toMatch(reason);
}

/** The API server's own answer to "may <user> <verb> <resource>?" (a SubjectAccessReview). */
async function canI(as: KubectlOptions, verb: string, resource: string, options: { namespace?: string; subresource?: string } = {}): Promise<boolean> {
  const subresource = options.subresource ? [`--subresource=${options.subresource}`] : [];
  const result = await cluster.kubectl(['auth', 'can-i', verb, resource, ...subresource, '-n', options.namespace ?? 'velero'], as);
  return result.stdout.trim() === 'yes';
}

const VELERO_WRITES = ['create', 'update', 'patch', 'delete'].flatMap((verb) =>
  ['backups.velero.io', 'restores.velero.io', 'downloadrequests.velero.io', 'backupstoragelocations.velero.io', 'schedules.velero.io', 'deletebackuprequests.velero.io'].map((r) => [verb, r] as const),
);

beforeAll(async () => {
  cluster = await run.cluster('prod-eu');
  await installCrds(cluster, upstreamCrdsFor(folder));
  await createNamespaces(cluster, folder);
  // The live application namespaces the policies protect.
  for (const namespace of ['payments', 'storefront']) await cluster.kubectlOk(['create', 'namespace', namespace]);
  await syncFolder({
    cluster,
    folder,
    health,
    controllersNotRunning: new Set(['bitnami.com/SealedSecret']),
    runHook: hooksOnHost({ cluster, kubectlDir: path.dirname(run.binaries.kubectl), workDir: path.join(run.runDir, 'pods') }),
  });
});

describe('restore group payments-oncall', () => {
  it('runs its own plan runner (kubectl create job --from=cronjob/restore-ledger-namespace-loss) and may read its result', async () => {
    const created = await cluster.kubectl(['create', 'job', 'olivia-restores', '--from=cronjob/restore-ledger-namespace-loss', '-n', 'velero'], PAYMENTS_ONCALL);
    expect(created.stderr).toBe('');
    expect(await canI(PAYMENTS_ONCALL, 'get', 'configmap/restore-ledger-namespace-loss-last-run')).toBe(true);
    expect(await canI(PAYMENTS_ONCALL, 'get', 'configmap/restore-storefront-namespace-loss-last-run')).toBe(false);
  });

  it("cannot run another plan's runner: RBAC refuses --from=cronjob/restore-storefront-namespace-loss, admission refuses a hand-written copy", async () => {
    const viaKubectl = await cluster.kubectl(['create', 'job', 'olivia-storefront', '--from=cronjob/restore-storefront-namespace-loss', '-n', 'velero'], PAYMENTS_ONCALL);
    expect(viaKubectl.stderr).toMatch(/forbidden/);
    await expectRefused(await jobFrom('restore-storefront-namespace-loss'), PAYMENTS_ONCALL, /only group:web-oncall may start restore-storefront-namespace-loss/);
    await expectRefused(await jobFrom('restore-search-namespace-loss'), PAYMENTS_ONCALL, /only the cluster \(on schedule\) may start|only .* may start restore-search-namespace-loss/);
    await expectRefused(await jobFrom('drill-ledger-namespace-loss'), PAYMENTS_ONCALL, /only the cluster \(on schedule\) may start drill-ledger-namespace-loss/);
  });

  it('cannot change the image, command, env, ServiceAccount, Job-level fields or pod labels of its own runner', async () => {
    const variants: [string, (job: Job) => void, RegExp][] = [
      ['image', (j) => { j.spec.template.spec.containers[0]!.image = 'docker.io/library/busybox:1.37'; }, /created from its CronJob/],
      ['command', (j) => { j.spec.template.spec.containers[0]!.command = ['/bin/sh', '-c', 'kubectl get secrets -A']; }, /created from its CronJob/],
      ['env', (j) => { j.spec.template.spec.containers[0]!.env?.push({ name: 'KUBECONFIG', value: '/home/k/config' }); }, /created from its CronJob/],
      // Two policies deny this one; the API server reports whichever it evaluated first.
      ['serviceAccount', (j) => { j.spec.template.spec.serviceAccountName = 'velero'; }, /not a Job as ServiceAccount velero|created from its CronJob/],
      ['parallelism', (j) => { j.spec.parallelism = 3; }, /created from its CronJob/],
      ['completions', (j) => { j.spec.completions = 5; }, /created from its CronJob/],
      ['backoffLimit', (j) => { j.spec.backoffLimit = 6; }, /created from its CronJob/],
      ['activeDeadlineSeconds', (j) => { j.spec.activeDeadlineSeconds = 999_999; }, /created from its CronJob/],
      ['pod labels', (j) => { j.spec.template.metadata!.labels = { ...j.spec.template.metadata!.labels, 'app.kubernetes.io/name': 'ledger-db' }; }, /carries exactly the template's labels/],
    ];
    for (const [field, change, reason] of variants) {
      const job = await jobFrom('restore-ledger-namespace-loss');
      change(job);
      await expectRefused(job, PAYMENTS_ONCALL, reason).catch((error: Error) => {
        throw new Error(`${field}: ${error.message}`);
      });
    }
  });

  it("cannot create, update, patch or delete Velero's Backups, Restores, DownloadRequests, storage locations, Schedules or DeleteBackupRequests", async () => {
    for (const [verb, resource] of VELERO_WRITES) expect(await canI(PAYMENTS_ONCALL, verb, resource), `${verb} ${resource}`).toBe(false);
    const restore = { apiVersion: 'velero.io/v1', kind: 'Restore', metadata: { name: 'olivia-anything' }, spec: { backupName: 'any', includedNamespaces: ['*'] } };
    await expectRefused(restore, PAYMENTS_ONCALL, /forbidden/);
  });

  it('as backup group of ledger, starts the on-demand backup and nothing else', async () => {
    const created = await cluster.kubectl(['create', 'job', 'olivia-backs-up', '--from=cronjob/backup-ledger', '-n', 'velero'], PAYMENTS_ONCALL);
    expect(created.stderr).toBe('');
    expect(await canI(PAYMENTS_ONCALL, 'get', 'cronjob/backup-ledger')).toBe(true);
    expect(await canI(PAYMENTS_ONCALL, 'get', 'cronjob/drill-ledger-namespace-loss')).toBe(false);
  });
});

describe("the runbook's commands, as the restore group it addresses", () => {
  it('payments-oncall sees the backups and restores (velero backup get), and pins a backup for its own plan only', async () => {
    expect((await cluster.kubectl(['get', 'backups.velero.io', '-n', 'velero', '-l', 'restorable.dev/policy=ledger'], PAYMENTS_ONCALL)).code).toBe(0);
    expect(await canI(PAYMENTS_ONCALL, 'list', 'restores.velero.io')).toBe(true);
    const pin = (name: string, labels?: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data: { ledger: 'ledger-daily-20261201020000' } });
    const own = await create(pin('restore-ledger-namespace-loss-pin'), PAYMENTS_ONCALL);
    expect(own.stderr).toBe('');
    expect((await cluster.kubectl(['delete', 'configmap', 'restore-ledger-namespace-loss-pin', '-n', 'velero'], PAYMENTS_ONCALL)).code).toBe(0);
    await expectRefused(pin('restore-storefront-namespace-loss-pin'), PAYMENTS_ONCALL, /may only write the pin ConfigMap of a plan they may run here/);
    await expectRefused(pin('velero-plugin-config'), PAYMENTS_ONCALL, /may only write the pin ConfigMap/);
    await expectRefused(pin('restore-ledger-namespace-loss-pin', { 'velero.io/plugin-config': '' }), PAYMENTS_ONCALL, /carries no labels/);
  });

  it("the view group cannot pin, and nobody is granted DownloadRequests (describe --details) by the runbook's rights", async () => {
    expect(await canI(PAYMENTS_VIEW, 'create', 'configmaps')).toBe(false);
    for (const who of [PAYMENTS_ONCALL, WEB_ONCALL, PAYMENTS_VIEW]) expect(await canI(who, 'create', 'downloadrequests.velero.io')).toBe(false);
  });
});

describe('restore group web-oncall', () => {
  it('runs the storefront runner, and cannot start the ledger runner or the ledger on-demand backup even by hand', async () => {
    await expectCreated(await jobFrom('restore-storefront-namespace-loss'), WEB_ONCALL);
    await expectRefused(await jobFrom('restore-ledger-namespace-loss'), WEB_ONCALL, /only group:payments-oncall may start restore-ledger-namespace-loss/);
    await expectRefused(await jobFrom('backup-ledger'), WEB_ONCALL, /only group:payments-oncall may start backup-ledger/);
  });
});

describe('view group payments', () => {
  it('reads Backups, Schedules, Restores and storage locations', async () => {
    for (const resource of ['backups.velero.io', 'schedules.velero.io', 'restores.velero.io', 'backupstoragelocations.velero.io']) {
      for (const verb of ['get', 'list', 'watch']) expect(await canI(PAYMENTS_VIEW, verb, resource), `${verb} ${resource}`).toBe(true);
    }
    expect((await cluster.kubectl(['get', 'backups.velero.io', '-n', 'velero'], PAYMENTS_VIEW)).code).toBe(0);
  });

  it('writes nothing and cannot create DownloadRequests (a signed URL to a whole backup, Secrets included)', async () => {
    for (const [verb, resource] of VELERO_WRITES) expect(await canI(PAYMENTS_VIEW, verb, resource), `${verb} ${resource}`).toBe(false);
    for (const resource of ['jobs.batch', 'pods', 'secrets', 'configmaps']) expect(await canI(PAYMENTS_VIEW, 'create', resource)).toBe(false);
    expect(await canI(PAYMENTS_VIEW, 'get', 'secrets')).toBe(false);
    const download = { apiVersion: 'velero.io/v1', kind: 'DownloadRequest', metadata: { name: 'paula-wants-it-all' }, spec: { target: { kind: 'BackupContents', name: 'any' } } };
    await expectRefused(download, PAYMENTS_VIEW, /forbidden/);
  });
});

describe('cluster viewers backup-auditors (declared once on the cluster)', () => {
  it("read every policy's Backups, Schedules, Restores and storage locations, and write nothing", async () => {
    for (const resource of ['backups.velero.io', 'schedules.velero.io', 'restores.velero.io', 'backupstoragelocations.velero.io']) {
      expect(await canI(AUDITOR, 'list', resource), resource).toBe(true);
    }
    for (const [verb, resource] of VELERO_WRITES) expect(await canI(AUDITOR, verb, resource), `${verb} ${resource}`).toBe(false);
    for (const resource of ['jobs.batch', 'configmaps', 'secrets']) expect(await canI(AUDITOR, 'create', resource)).toBe(false);
  });
});

describe('the pre-sync backup ServiceAccount of ledger (usable by anyone who may create pods in payments)', () => {
  const user = serviceAccount('payments', 'presync-backup-ledger');
  const hookBackup = () => {
    const job = readFolder(path.join(generated, 'hooks', 'ledger')).find((m) => m.kind === 'Job')!;
    const script = (job as unknown as Job).spec.template.spec.containers[0]!.command![2]!;
    const lines = script.split('\n');
    // The Backup is the heredoc line after `<<'BACKUP'`.
    return JSON.parse(lines[lines.findIndex((l) => l.endsWith("<<'BACKUP'")) + 1]!) as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
  };

  it('creates exactly the Backup its hook creates', async () => {
    const backup = hookBackup();
    const created = await create({ ...backup, metadata: { ...backup.metadata, generateName: undefined, name: 'ledger-presync-e2e' } }, user);
    expect(created.stderr).toBe('');
  });

  it('cannot create any other Backup: every namespace, a hook command, another location', async () => {
    const backup = hookBackup();
    const named = (name: string, spec: Record<string, unknown>) => ({ ...backup, metadata: { ...backup.metadata, generateName: undefined, name }, spec });
    await expectRefused(named('all-namespaces', { ...backup.spec, includedNamespaces: ['*'] }), user, /may only create the pre-sync backup of policy ledger/);
    await expectRefused(named('own-hook', { ...backup.spec, hooks: { resources: [{ name: 'x', pre: [{ exec: { command: ['/bin/sh', '-c', 'id'] } }] }] } }), user, /may only create the pre-sync backup/);
    await expectRefused(named('elsewhere', { ...backup.spec, storageLocation: 'default' }), user, /may only create the pre-sync backup/);
  });
});

describe('drill and runner ServiceAccounts', () => {
  it('the ledger drill may create its drill namespace, and neither another namespace nor a NetworkPolicy in the live one', async () => {
    const drill = serviceAccount('velero', 'drill-ledger-namespace-loss');
    expect((await cluster.kubectl(['create', 'namespace', 'drill-payments', '--dry-run=server'], drill)).stderr).toBe('');
    expect((await cluster.kubectl(['create', 'namespace', 'storefront-copy', '--dry-run=server'], drill)).stderr).toMatch(/may only act on its own namespaces/);
    const policy = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'open', namespace: 'payments' }, spec: { podSelector: {}, ingress: [{}] } };
    const live = await cluster.kubectl(['create', '-f', '-', '--dry-run=server'], { input: JSON.stringify(policy), ...drill });
    expect(live.stderr).toMatch(/may only act on its own namespaces/);
  });

  it('the ledger runner may exec into pods of its plan namespaces with the verbs kubectl really uses, and nowhere else', async () => {
    const runner = serviceAccount('velero', 'restore-ledger-namespace-loss');
    for (const namespace of ['payments', 'storefront']) {
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db-0', namespace }, spec: { containers: [{ name: 'postgres', image: 'docker.io/library/postgres:17' }] } };
      await cluster.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    }
    // No kubelet: a permitted exec fails later, on the pod having no node, never with a 403.
    const own = await cluster.kubectl(['exec', '-n', 'payments', 'db-0', '-c', 'postgres', '--', 'true'], runner);
    expect(own.code).not.toBe(0);
    expect(own.stderr).not.toMatch(/forbidden|may only act/i);
    expect(own.stderr).toMatch(/does not have a host assigned|no node|not found/i);
    const other = await cluster.kubectl(['exec', '-n', 'storefront', 'db-0', '-c', 'postgres', '--', 'true'], runner);
    expect(other.stderr).toMatch(/may only act on its own namespaces/);
  });

  it('the ledger runner has no right to create namespaces (Velero does) nor to read Secrets', async () => {
    const runner = serviceAccount('velero', 'restore-ledger-namespace-loss');
    expect(await canI(runner, 'create', 'namespaces', { namespace: 'default' })).toBe(false);
    expect(await canI(runner, 'get', 'secrets', { namespace: 'payments' })).toBe(false);
    expect(await canI(runner, 'create', 'pods', { namespace: 'payments', subresource: 'exec' })).toBe(true);
  });
});

describe('system identities', () => {
  it('a Job as the CronJob controller creates it for a scheduled drill is admitted; with another image it is denied', async () => {
    const controller = serviceAccount('kube-system', 'cronjob-controller');
    const job = await jobFrom('drill-ledger-namespace-loss');
    await expectCreated(job, controller);
    const tampered = await jobFrom('drill-ledger-namespace-loss');
    tampered.spec.template.spec.containers[0]!.image = 'docker.io/library/busybox:1.37';
    await expectRefused(tampered, controller, /created from its CronJob/);
  });
});

describe("Argo CD's create-job resource action (its own action.lua; Argo CD's server itself does not run here)", () => {
  it("yields, for every restorable CronJob, a Job that is admitted when Argo CD's server creates it; who may trigger it is Argo CD's RBAC", async () => {
    const argoServer = { as: 'system:serviceaccount:argocd:argocd-server', groups: ['system:masters'] };
    const cronJobs = JSON.parse(await cluster.kubectlOk(['get', 'cronjobs', '-n', 'velero', '-o', 'json'])) as { items: LiveObject[] };
    expect(cronJobs.items.length).toBeGreaterThan(0);
    for (const cronJob of cronJobs.items) {
      const operations = health.runAction(cronJob, 'create-job') as { operation: string; resource: Job }[];
      expect(operations.map((o) => o.operation)).toEqual(['create']);
      const job = operations[0]!.resource;
      job.metadata.name = `argo-${++counter}`;
      await expectCreated(job, argoServer);
    }
  });
});

/** Go's filepath.Match, which Argo CD uses for `name` in a project's cluster resource whitelist. */
function globMatches(pattern: string, name: string): boolean {
  const source = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replaceAll('*', '[^/]*').replaceAll('?', '[^/]');
  return new RegExp(`^${source}$`).test(name);
}

describe("Argo CD's AppProject (checked on the objects: Argo CD does not run here)", () => {
  it("permits every cluster-scoped object restorable emits, and no ClusterRole, ClusterRoleBinding or admission policy outside restorable's names", () => {
    const project = readFolder(path.join(generated, 'argocd', 'prod-eu')).find((m) => m.kind === 'AppProject') as unknown as {
      spec: { clusterResourceWhitelist: { group: string; kind: string; name?: string }[] };
    };
    const permitted = (group: string, kind: string, name: string) =>
      project.spec.clusterResourceWhitelist.some((e) => e.group === group && e.kind === kind && (e.name === undefined || globMatches(e.name, name)));
    const clusterScoped = readFolder(folder).filter((m) => m.metadata.namespace === undefined);
    expect(clusterScoped.length).toBeGreaterThan(0);
    // The core group (apiVersion v1, a Namespace) is "" in an AppProject.
    const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');
    for (const object of clusterScoped) expect(permitted(groupOf(object.apiVersion), object.kind, object.metadata.name), object.metadata.name).toBe(true);
    for (const [group, kind] of [
      ['rbac.authorization.k8s.io', 'ClusterRole'],
      ['rbac.authorization.k8s.io', 'ClusterRoleBinding'],
      ['admissionregistration.k8s.io', 'ValidatingAdmissionPolicy'],
      ['admissionregistration.k8s.io', 'ValidatingAdmissionPolicyBinding'],
    ] as const) {
      expect(permitted(group, kind, 'cluster-admin-for-everyone'), `${kind} outside restorable-*`).toBe(false);
    }
  });
});
