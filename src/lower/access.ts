import type { ClusterModel, PolicyModel } from '../model/types.ts';
import { boundPolicy, inNamespace } from './admission.ts';
import { emit, type LowerContext, type Manifest } from './context.ts';
import { JOB_TEMPLATE_LABEL, MANAGED_BY, policyLabels, SINGLE_RUN } from './labels.ts';
import { kubectlPodSpec } from './pod-security.ts';
import { type RbacRule, type RbacSubject, roleWithBinding, serviceAccount } from './rbac.ts';
import { backupNowScript } from './pre-sync-backup.ts';
import { jobTemplateBinding } from './restore/access.ts';
import { jobName, runByAnnotation } from './restore/jobs.ts';

/** `group:x` / `user:y` as an RBAC subject; undefined when malformed (a rule reports it). */
export function rbacSubject(subject: string): { kind: 'Group' | 'User'; apiGroup: string; name: string } | undefined {
  const match = /^(group|user):(.+)$/.exec(subject);
  if (!match) return undefined;
  return { kind: match[1] === 'group' ? 'Group' : 'User', apiGroup: 'rbac.authorization.k8s.io', name: match[2]! };
}

/** People and groups as RoleBinding subjects, each once, sorted; malformed ones are left to a rule. */
const subjectsOf = (list: readonly string[]): RbacSubject[] =>
  [...new Set(list)]
    .sort()
    .map(rbacSubject)
    .filter((s): s is NonNullable<ReturnType<typeof rbacSubject>> => s !== undefined)
    .map(({ kind, name }) => ({ kind, name }));

/**
 * Read access to Velero's objects. RBAC cannot filter by label, so a policy's view group reads the
 * Backups, Schedules and Restores of every policy on the cluster, not only its own (said in README);
 * never DownloadRequests (a signed URL to a whole backup, Secrets included).
 */
const VIEW_RULE: RbacRule = { apiGroup: 'velero.io', resources: ['backups', 'backupstoragelocations', 'restores', 'schedules'], verbs: ['get', 'list', 'watch'] };

/** Rights to run one CronJob by hand (`kubectl create job --from=cronjob/<name>`) and follow it. */
const runJobRules = (cronJob: string): RbacRule[] => [
  { apiGroup: 'batch', resources: ['cronjobs'], verbs: ['get'], names: [cronJob] },
  { apiGroup: 'batch', resources: ['jobs'], verbs: ['create', 'get', 'list', 'watch'] },
  { apiGroup: '', resources: ['pods'], verbs: ['get', 'list'] },
  { apiGroup: '', resources: ['pods/log'], verbs: ['get'] },
];

/** A Role in Velero's namespace and its binding to people and groups. */
function grantToPeople(ctx: LowerContext, name: string, labels: Record<string, string>, rules: readonly RbacRule[], subjects: readonly RbacSubject[]): void {
  roleWithBinding(ctx, { name, namespace: ctx.cluster.veleroNamespace, labels }, rules, subjects);
}

/**
 * Human access from each policy's `access`, bound to groups and users, never to everyone:
 * - view: read Velero's backups, schedules, restores and storage locations;
 * - restore: run the restore runner of each plan restoring the policy, on the plan's cluster;
 * - backup: run an on-demand backup job (a suspended CronJob that takes one backup of the policy).
 * Jobs humans create in Velero's namespace are admitted only as exact copies of a restorable
 * CronJob (see restorable-human-jobs and restorable-job-template).
 */
export function lowerAccess(ctx: LowerContext): void {
  let humansRunJobs = false;
  if (ctx.cluster.viewers.length > 0) {
    grantToPeople(ctx, 'restorable-view', { ...MANAGED_BY }, [VIEW_RULE], subjectsOf(ctx.cluster.viewers));
  }
  for (const policy of ctx.model.policies) {
    const labels = policyLabels(policy.name);
    if (policy.cluster === ctx.cluster.name && policy.access.view.length > 0) {
      grantToPeople(
        ctx,
        `restorable-view-${policy.name}`,
        labels,
        [VIEW_RULE],
        subjectsOf(policy.access.view),
      );
    }
    if (policy.cluster === ctx.cluster.name && policy.access.backup.length > 0 && ctx.cluster.images.kubectl && policy.schedules.length > 0) {
      emitOnDemandBackup(ctx, policy);
      grantToPeople(ctx, `restorable-backup-${policy.name}`, labels, runJobRules(`backup-${policy.name}`), subjectsOf(policy.access.backup));
      humansRunJobs = true;
    }
  }
  const pins = new Map<string, string[]>();
  for (const plan of ctx.model.restorePlans) {
    if (plan.to !== ctx.cluster.name || plan.steps.length === 0 || !ctx.cluster.images.kubectl) continue;
    const restorers = ctx.model.policies.filter((p) => plan.from.includes(p.name)).flatMap((p) => p.access.restore);
    const subjects = subjectsOf(restorers);
    if (subjects.length === 0) continue;
    const runner = jobName(plan, 'run');
    const pin = `restore-${plan.name}-pin`;
    pins.set(pin, [...new Set(restorers)].sort());
    grantToPeople(
      ctx,
      `restorable-restore-${plan.name}`,
      { ...MANAGED_BY, 'restorable.dev/plan': plan.name },
      [
        ...runJobRules(runner),
        { apiGroup: '', resources: ['configmaps'], verbs: ['get'], names: [`restore-${plan.name}-last-run`, pin] },
        // The runbook's steps: see which backups exist and how restores went (no DownloadRequests: no logs, no contents).
        { apiGroup: 'velero.io', resources: ['backups', 'restores'], verbs: ['get', 'list'] },
        // Pinning a backup: RBAC cannot limit create to a name; restorable-restore-pins does.
        { apiGroup: '', resources: ['configmaps'], verbs: ['create'] },
        { apiGroup: '', resources: ['configmaps'], verbs: ['update', 'patch', 'delete'], names: [pin] },
      ],
      subjects,
    );
    humansRunJobs = true;
  }
  if (humansRunJobs) for (const object of humanJobsPolicy(ctx.cluster)) emit(ctx, object as unknown as Manifest);
  if (pins.size > 0) for (const object of pinPolicy(ctx.cluster, pins)) emit(ctx, object as unknown as Manifest);
}

/** A suspended CronJob that takes one backup of the policy when someone creates a Job from it. */
function emitOnDemandBackup(ctx: LowerContext, policy: PolicyModel): void {
  const name = `backup-${policy.name}`;
  const namespace = ctx.cluster.veleroNamespace;
  const labels = { ...policyLabels(policy.name), 'restorable.dev/role': 'on-demand-backup' };
  const account = serviceAccount(ctx, { name, namespace, labels });
  roleWithBinding(ctx, { name, namespace, labels }, [{ apiGroup: 'velero.io', resources: ['backups'], verbs: ['create', 'get'] }], [account]);
  emit(ctx, {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace, labels, ...runByAnnotation(policy.access.backup) },
    spec: {
      schedule: '0 0 1 1 *',
      suspend: true,
      concurrencyPolicy: 'Forbid',
      jobTemplate: {
        metadata: { labels: { ...labels, [JOB_TEMPLATE_LABEL]: name } },
        spec: {
          ...SINGLE_RUN,
          backoffLimit: 0,
          activeDeadlineSeconds: 7200,
          template: {
            metadata: { labels },
            spec: kubectlPodSpec({
              serviceAccountName: name,
              image: ctx.cluster.images.kubectl,
              containerName: 'backup',
              command: ['/bin/sh', '-c', backupNowScript(namespace, policy, 6600, 'on-demand')],
            }),
          },
        },
      },
    },
  });
  emit(ctx, jobTemplateBinding(name, ctx.cluster, labels) as unknown as Manifest);
}

/**
 * What people may run in Velero's namespace, where RBAC lets restore and backup groups create Jobs
 * (RBAC cannot narrow a Job's contents): Jobs as the namespace's `default` ServiceAccount, which has
 * no rights, or restorable's runners, and those only carrying the job-template label that names
 * their own ServiceAccount's CronJob, so that CronJob's binding compares them with its template.
 * Any other ServiceAccount (Velero's own above all) is refused. System identities are not matched:
 * Velero creates its repository-maintenance Jobs here, and the CronJob controller creates drills.
 * Only CREATE is matched: a Job's pod template is immutable.
 */
function humanJobsPolicy(cluster: ClusterModel): Record<string, unknown>[] {
  const account = 'object.spec.template.spec.serviceAccountName';
  return boundPolicy({
    name: 'restorable-human-jobs',
    labels: MANAGED_BY,
    match: inNamespace(cluster.veleroNamespace, { apiGroup: 'batch', resource: 'jobs', operations: ['CREATE'] }),
    matchConditions: [{ name: 'people-only', expression: "!request.userInfo.username.startsWith('system:')" }],
    variables: [{ name: 'account', expression: `has(${account}) ? ${account} : 'default'` }],
    validations: [
      {
        expression: [
          "variables.account == 'default' ||",
          "(['restore-', 'drill-', 'backup-'].exists(p, variables.account.startsWith(p)) &&",
          ` has(object.metadata.labels) && '${JOB_TEMPLATE_LABEL}' in object.metadata.labels && object.metadata.labels['${JOB_TEMPLATE_LABEL}'] == variables.account)`,
        ].join(' '),
        messageExpression: `'people may only start restorable runners here (kubectl create job --from=cronjob/<restore-|drill-|backup-...>), not a Job as ServiceAccount ' + variables.account`,
      },
    ],
  });
}

/**
 * Restore groups may create ConfigMaps in Velero's namespace to pin a backup for their runner, and
 * RBAC cannot limit create to a name. This policy lets people (not the cluster's own identities or
 * admins) create, change or delete there only the pin ConfigMap of a plan they may run, without
 * labels (Velero selects its plugin configuration by label, so an unlabelled ConfigMap is inert).
 */
function pinPolicy(cluster: ClusterModel, pins: ReadonlyMap<string, readonly string[]>): Record<string, unknown>[] {
  const table = `{${[...pins].map(([pin, subjects]) => `'${pin}': [${subjects.map((s) => JSON.stringify(s)).join(', ')}]`).join(', ')}}`;
  return boundPolicy({
    name: 'restorable-restore-pins',
    labels: MANAGED_BY,
    match: inNamespace(cluster.veleroNamespace, { apiGroup: '', resource: 'configmaps', operations: ['CREATE', 'UPDATE', 'DELETE'] }),
    matchConditions: [
      { name: 'people-only', expression: "!request.userInfo.username.startsWith('system:') && !('system:masters' in request.userInfo.groups)" },
    ],
    variables: [{ name: 'pins', expression: table }],
    validations: [
      {
        expression:
          "request.name in variables.pins && variables.pins[request.name].exists(s, s == 'user:' + request.userInfo.username || (s.startsWith('group:') && s.substring(6) in request.userInfo.groups))",
        messageExpression: "'people may only write the pin ConfigMap of a plan they may run here, not ' + request.name",
      },
      {
        expression: "request.operation == 'DELETE' || !has(object.metadata.labels) || object.metadata.labels.size() == 0",
        message: 'a pin ConfigMap carries no labels (Velero reads labelled ConfigMaps as its configuration)',
      },
    ],
  });
}
