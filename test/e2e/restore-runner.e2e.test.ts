/**
 * A namespace-loss restore run by restorable's real runner script against real Velero v1.18.1 and
 * the real Sealed Secrets controller: the shop namespace is backed up, deleted and finalised by the
 * namespace controller, then a Job made from the plan's `restore-<plan>` CronJob runs its pod on the
 * host (no kubelet here) as the runner's ServiceAccount with the plan's ConfigMap mounted. The
 * steps are complete (configuration and storage first, then the declared step, then the rest), the
 * restored SealedSecret takes its restored Secret over, and a run over a namespace that already
 * holds claims refuses. The API server writes an audit log, so the runner's requests are compared
 * with the Role and ClusterRole restorable generated for it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFolder } from './harness/argocd-sync.ts';
import { type HostPodResult, type JobLike, runJobPodOnHost } from './harness/pod-on-host.ts';
import { waitFor } from './harness/processes.ts';
import type { ControlPlane } from './harness/control-plane.ts';
import { repoRoot, useTestRun } from './harness/test-run.ts';
import { createShop, namespaceState, ORG, startVeleroCluster, TEST_CERTIFICATE, type VeleroCluster } from './harness/velero-organisation.ts';

const run = useTestRun('restore-runner');
const auditPolicy = path.join(run.runDir, 'audit-policy.yaml');
writeFileSync(auditPolicy, yaml.dump({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', omitStages: ['RequestReceived'], rules: [{ level: 'Metadata' }] }));
const RUNNER = `restore-${ORG.plan}`;
const RUNNER_USER = `system:serviceaccount:velero:${RUNNER}`;
let env: VeleroCluster;
/** The shop as it was backed up. */
let before: Record<string, unknown>;
let backupName = '';
/** When kube-apiserver was down or starting (ms since the epoch), for the audit log. */
const restartWindow = { from: 0, to: 0 };

/** A SealedSecret of the shop, sealed for the cluster's key (strict scope: namespace shop, name api-token). */
const SEALED = 'api-token';

/** `restorable seal` of one value for the shop's SealedSecret, as a team does it. */
const sealToken = (value: string): string =>
  execFileSync(process.execPath, [path.join(repoRoot, 'bin', 'restorable.mjs'), 'seal', '--cert', TEST_CERTIFICATE, '--namespace', ORG.namespace, '--name', SEALED, 'token=-'], {
    cwd: repoRoot,
    input: value,
    encoding: 'utf8',
  });

const secretToken = async (cluster: ControlPlane): Promise<string> =>
  Buffer.from(await cluster.kubectlOk(['get', 'secret', SEALED, '-n', ORG.namespace, '-o', 'jsonpath={.data.token}']), 'base64').toString();

/**
 * The shop, plus what only a complete restore brings back: a PodDisruptionBudget no declared step
 * names, the StatefulSet scaled to zero (its claims belong to no pod), and a SealedSecret whose
 * Secret the controller made.
 */
async function createFullShop(cluster: ControlPlane): Promise<void> {
  await createShop(cluster);
  await cluster.kubectlOk(['apply', '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: ORG.namespace }, spec: { minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } } } }),
  });
  await cluster.kubectlOk(['scale', 'statefulset', 'db', '-n', ORG.namespace, '--replicas=0']);
  await cluster.kubectlOk(['apply', '-f', '-'], { input: sealToken('token-before-the-loss') });
  await waitFor(async () => (await cluster.kubectl(['get', 'secret', SEALED, '-n', ORG.namespace])).code === 0, {
    timeoutMs: 60_000,
    describe: () => "the controller did not unseal the shop's SealedSecret within 60 s",
  });
}

beforeAll(async () => {
  env = await startVeleroCluster(run, 'restore-runner', { auditPolicy, beforeSync: createFullShop });
});
afterAll(async () => {
  await env?.stop();
});

interface Restore {
  metadata: { name: string; labels: Record<string, string>; creationTimestamp: string };
  spec: { backupName: string; includedResources?: string[] };
  status?: { phase?: string; errors?: number; startTimestamp?: string; completionTimestamp?: string };
}

const getJson = async <T>(args: readonly string[]): Promise<T> => JSON.parse(await env.cluster.kubectlOk([...args, '-o', 'json'])) as T;

/** Creates a Job from the runner CronJob as the admin and runs its pod on the host; resolves with what it did. */
async function runRunner(jobName: string, onOutput?: (chunk: string) => void): Promise<HostPodResult> {
  await env.cluster.kubectlOk(['create', 'job', jobName, `--from=cronjob/${RUNNER}`, '-n', 'velero']);
  const job = await getJson<JobLike>(['get', 'job', jobName, '-n', 'velero']);
  expect(job.spec.template.spec.serviceAccountName).toBe(RUNNER);
  return runJobPodOnHost(job, { cluster: env.cluster, kubectlDir: env.kubectlDir, workDir: path.join(run.runDir, 'pods'), timeoutMs: 600_000, ...(onOutput ? { onOutput } : {}) });
}

async function restoresOf(runId: string): Promise<Restore[]> {
  const list = await getJson<{ items: Restore[] }>(['get', 'restores.velero.io', '-n', 'velero', '-l', `restorable.dev/plan=${ORG.plan},restorable.dev/run=run-${runId}`]);
  return list.items.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

async function lastRun(): Promise<Record<string, string>> {
  return (await getJson<{ data: Record<string, string> }>(['get', 'configmap', `${RUNNER}-last-run`, '-n', 'velero'])).data;
}

describe('namespace-loss restore by the real runner script (its pod runs on the host as its ServiceAccount: no kubelet)', () => {
  it('brings every object of the deleted namespace back, configuration and storage first, then the workloads, then the rest, each Restore Completed, and records ok with the measured time; it survives an API server restart while it polls a Restore', { timeout: 900_000 }, async () => {
    backupName = 'shop-before-loss';
    expect(await env.velero.cliOk(['backup', 'create', backupName, '--from-schedule=shop-hourly', '--wait'], { timeoutMs: 240_000 })).toMatch(/Completed/);
    before = await namespaceState(env.cluster, ORG.namespace);
    expect(Object.keys(before).length).toBeGreaterThanOrEqual(15);
    expect(before['StatefulSet/db']).toMatchObject({ replicas: 0 });
    expect(await env.cluster.kubectlOk(['get', 'secret', SEALED, '-n', ORG.namespace, '-o', 'jsonpath={.metadata.ownerReferences[*].kind}'])).toBe('SealedSecret');

    // Namespace loss: deleted, and finalised by the namespace controller (every object in it gone).
    await env.cluster.kubectlOk(['delete', 'namespace', ORG.namespace, '--wait=true', '--timeout=180s'], { timeoutMs: 200_000 });
    expect((await env.cluster.kubectl(['get', 'namespace', ORG.namespace])).stderr).toMatch(/NotFound/);
    // Its volumes are gone too (here deleted by the test once Released: no provisioner runs), so the
    // first step brings the PersistentVolumes back from the backup and the claims bind to them again.
    expect(await env.cluster.kubectlOk(['get', 'pv', 'shop-db-0', 'shop-db-1', '-o', 'jsonpath={.items[*].status.phase}'])).toBe('Released Released');
    await env.cluster.kubectlOk(['delete', 'pv', 'shop-db-0', 'shop-db-1', '--wait=true', '--timeout=120s'], { timeoutMs: 150_000 });

    // Velero is paused (SIGSTOP) when the first step's Restore is created, so the runner is
    // polling a Restore that is still New while kube-apiserver restarts; then Velero continues.
    let output = '';
    let restarted: Promise<void> | undefined;
    const restart = async () => {
      env.velero.server.signal('SIGSTOP');
      try {
        restartWindow.from = Date.now();
        await env.cluster.restartApiServer();
        restartWindow.to = Date.now();
        // At least one poll against the restarted API server while the Restore is still New.
        await new Promise((resolve) => setTimeout(resolve, 6_000));
      } finally {
        env.velero.server.signal('SIGCONT');
      }
    };
    const started = Date.now();
    const result = await runRunner('restore-now', (chunk) => {
      output += chunk;
      if (!restarted && /step 01 shop-config-storage: restore /.test(output)) restarted = restart();
    });
    await restarted;
    const seconds = Math.round((Date.now() - started) / 1000);
    expect(result.code, result.output).toBe(0);
    expect(restarted, 'the runner never reached step 01').toBeDefined();
    expect(result.output, 'the runner saw the API server go away and retried').toMatch(/retrying/);

    // Steps in order, each a Completed Restore of the same backup, started after the previous one completed.
    const runId = /run (\d{14})/.exec(result.output)?.[1] ?? '';
    const restores = await restoresOf(runId);
    expect(restores.map((r) => r.metadata.labels['restorable.dev/step'])).toEqual(ORG.steps.map((s) => s.name));
    const logged = [...result.output.matchAll(/step (\d\d) (\S+): restore (\S+) from (\S+)/g)].map((m) => ({ index: m[1], step: m[2], restore: m[3], backup: m[4] }));
    expect(logged.map((l) => l.step)).toEqual(ORG.steps.map((s) => s.name));
    expect(logged.map((l) => l.restore)).toEqual(restores.map((r) => r.metadata.name));
    restores.forEach((restore, i) => {
      expect(restore.status?.phase, restore.metadata.name).toBe('Completed');
      expect(restore.status?.errors ?? 0, restore.metadata.name).toBe(0);
      expect(restore.spec.backupName).toBe(backupName);
      expect(restore.spec.includedResources).toEqual(ORG.steps[i]!.resources);
      if (i > 0) expect(Date.parse(restore.status!.startTimestamp!)).toBeGreaterThanOrEqual(Date.parse(restores[i - 1]!.status!.completionTimestamp!));
    });

    // Every object is back as it was, but for the transform: the restored shop starts read-only, "true" a string.
    await waitFor(async () => (await env.cluster.kubectlOk(['get', 'pvc', '-n', ORG.namespace, '-o', 'jsonpath={.items[*].status.phase}'])) === 'Bound Bound', {
      timeoutMs: 60_000,
      describe: () => 'the restored claims were not bound again',
    });
    expect(await env.cluster.kubectlOk(['get', 'pv', 'shop-db-0', 'shop-db-1', '-o', 'jsonpath={.items[*].spec.claimRef.name}'])).toBe('data-db-0 data-db-1');
    const after = await namespaceState(env.cluster, ORG.namespace);
    const settings = before['ConfigMap/settings'] as Record<string, string>;
    expect(after).toEqual({ ...before, 'ConfigMap/settings': { ...settings, 'read-only': 'true' } });

    // Configuration and the claims (of a StatefulSet scaled to zero: no pod mounts them) came back in
    // the first step, before any workload; what no declared step names came back in the last.
    const restoredBy = async (resource: string, name: string) =>
      (await env.cluster.kubectlOk(['get', resource, name, '-n', ORG.namespace, '-o', 'jsonpath={.metadata.labels.velero\\.io/restore-name}'])) || '(none)';
    const [first, workloads, rest] = restores.map((r) => r.metadata.name);
    for (const [resource, name] of [['secret', 'db-credentials'], ['configmap', 'settings'], ['serviceaccount', 'web'], ['role', 'settings-reader'], ['pvc', 'data-db-0'], ['pvc', 'data-db-1']]) {
      expect(await restoredBy(resource!, name!), `${resource}/${name}`).toBe(first);
    }
    expect(await restoredBy('statefulset', 'db')).toBe(workloads);
    expect(await restoredBy('poddisruptionbudget', 'web')).toBe(rest);

    // The restored Secret of the SealedSecret was marked managed, so the restored SealedSecret took it
    // over (owner reference back) and a rotation in Git reaches it.
    await waitFor(async () => (await env.cluster.kubectlOk(['get', 'secret', SEALED, '-n', ORG.namespace, '-o', 'jsonpath={.metadata.ownerReferences[*].kind}'])) === 'SealedSecret', {
      timeoutMs: 60_000,
      describe: () => 'the controller did not take the restored Secret over',
    });
    expect(await secretToken(env.cluster)).toBe('token-before-the-loss');
    await env.cluster.kubectlOk(['apply', '-f', '-'], { input: sealToken('token-rotated-after-the-restore') });
    await waitFor(async () => (await secretToken(env.cluster)) === 'token-rotated-after-the-restore', {
      timeoutMs: 60_000,
      describe: () => 'the controller did not apply the rotated SealedSecret to the restored Secret',
    });

    const recorded = await lastRun();
    expect(recorded.verdict).toBe('ok');
    expect(recorded.run).toBe(runId);
    expect(recorded.backups).toBe(`${ORG.policy}=${backupName}`);
    expect(Number(recorded.durationSeconds)).toBeGreaterThan(0);
    expect(Number(recorded.durationSeconds)).toBeLessThanOrEqual(seconds);
    expect(Number(recorded.durationSeconds)).toBeLessThanOrEqual(Number(recorded.rtoSeconds));
  });

  it('refuses to restore over a namespace that already holds claims and a StatefulSet, before creating any Restore, and records why', async () => {
    const result = await runRunner('restore-over-existing');
    expect(result.code, result.output).toBe(1);
    const reason = 'namespace shop already holds PersistentVolumeClaims (data-db-0 data-db-1); Velero would skip the existing claims and leave them empty.';
    expect(result.output).toContain(reason);
    const runId = /run (\d{14})/.exec(result.output)?.[1] ?? '';
    expect(await restoresOf(runId)).toEqual([]);
    expect((await lastRun()).verdict).toMatch(new RegExp(`^failed: ${reason.replace(/[.()]/g, '\\$&')}`));
  });

  it('restores a pinned backup (ConfigMap restore-<plan>-pin) into the emptied namespace and records ok again', { timeout: 600_000 }, async () => {
    const pinned = 'shop-pinned';
    expect(await env.velero.cliOk(['backup', 'create', pinned, '--from-schedule=shop-daily', '--wait'], { timeoutMs: 240_000 })).toMatch(/Completed/);
    // A newer backup exists: without the pin the runner would take it.
    expect(await env.velero.cliOk(['backup', 'create', 'shop-newest', '--from-schedule=shop-hourly', '--wait'], { timeoutMs: 240_000 })).toMatch(/Completed/);
    await env.cluster.kubectlOk(['create', 'configmap', `${RUNNER}-pin`, '-n', 'velero', `--from-literal=${ORG.policy}=${pinned}`]);
    await env.cluster.kubectlOk(['delete', 'namespace', ORG.namespace, '--wait=true', '--timeout=180s'], { timeoutMs: 200_000 });
    await env.cluster.kubectlOk(['delete', 'pv', 'shop-db-0', 'shop-db-1', '--wait=true', '--timeout=120s'], { timeoutMs: 150_000 });
    const result = await runRunner('restore-pinned');
    expect(result.code, result.output).toBe(0);
    const runId = /run (\d{14})/.exec(result.output)?.[1] ?? '';
    const restores = await restoresOf(runId);
    expect(restores.map((r) => [r.spec.backupName, r.status?.phase])).toEqual(ORG.steps.map(() => [pinned, 'Completed']));
    expect((await lastRun()).backups).toBe(`${ORG.policy}=${pinned}`);
    expect((await lastRun()).verdict).toBe('ok');
    expect(await namespaceState(env.cluster, ORG.namespace)).toEqual(
      expect.objectContaining({ 'Deployment/web': before['Deployment/web'], 'Service/storefront': before['Service/storefront'] }),
    );
  });

  it("every request of the runner's ServiceAccount in the API server's audit log was allowed, and every verb its Role grants was used", async () => {
    interface AuditEvent {
      stage: string;
      requestReceivedTimestamp: string;
      verb: string;
      requestURI: string;
      user: { username: string };
      objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string; apiGroup?: string };
      responseStatus?: { code?: number };
    }
    const events = readFileSync(env.cluster.auditLog!, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AuditEvent)
      .filter((e) => e.user.username === RUNNER_USER && e.stage === 'ResponseComplete');
    expect(events.length).toBeGreaterThan(0);
    const describeEvent = (e: AuditEvent) => `${e.verb} ${e.requestURI} -> ${e.responseStatus?.code}`;
    const refused = events.filter((e) => e.responseStatus?.code === 401 || e.responseStatus?.code === 403);
    // kube-apiserver serves before its RBAC caches are filled: while it restarted, the runner's
    // requests may have been refused (and retried). Those are the only refusals allowed.
    const starting = (e: AuditEvent) => {
      const at = Date.parse(e.requestReceivedTimestamp);
      return at >= restartWindow.from && at <= restartWindow.to;
    };
    expect(restartWindow.to).toBeGreaterThan(0);
    expect(refused.filter((e) => !starting(e)).map(describeEvent)).toEqual([]);

    type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
    const folder = readFolder(env.folder);
    const role = folder.find((m) => m.kind === 'Role' && m.metadata.name === RUNNER) as unknown as { rules: Rule[] } | undefined;
    expect(role).toBeDefined();
    // Cluster-wide, the runner only lists claims and StatefulSets: it refuses to restore over them.
    const clusterRole = folder.find((m) => m.kind === 'ClusterRole' && m.metadata.name === `restorable-${RUNNER}`) as unknown as { rules: Rule[] } | undefined;
    expect(clusterRole?.rules).toEqual([
      { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['list'] },
      { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['list'] },
    ]);
    const grants = [...role!.rules.map((rule) => ({ rule, namespace: 'velero' as string | undefined })), ...clusterRole!.rules.map((rule) => ({ rule, namespace: undefined }))];

    const resourceRequests = events.filter((e) => e.objectRef?.resource !== undefined);
    const allowedBy = (e: AuditEvent, rule: Rule, namespace: string | undefined) =>
      (namespace === undefined || e.objectRef?.namespace === namespace) &&
      rule.apiGroups.includes(e.objectRef?.apiGroup ?? '') &&
      rule.resources.includes(e.objectRef?.subresource ? `${e.objectRef.resource}/${e.objectRef.subresource}` : e.objectRef!.resource!) &&
      rule.verbs.includes(e.verb) &&
      (rule.resourceNames === undefined || rule.resourceNames.includes(e.objectRef?.name ?? ''));
    // Every request falls under a grant (the API server agreed: no 403 above)...
    expect(resourceRequests.filter((e) => !grants.some(({ rule, namespace }) => allowedBy(e, rule, namespace))).map(describeEvent)).toEqual([]);
    // ...and every grant (each verb, and each named object) was used by the runs.
    const unused = grants.flatMap(({ rule, namespace }) =>
      rule.verbs.flatMap((verb) =>
        (rule.resourceNames ?? [undefined]).flatMap((name) =>
          rule.resources
            .filter((resource) => !resourceRequests.some((e) => allowedBy(e, { ...rule, verbs: [verb], resources: [resource], ...(name ? { resourceNames: [name] } : {}) }, namespace)))
            .map((resource) => `${verb} ${resource}${name ? `/${name}` : ''}`),
        ),
      ),
    );
    expect(unused).toEqual([]);
  });
});
