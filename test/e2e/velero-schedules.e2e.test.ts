/**
 * restorable's Schedules, storage locations, on-demand backup job and alerts against real Velero
 * v1.18.1 (AWS plugin v1.14.3) writing to a real S3-compatible store: the Velero test organisation
 * (harness/velero-organisation.ts) synced as Argo CD would, its credentials unsealed by the real
 * Sealed Secrets controller. Velero's own cron parser, storage validation, backup controller and
 * metrics decide; no pod runs (the on-demand job's pod runs on the host, and the test says so).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFolder } from './harness/argocd-sync.ts';
import { type JobLike, runJobPodOnHost } from './harness/pod-on-host.ts';
import { waitFor } from './harness/processes.ts';
import { useTestRun } from './harness/test-run.ts';
import { createShop, ORG, startVeleroCluster, type VeleroCluster } from './harness/velero-organisation.ts';

const run = useTestRun('velero-schedules');
let env: VeleroCluster;

beforeAll(async () => {
  env = await startVeleroCluster(run, 'velero-schedules', { beforeSync: createShop });
});
afterAll(async () => {
  await env?.stop();
});

interface Schedule {
  metadata: { name: string; labels: Record<string, string> };
  spec: { schedule: string; template: { ttl: string; storageLocation: string; includedNamespaces: string[]; metadata: { labels: Record<string, string> } } };
  status?: { phase?: string; validationErrors?: string[] };
}
interface Backup {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { ttl?: string; storageLocation?: string; includedNamespaces?: string[] };
  status?: { phase?: string; errors?: number; warnings?: number; completionTimestamp?: string; progress?: { itemsBackedUp?: number } };
}

const generatedSchedules = () => readFolder(env.folder).filter((m) => m.kind === 'Schedule') as unknown as Schedule[];
const getJson = async <T>(args: readonly string[]): Promise<T> => JSON.parse(await env.cluster.kubectlOk([...args, '-o', 'json'])) as T;

describe('restorable output on real Velero v1.18.1 with a real S3-compatible store', () => {
  it("every generated Schedule is Enabled (Velero's cron parser accepted it) and every BackupStorageLocation is Available with the unsealed credentials", async () => {
    const schedules = generatedSchedules();
    expect(schedules.map((s) => s.metadata.name).sort()).toEqual([...ORG.schedules].sort());
    for (const schedule of schedules) {
      const live = await getJson<Schedule>(['get', 'schedules.velero.io', schedule.metadata.name, '-n', 'velero']);
      expect(live.status?.validationErrors ?? [], schedule.metadata.name).toEqual([]);
      expect(live.status?.phase, `${schedule.metadata.name} (${schedule.spec.schedule})`).toBe('Enabled');
    }
    const locations = readFolder(env.folder).filter((m) => m.kind === 'BackupStorageLocation');
    expect(locations.map((l) => l.metadata.name)).toEqual([ORG.storage]);
    for (const location of locations) {
      expect(await env.velero.backupStorageLocationPhase(location.metadata.name)).toBe('Available');
      const spec = (location as unknown as { spec: { credential: { name: string; key: string } } }).spec;
      // The Secret Velero reads is the one the controller unsealed, owned by its SealedSecret.
      const secret = await getJson<{ metadata: { ownerReferences?: { kind: string; name: string }[] }; data?: Record<string, string> }>(['get', 'secret', spec.credential.name, '-n', 'velero']);
      expect(secret.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}`)).toEqual([`SealedSecret/${spec.credential.name}`]);
      expect(Object.keys(secret.data ?? {})).toEqual([spec.credential.key]);
    }
    // restorable's location is the newest default: Velero keeps one default and unsets its installation's.
    expect(await env.cluster.kubectlOk(['get', 'backupstoragelocations.velero.io', ORG.storage, '-n', 'velero', '-o', 'jsonpath={.spec.default}'])).toBe('true');
  });

  it('a Backup from each Schedule (velero backup create --from-schedule) completes with the policy and tier labels, the tier TTL, its storage location and namespaces, and its files sit in the bucket under the storage prefix', async () => {
    for (const schedule of generatedSchedules()) {
      const name = `${schedule.metadata.name}-e2e`;
      const out = await env.velero.cliOk(['backup', 'create', name, `--from-schedule=${schedule.metadata.name}`, '--wait'], { timeoutMs: 240_000 });
      expect(out).toMatch(/Backup completed with status: Completed/);
      const backup = await getJson<Backup>(['get', 'backups.velero.io', name, '-n', 'velero']);
      expect(backup.status?.phase).toBe('Completed');
      expect(backup.status?.errors ?? 0).toBe(0);
      // The shop: its namespace, 2 ConfigMaps, a Secret, 3 ServiceAccounts, a Role and RoleBinding,
      // 2 claims and their 2 volumes, a Deployment, a StatefulSet and 4 Services.
      expect(backup.status?.progress?.itemsBackedUp ?? 0).toBeGreaterThanOrEqual(19);
      expect(backup.metadata.labels).toMatchObject({
        'restorable.dev/policy': ORG.policy,
        'restorable.dev/tier': schedule.metadata.labels['restorable.dev/tier'],
        'velero.io/schedule-name': schedule.metadata.name,
      });
      expect(backup.spec.ttl).toBe(schedule.spec.template.ttl);
      expect(backup.spec.storageLocation).toBe(ORG.storage);
      expect(backup.spec.includedNamespaces).toEqual([ORG.namespace]);
      const keys = await env.store.listObjects(ORG.bucket, `${ORG.prefix}/backups/${name}/`);
      expect(keys).toContain(`${ORG.prefix}/backups/${name}/${name}.tar.gz`);
      expect(keys).toContain(`${ORG.prefix}/backups/${name}/velero-backup.json`);
      // Nothing of restorable's backups lands under the installation's own location.
      expect(await env.store.listObjects(ORG.bucket, `${ORG.installPrefix}/backups/${name}/`)).toEqual([]);
    }
  });

  it('the on-demand backup job (a Job created from backup-shop by the admin, its pod run on the host as its ServiceAccount: no kubelet) takes a Backup that completes', async () => {
    const cronJob = `backup-${ORG.policy}`;
    await env.cluster.kubectlOk(['create', 'job', 'backup-now', `--from=cronjob/${cronJob}`, '-n', 'velero']);
    const job = await getJson<JobLike>(['get', 'job', 'backup-now', '-n', 'velero']);
    expect(job.spec.template.spec.serviceAccountName).toBe(cronJob);
    const result = await runJobPodOnHost(job, { cluster: env.cluster, kubectlDir: env.kubectlDir, workDir: path.join(run.runDir, 'pods'), timeoutMs: 240_000 });
    expect(result.code, result.output).toBe(0);
    const name = /backup (\S+) completed/.exec(result.output)?.[1];
    expect(name, result.output).toBeTruthy();
    const backup = await getJson<Backup>(['get', 'backups.velero.io', name!, '-n', 'velero']);
    expect(backup.status?.phase).toBe('Completed');
    expect(backup.metadata.labels).toMatchObject({ 'restorable.dev/policy': ORG.policy, 'restorable.dev/trigger': 'on-demand' });
    expect(backup.spec.storageLocation).toBe(ORG.storage);
    const finest = generatedSchedules().find((s) => s.metadata.labels['restorable.dev/tier'] === 'hourly')!;
    expect(backup.spec.ttl).toBe(finest.spec.template.ttl);
    expect(await env.store.listObjects(ORG.bucket, `${ORG.prefix}/backups/${name}/`)).toContain(`${ORG.prefix}/backups/${name}/${name}.tar.gz`);
  });

  it("every Velero metric and label that restorable's PrometheusRule alerts use is in Velero's /metrics, for every Schedule of the policy", async () => {
    const rules = readFolder(env.folder).filter((m) => m.kind === 'PrometheusRule' && m.metadata.name === `restorable-${ORG.policy}`);
    expect(rules).toHaveLength(1);
    const expressions = (rules[0] as unknown as { spec: { groups: { rules: { alert: string; expr: string }[] }[] } }).spec.groups.flatMap((g) => g.rules);
    const used = expressions.flatMap((rule) =>
      [...rule.expr.matchAll(/\b(velero_[a-z_]+)\{([^}]*)\}/g)].map((m) => ({
        alert: rule.alert,
        metric: m[1]!,
        // `schedule=~"a|b"`: the label and the values the alert selects.
        matchers: [...m[2]!.matchAll(/([a-zA-Z_]+)\s*(=~|!=|!~|=)\s*"([^"]*)"/g)].map((x) => ({ label: x[1]!, values: x[3]!.split('|') })),
      })),
    );
    expect(used.map((u) => u.alert).sort()).toEqual(expressions.map((r) => r.alert).sort());

    let exposition = '';
    await waitFor(
      async () => {
        const response = await fetch(env.velero.metricsUrl);
        exposition = await response.text();
        // The last successful timestamp of every Schedule is set once its Backup has completed.
        return ORG.schedules.every((s) => exposition.includes(`velero_backup_last_successful_timestamp{schedule="${s}"}`));
      },
      { timeoutMs: 60_000, intervalMs: 2_000, describe: () => `Velero's metrics lack a schedule's last successful timestamp:\n${exposition.split('\n').filter((l) => l.startsWith('velero_backup')).join('\n')}` },
    );
    const samples = exposition
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => {
        const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s/.exec(line);
        const labels = Object.fromEntries([...(match?.[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
        return { metric: match?.[1] ?? '', labels };
      });
    for (const use of used) {
      for (const matcher of use.matchers) {
        expect(matcher.values.sort(), `${use.alert}: ${use.metric}`).toEqual([...ORG.schedules].sort());
        for (const value of matcher.values) {
          expect(
            samples.some((s) => s.metric === use.metric && s.labels[matcher.label] === value),
            `${use.alert} reads ${use.metric}{${matcher.label}="${value}"}, which Velero does not expose`,
          ).toBe(true);
        }
      }
    }
  });

  it("every metric and label value the cluster's restorable-velero alerts read is in Velero's /metrics (storage location status, restore failures); its PodMonitor selects the pods and port velero install renders", async () => {
    const rule = readFolder(env.folder).find((m) => m.kind === 'PrometheusRule' && m.metadata.name === 'restorable-velero') as unknown as
      | { spec: { groups: { rules: { alert: string; expr: string }[] }[] } }
      | undefined;
    expect(rule, 'the restorable-velero PrometheusRule').toBeDefined();
    const alerts = rule!.spec.groups.flatMap((g) => g.rules);
    // The shop has no volumes: no node-agent, so no data-mover or repository alerts to check here.
    expect(alerts.map((a) => a.alert)).toEqual(['RestorableStorageLocationUnavailable', 'RestorableRestoreFailed', 'RestorableRestorePartiallyFailed']);
    const used = alerts.flatMap((a) => [...a.expr.matchAll(/\b(velero_[a-z_]+)(?:\{([^}]*)\})?/g)].map((m) => ({ alert: a.alert, metric: m[1]!, matchers: [...(m[2] ?? '').matchAll(/([a-zA-Z_]+)=~"([^"]*)"/g)].map((x) => ({ label: x[1]!, values: x[2]!.split('|') })) })));
    let exposition = '';
    await waitFor(
      async () => {
        exposition = await (await fetch(env.velero.metricsUrl)).text();
        return exposition.includes(`velero_backup_location_status_gauge{backup_location_name="${ORG.storage}"} 1`);
      },
      { timeoutMs: 60_000, intervalMs: 2_000, describe: () => `Velero's metrics never reported ${ORG.storage} available:\n${exposition.split('\n').filter((l) => l.includes('location')).join('\n')}` },
    );
    const samples = exposition.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    for (const use of used) {
      expect(samples.some((line) => line.startsWith(`${use.metric}{`) || line.startsWith(`${use.metric} `)), `${use.alert} reads ${use.metric}, which Velero does not expose`).toBe(true);
      for (const matcher of use.matchers) {
        for (const value of matcher.values) {
          expect(samples.some((line) => line.startsWith(`${use.metric}{`) && line.includes(`${matcher.label}="${value.replaceAll('\\\\.', '.')}"`)), `${use.alert} reads ${use.metric}{${matcher.label}="${value}"}`).toBe(true);
        }
      }
    }
    const monitor = readFolder(env.folder).find((m) => m.kind === 'PodMonitor' && m.metadata.name === 'restorable-velero-server') as unknown as
      | { spec: { selector: { matchLabels: Record<string, string> }; podMetricsEndpoints: { port: string }[] } }
      | undefined;
    const deployment = env.velero.rendered.find((o) => o.kind === 'Deployment' && o.metadata.name === 'velero') as unknown as {
      spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: { ports?: { name: string; containerPort: number }[] }[] } } };
    };
    expect(deployment.spec.template.metadata.labels).toMatchObject(monitor!.spec.selector.matchLabels);
    const ports = deployment.spec.template.spec.containers.flatMap((c) => c.ports ?? []);
    expect(ports.map((p) => p.name)).toContain(monitor!.spec.podMetricsEndpoints[0]!.port);
  });
});
