import yaml from 'js-yaml';
import { shellQuote } from '../../dsl/apps/shell.ts';
import { humanDuration } from '../../model/duration.ts';
import type { Model, PolicyModel, RestorePlanModel } from '../../model/types.ts';
import { normalize } from '../../output/normalize.ts';
import { DUMP_SCHEMA } from '../../output/yaml.ts';
import { formatQuantity } from '../../model/quantity.ts';
import { policyNamed, sourcesOf } from '../../model/policy-index.ts';
import { replicaLags } from '../../model/replica-location.ts';
import { HOOK_TIMEOUT_MARGIN } from '../../model/restore-plan.ts';
import { estimatedRestoreSeconds } from '../../rules/restore-plans.ts';
import { jobName, pinName } from './jobs.ts';
import { modifiersDocument } from './plan-config.ts';
import { BACKUP_PLACEHOLDER, RUN_PLACEHOLDER, restoreManifest } from './restore-spec.ts';

/**
 * The runbook of every plan, in `runbooks/<cluster>/<plan>/` (never synced by Argo CD): a README
 * with the exact commands, the expected duration and what to check after each step, and the
 * numbered Restore templates the runner uses, for restoring by hand when the runner cannot run.
 */
export function runbookFiles(model: Model): Map<string, string> {
  const files = new Map<string, string>();
  const clusters = new Map(model.clusters.map((c) => [c.name, c]));
  for (const plan of model.restorePlans) {
    const cluster = clusters.get(plan.to);
    if (!cluster || plan.steps.length === 0) continue;
    const folder = `runbooks/${plan.to}/${plan.name}`;
    const hasModifiers = modifiersDocument(plan, model.policies, 'run') !== undefined;
    for (const step of plan.steps) {
      const manifest = normalize(restoreManifest(plan, step, 'run', hasModifiers, cluster.veleroNamespace));
      files.set(`${folder}/${String(step.index).padStart(2, '0')}-${step.name}.yaml`, yaml.dump(manifest, { schema: DUMP_SCHEMA, lineWidth: -1, noRefs: true }));
    }
    files.set(`${folder}/README.md`, runbookReadme(plan, model.policies, cluster.veleroNamespace, replicaNotes(model, plan, replicaLags(model, cluster, plan))));
  }
  return files;
}

/** An argument as a reader pastes it into a shell: bare when safe, single-quoted otherwise. */
function quoteIfNeeded(argument: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(argument) ? argument : shellQuote(argument);
}

/** Per policy read from a replica or a geo-redundant copy, what the runbook says about it: where it reads, and why the newest backups wait. */
function replicaNotes(model: Model, plan: RestorePlanModel, lags: Readonly<Record<string, number>>): string[] {
  return plan.from.flatMap((name) => {
    const lag = lags[name];
    const storage = model.storages.find((s) => s.name === policyNamed(model.policies, name)?.storage);
    if (lag === undefined || !storage) return [];
    const replica = storage.replica;
    if (replica) {
      return [
        `   Policy \`${name}\` is read from the replica of storage \`${storage.name}\` (bucket \`${replica.bucket}\` in ${replica.region}, copied up to ${replica.lag.text} late): location \`${storage.name}\` on this cluster points there, and \`velero backup-location get ${storage.name}\` must say Available. The runner restores the newest backup completed at least ${replica.lag.text} ago: replication copies objects one by one, so a newer backup can be listed before all of its data has arrived. A pinned backup younger than that is restored with a warning.`,
      ];
    }
    const geo = storage.geoRedundancy;
    if (!geo) return [];
    const wait = `The runner restores the newest backup completed at least ${geo.lag.text} ago: the copy to the other region is asynchronous, so a newer backup can be listed before all of its data has arrived. A pinned backup younger than that is restored with a warning.`;
    if (geo.provider === 'azure') {
      return [
        `   Policy \`${name}\` is read from storage account \`${storage.config.storageAccount ?? ''}\` (${geo.redundancy}, copied to its secondary region up to ${geo.lag.text} late). If its primary region is lost, fail the account over to its secondary region first: \`az storage account failover --name ${storage.config.storageAccount ?? ''} --resource-group ${storage.config.resourceGroup ?? ''}\`; its endpoints then point at the secondary, and \`velero backup-location get ${storage.name}\` must say Available. ${wait}`,
      ];
    }
    return [
      `   Policy \`${name}\` is read from bucket \`${storage.bucket}\` (location ${geo.location}, copied to its other region up to ${geo.lag.text} late): nothing to fail over, the bucket serves from the surviving region, and \`velero backup-location get ${storage.name}\` must say Available. ${wait}`,
    ];
  });
}

function runbookReadme(plan: RestorePlanModel, policies: readonly PolicyModel[], ns: string, replicas: readonly string[] = []): string {
  const sources = sourcesOf(policies, plan.from);
  const estimate = estimatedRestoreSeconds(plan, sources);
  const runner = jobName(plan, 'run');
  const targets = Object.entries(plan.namespaceMapping).map(([s, t]) => (s === t ? `\`${t}\`` : `\`${s}\` -> \`${t}\``));
  const lines = [
    `# Runbook: ${plan.name}`,
    '',
    `Generated by restorable from the policies; do not edit. Scenario: **${plan.scenario}**, mode: **${plan.mode}**, into cluster **${plan.to}**.`,
    `RTO: **${plan.rto.text}**${estimate === undefined ? '' : `; estimated restore time ${humanDuration(Math.ceil(estimate / 60) * 60)} (declared data ${formatQuantity(plan.dataSizeBytes ?? 0)})`}.`,
    `Restores policies ${sources.map((s) => `\`${s.name}\` (RPO ${s.rpo.text}, volumes ${s.volumes})`).join(', ')} into ${targets.join(', ')}.`,
    '',
    '## Before you start',
    '',
    `1. Point kubectl at cluster \`${plan.to}\` and check Velero sees the backups: \`velero backup get -l restorable.dev/policy=${sources[0]?.name ?? ''}\`.`,
    ...replicas,
  ];
  if (plan.mode === 'full') {
    lines.push(
      '2. Pause Argo CD auto-sync of the applications that deploy into the restored namespaces, so it does not fight the restore (restorable\'s own application stays on):',
      '   ```sh',
      `   kubectl -n argocd patch application <team-app> --type merge -p '{"spec":{"syncPolicy":{"automated":null}}}'`,
      '   ```',
      '   Re-enable it after the checks pass (`argocd app set <team-app> --sync-policy automated`).',
      `   The target namespaces (${targets.join(', ')}) must hold no PersistentVolumeClaims and no StatefulSets: if Argo CD already recreated them, delete them (or the namespace) now. Velero skips existing claims, leaves them empty and still reports the Restore Completed, so the runner refuses and records why.`,
    );
  } else {
    lines.push(
      '2. Data-only: the target namespaces must have no PersistentVolumeClaims (Velero silently skips existing ones; the runner refuses). Let Argo CD redeploy the workloads after the data is back.',
    );
  }
  lines.push(
    `3. To restore a specific backup instead of the newest${plan.pointInTime === 'latest' ? '' : ` ${plan.pointInTime}`} one, pin it: \`kubectl -n ${ns} create configmap ${pinName(plan)} --from-literal=<policy>=<backup-name>\`. Only the runner reads the pin; drills always restore the newest backup.`,
    '',
    '## Run it',
    '',
    '```sh',
    `kubectl -n ${ns} create job --from=cronjob/${runner} ${runner}-$(date +%s)`,
    `kubectl -n ${ns} logs -f job/<that job>`,
    '```',
    '',
    `The runner resolves one backup per policy, runs the steps below in order (each a Velero Restore, waited for until Completed; Failed or PartiallyFailed stops the run with Velero's reason), runs the checks, and records the outcome in ConfigMap \`restore-${plan.name}-last-run\`.`,
    '',
    '## Steps',
    '',
    '| # | step | after | restores | check afterwards |',
    '|---|---|---|---|---|',
  );
  for (const step of plan.steps) {
    const what =
      step.origin === 'config-and-storage'
        ? `configuration and storage, without selector: ${step.resources.join(', ')}`
        : step.origin === 'remainder'
          ? 'everything the steps before did not restore'
          : [
              step.selector ? `labels ${Object.entries(step.selector).map(([k, v]) => `${k}=${v}`).join(',')}` : 'everything not restored before',
              step.resources.length > 0 ? `resources ${step.resources.join(', ')}` : '',
            ]
              .filter(Boolean)
              .join('; ');
    // Not `describe --details`: it reads logs through a DownloadRequest, which nobody is granted.
    const target = Object.values(plan.namespaceMapping)[0] ?? '';
    const check =
      step.hooks.length > 0
        ? `restore hooks ran (\`kubectl -n ${ns} get restore <restore> -o jsonpath='{.status.hookStatus}'\`)`
        : step.origin === 'config-and-storage'
          ? `\`kubectl get pvc -n ${target}\` are there (Bound, or Pending until their data is back)`
          : `\`kubectl get pods -n ${target}\` are Running`;
    lines.push(`| ${step.index} | ${step.name} | ${step.after.join(', ') || '-'} | ${what} | ${check} |`);
  }
  lines.push('', hookTimeoutNote(plan, estimate), '', '## Checks', '');
  if (plan.checks.length === 0) lines.push('No checks are declared: verify the application by hand.');
  for (const check of plan.checks) {
    lines.push(
      check.type === 'exec'
        ? `- **${check.name}**: \`kubectl exec -n ${plan.namespaceMapping[check.namespace] ?? check.namespace} <pod with ${Object.entries(check.selector).map(([k, v]) => `${k}=${v}`).join(',')}> ${check.container ? `-c ${check.container} ` : ''}-- ${check.argv.map(quoteIfNeeded).join(' ')}\``
        : `- **${check.name}**: \`kubectl get --raw /api/v1/namespaces/${plan.namespaceMapping[check.namespace] ?? check.namespace}/services/${check.service}:${check.port}/proxy${check.path}\``,
    );
  }
  lines.push(
    '',
    '## By hand, if the runner cannot run',
    '',
    'This needs the right to create Velero Restores, which restorable grants nobody: a cluster admin does it.',
    '',
    `Apply the numbered templates in this folder in order, replacing \`${BACKUP_PLACEHOLDER}\` with the backup and \`${RUN_PLACEHOLDER}\` with a run id, waiting for each Restore to be Completed:`,
    '',
    '```sh',
    'backup=<backup-name>; run=$(date -u +%Y%m%d%H%M%S)',
    'for f in $(ls [0-9]*.yaml | sort); do',
    `  restore=$(sed -e "s/${BACKUP_PLACEHOLDER}/$backup/g" -e "s/${RUN_PLACEHOLDER}/$run/g" "$f" | kubectl create -f - -o name) || break`,
    // Not `kubectl wait --for=...=Completed`: it waits out its whole timeout on a Restore that failed.
    `  until phase=$(kubectl -n ${ns} get "$restore" -o jsonpath='{.status.phase}') && case "$phase" in Completed) true ;; Failed | PartiallyFailed | FailedValidation) echo "$restore: $phase"; break 2 ;; *) false ;; esac; do sleep 10; done`,
    'done',
    '```',
    '',
    plan.drill ? `Drilled every ${plan.drill.every} by CronJob \`drill-${plan.name}\` (result in ConfigMap \`drill-${plan.name}-result\`).` : 'This plan has no drill.',
    '',
  );
  return lines.join('\n');
}

/** Which timeouts the restore hooks have, and where they come from. */
function hookTimeoutNote(plan: RestorePlanModel, estimate: number | undefined): string {
  const hooks = plan.steps.flatMap((step) => step.hooks.map((hook, i) => ({ step: step.name, hook, i })));
  if (plan.mode === 'data-only') return 'Data-only: Velero restores no pods, so no restore hook runs; the checks run once Argo CD has redeployed the workloads.';
  if (hooks.length === 0) return 'No restore hooks.';
  const basis =
    plan.hookTimeout.basis === 'estimate' && estimate !== undefined
      ? `the estimated restore time of ${humanDuration(Math.ceil(estimate / 60) * 60)}`
      : `the RTO of ${plan.rto.text} (declare \`dataSize\` to derive it from an estimate)`;
  const each = hooks.map(({ step, hook, i }) => `step \`${step}\`, hook ${i + 1}: waits up to ${humanDuration(hook.waitTimeout.seconds)}, runs up to ${humanDuration(hook.execTimeout.seconds)}`);
  return [
    `Restore hooks wait for their pod and run at least ${humanDuration(plan.hookTimeout.seconds)}: ${HOOK_TIMEOUT_MARGIN} times ${basis}, since a pod whose volume is still being restored (the data mover keeps its claim Pending until the download ends) is not ready, and an expired hook fails the Restore. Declared timeouts that are longer stay.`,
    '',
    ...each.map((line) => `- ${line}`),
  ].join('\n');
}
