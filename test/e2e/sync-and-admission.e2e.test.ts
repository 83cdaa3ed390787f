/**
 * The test organisation's output synced onto real API servers as Argo CD would (Argo CD itself does
 * not run here: its sync ordering and its own Lua health scripts are reproduced), then admission as
 * the API server decides it, for a person (the admin impersonating `jane`) and for Velero's own
 * ServiceAccount. No controller runs pods here: Jobs are admitted or denied, never started.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ArgoHealth, downloadArgoCd } from './harness/argocd-health.ts';
import { isHook, readFolder, syncFolder } from './harness/argocd-sync.ts';
import type { ControlPlane } from './harness/control-plane.ts';
import { createNamespaces, installCrds, synthOrganisation, testOrganisation, upstreamCrdsFor } from './harness/organisation.ts';
import { hooksOnHost } from './harness/pod-on-host.ts';
import { waitFor } from './harness/processes.ts';
import { useTestRun } from './harness/test-run.ts';

const run = useTestRun('sync-and-admission');
const generated = synthOrganisation(testOrganisation, 'sync-and-admission');
const clusterNames = readdirSync(path.join(generated, 'clusters')).sort();
const clusters = new Map<string, ControlPlane>();
const health = new ArgoHealth(downloadArgoCd(), path.join(inject('luaHealthBin'), 'lua-health'));

/** A person who may create Jobs in `velero` (RBAC through system:masters; admission sees the user name). */
const PERSON = { as: 'jane', groups: ['system:masters'] };
/** Velero's server, as its ServiceAccount (its repository-maintenance Jobs are created this way). */
const VELERO_SERVER = { as: 'system:serviceaccount:velero:velero', groups: ['system:masters'] };

interface JobObject {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: unknown[] };
  spec: { template: { spec: { serviceAccountName?: string; containers: { image: string; command?: string[]; env?: { name: string; value: string }[] }[] } } };
}

let jobCounter = 0;
/** The Job `kubectl create job --from=cronjob/<name>` would create (client-side dry run, so nothing is sent). */
async function jobFromCronJob(cluster: ControlPlane, cronJob: string): Promise<JobObject> {
  const name = `e2e-${++jobCounter}`;
  return JSON.parse(await cluster.kubectlOk(['create', 'job', name, `--from=cronjob/${cronJob}`, '-n', 'velero', '--dry-run=client', '-o', 'json'])) as JobObject;
}

/** Creates a Job; resolves with kubectl's exit code and error text. */
async function createJob(cluster: ControlPlane, job: unknown, identity = PERSON) {
  return cluster.kubectl(['create', '-n', 'velero', '-f', '-', '-o', 'name'], { input: JSON.stringify(job), ...identity });
}

/** Creates a Job that must be admitted, retrying while a binding's parameter informer has not seen its CronJob yet. */
async function expectAdmitted(cluster: ControlPlane, job: JobObject, identity = PERSON): Promise<void> {
  let last = '';
  await waitFor(
    async () => {
      const result = await createJob(cluster, job, identity);
      last = result.stderr;
      return result.code === 0;
    },
    { timeoutMs: 30_000, intervalMs: 1_000, describe: () => `Job ${job.metadata.name} was denied: ${last}` },
  );
  await cluster.kubectlOk(['delete', 'job', job.metadata.name, '-n', 'velero', '--wait=false']);
}

async function expectDenied(cluster: ControlPlane, job: unknown, reason: RegExp, identity = PERSON): Promise<void> {
  let result = await createJob(cluster, job, identity);
  // A binding whose parameter informer has not seen its CronJob yet denies for that reason instead.
  for (let attempt = 0; attempt < 30 && /no params found/.test(result.stderr); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    result = await createJob(cluster, job, identity);
  }
  expect(result.code, `expected a denial, but the Job was admitted: ${result.stdout}`).not.toBe(0);
  expect(result.stderr).toMatch(reason);
}

async function cronJobNames(cluster: ControlPlane): Promise<string[]> {
  return (await cluster.kubectlOk(['get', 'cronjobs', '-n', 'velero', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').filter(Boolean).sort();
}

beforeAll(async () => {
  for (const name of clusterNames) {
    const cluster = await run.cluster(name);
    await installCrds(cluster, upstreamCrdsFor(path.join(generated, 'clusters', name)));
    await createNamespaces(cluster, path.join(generated, 'clusters', name));
    clusters.set(name, cluster);
  }
});

describe.each(clusterNames)('cluster %s synced as Argo CD would (Argo CD itself does not run here)', (name) => {
  it('applies every wave with strict server-side apply, reads every object back unchanged, and each wave is healthy by Argo CD v3.5.1 health scripts (hook pods run on the host: no kubelet)', async () => {
    const cluster = clusters.get(name)!;
    const synced = await syncFolder({
      cluster,
      folder: path.join(generated, 'clusters', name),
      health,
      // No Sealed Secrets controller runs in this scenario: SealedSecrets stay Progressing (never Degraded).
      controllersNotRunning: new Set(['bitnami.com/SealedSecret']),
      runHook: hooksOnHost({ cluster, kubectlDir: path.dirname(run.binaries.kubectl), workDir: path.join(run.runDir, 'pods') }),
    });
    expect(synced.length).toBe(readFolder(path.join(generated, 'clusters', name)).filter((m) => !isHook(m)).length);
    expect(synced.filter((s) => s.health.status === 'Degraded')).toEqual([]);
    // The root Application and AppProject are valid against Argo CD's own CRDs.
    await cluster.kubectlOk(['apply', '--server-side', '--validate=strict', '-f', path.join(generated, 'argocd', name)]);
  });

  it('every ValidatingAdmissionPolicy type-checks on the API server and is bound, and every binding names a policy', async () => {
    const cluster = clusters.get(name)!;
    type Policy = { metadata: { name: string; generation: number }; status?: { observedGeneration?: number; typeChecking?: { expressionWarnings?: { fieldRef: string; warning: string }[] } } };
    let policies: Policy[] = [];
    await waitFor(
      async () => {
        policies = (JSON.parse(await cluster.kubectlOk(['get', 'validatingadmissionpolicies', '-o', 'json'])) as { items: Policy[] }).items;
        return policies.every((p) => p.status?.observedGeneration === p.metadata.generation);
      },
      { timeoutMs: 60_000, describe: () => 'the API server did not type-check every ValidatingAdmissionPolicy within 60 s' },
    );
    expect(policies.length).toBeGreaterThan(0);
    expect(policies.flatMap((p) => (p.status?.typeChecking?.expressionWarnings ?? []).map((w) => `${p.metadata.name} ${w.fieldRef}: ${w.warning}`))).toEqual([]);

    const bindings = (JSON.parse(await cluster.kubectlOk(['get', 'validatingadmissionpolicybindings', '-o', 'json'])) as { items: { metadata: { name: string }; spec: { policyName: string } }[] }).items;
    const policyNames = new Set(policies.map((p) => p.metadata.name));
    const bound = new Set(bindings.map((b) => b.spec.policyName));
    expect(policies.map((p) => p.metadata.name).filter((p) => !bound.has(p)), 'policies without a binding are never evaluated').toEqual([]);
    expect(bindings.filter((b) => !policyNames.has(b.spec.policyName)).map((b) => b.metadata.name)).toEqual([]);
  });
});

describe.each(clusterNames)('admission on cluster %s, as the API server decides it', (name) => {
  it('admits a Job created from each runner, drill and backup CronJob by a person', async () => {
    const cluster = clusters.get(name)!;
    const names = await cronJobNames(cluster);
    expect(names.length).toBeGreaterThan(0);
    for (const cronJob of names) await expectAdmitted(cluster, await jobFromCronJob(cluster, cronJob));
  });

  it('denies a person the same Job with another image, command, env or ServiceAccount', async () => {
    const cluster = clusters.get(name)!;
    for (const cronJob of await cronJobNames(cluster)) {
      const image = await jobFromCronJob(cluster, cronJob);
      image.spec.template.spec.containers[0]!.image = 'docker.io/library/busybox:1.37';
      const command = await jobFromCronJob(cluster, cronJob);
      command.spec.template.spec.containers[0]!.command = ['/bin/sh', '-c', 'kubectl get secrets -A -o yaml'];
      const env = await jobFromCronJob(cluster, cronJob);
      env.spec.template.spec.containers[0]!.env = [...(env.spec.template.spec.containers[0]!.env ?? []), { name: 'KUBECONFIG', value: '/home/x/config' }];
      const velero = await jobFromCronJob(cluster, cronJob);
      velero.spec.template.spec.serviceAccountName = 'velero';
      for (const job of [image, command, env]) await expectDenied(cluster, job, /created from its CronJob/);
      await expectDenied(cluster, velero, /denied/);
    }
  });

  it("admits a Job without a ServiceAccount from a person, and a Job shaped like Velero's repository maintenance from Velero's ServiceAccount", async () => {
    const cluster = clusters.get(name)!;
    const plain = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'e2e-plain' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'docker.io/library/busybox:1.37', command: ['true'] }] } } },
    };
    await expectAdmitted(cluster, plain as unknown as JobObject);
    const maintenance = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'default-kopia-abcde-maintain-job-1765000000', labels: { 'velero.io/repo-name': 'default-kopia-abcde' } },
      spec: {
        backoffLimit: 3,
        template: {
          metadata: { labels: { 'velero.io/repo-name': 'default-kopia-abcde' } },
          spec: {
            serviceAccountName: 'velero',
            restartPolicy: 'Never',
            containers: [{ name: 'velero-repo-maintenance-container', image: 'velero/velero:v1.18.1', command: ['/velero'], args: ['repo-maintenance', '--repo-name=default'] }],
          },
        },
      },
    };
    await expectAdmitted(cluster, maintenance as unknown as JobObject, VELERO_SERVER);
  });

  it('denies a person a Job as the velero ServiceAccount (also through the deprecated serviceAccount field) or as a runner without its CronJob label', async () => {
    const cluster = clusters.get(name)!;
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'e2e-as-velero' },
      spec: { template: { spec: { serviceAccountName: 'velero', restartPolicy: 'Never', containers: [{ name: 'c', image: 'docker.io/library/busybox:1.37' }] } } },
    };
    await expectDenied(cluster, job, /not a Job as ServiceAccount velero/);
    // The deprecated alias is defaulted into serviceAccountName before admission: no way around.
    const alias = { ...job, metadata: { name: 'e2e-as-velero-alias' }, spec: { template: { spec: { serviceAccount: 'velero', restartPolicy: 'Never', containers: [{ name: 'c', image: 'docker.io/library/busybox:1.37' }] } } } };
    await expectDenied(cluster, alias, /not a Job as ServiceAccount velero/);
    // A runner's ServiceAccount without the label that makes its CronJob's binding compare the Job.
    const unlabelled = await jobFromCronJob(cluster, (await cronJobNames(cluster))[0]!);
    delete unlabelled.metadata.labels;
    await expectDenied(cluster, unlabelled, /people may only start restorable runners here/);
  });

  it('deleting one CronJob blocks nothing but Jobs claiming to come from it', async () => {
    const cluster = clusters.get(name)!;
    const [doomed, ...others] = await cronJobNames(cluster);
    const orphan = await jobFromCronJob(cluster, doomed!);
    await cluster.kubectlOk(['delete', 'cronjob', doomed!, '-n', 'velero']);
    try {
      // The parameter informer of the bindings lags the deletion: wait until the orphan is denied.
      await waitFor(async () => (await createJob(cluster, orphan)).code !== 0, {
        timeoutMs: 30_000,
        intervalMs: 1_000,
        describe: () => `a Job from the deleted CronJob ${doomed} is still admitted`,
      });
      for (const other of others) await expectAdmitted(cluster, await jobFromCronJob(cluster, other));
      await expectAdmitted(cluster, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'e2e-plain-after' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'docker.io/library/busybox:1.37' }] } } } } as unknown as JobObject);
    } finally {
      const file = readFolder(path.join(generated, 'clusters', name)).find((m) => m.kind === 'CronJob' && m.metadata.name === doomed)!;
      await cluster.kubectlOk(['apply', '--server-side', '--field-manager=argocd-controller', '-f', path.join(generated, 'clusters', name, file.file)]);
    }
  });
});
