import type { ClusterModel, RestorePlanModel } from '../../model/types.ts';
import { boundPolicy } from '../admission.ts';
import { JOB_TEMPLATE_LABEL, RUN_BY_ANNOTATION } from '../labels.ts';
import { jobName, pinName, planLabels } from './jobs.ts';
import { PROBE_LABEL } from './probes.ts';
import { drillNamespace, type RestoreVariant } from './restore-spec.ts';

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
type Manifest = Record<string, unknown> & { kind: string };

/**
 * The drill's scratch namespaces admit traffic only from their own pods and send it only to their
 * own pods and, on port 53, to the cluster DNS: its pods by namespace and labels, and the address
 * ranges of a node-local cache. An open port-53 rule (any destination) would let a restored
 * workload reach any server listening on port 53, or tunnel through a resolver outside.
 */
export function drillNetworkPolicy(dns: ClusterModel['dns']): Manifest {
  const ports = [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'restorable-drill-isolation' },
    spec: {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [
        { to: [{ podSelector: {} }] },
        {
          to: [
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': dns.namespace } }, podSelector: { matchLabels: { ...dns.selector } } },
            ...dns.addresses.map((cidr) => ({ ipBlock: { cidr } })),
          ],
          ports,
        },
      ],
    },
  };
}

/** The ClusterRole a drill binds to itself inside each of its namespaces, and only there. */
export const drillInsideRole = (plan: RestorePlanModel): string => `restorable-${jobName(plan, 'drill')}-inside`;

/** Name of the RoleBinding a drill creates in each of its namespaces. */
const DRILL_BINDING = 'restorable-drill';

/**
 * Exactly what the runner or drill script calls, and nothing else (a test runs the scripts against a
 * recording kubectl and compares). Namespaced rights live in Velero's namespace; rights in the
 * restored namespaces must be cluster-wide because those namespaces do not exist before the restore,
 * and the ValidatingAdmissionPolicies below narrow them to the plan's own namespaces. A drill's
 * reads of what it restored (Secrets among them) are `inside` rights instead: a ClusterRole the
 * drill binds to itself with a RoleBinding in each drill namespace it creates, so they never reach
 * beyond those namespaces and go with them.
 */
export function scriptRules(plan: RestorePlanModel, variant: RestoreVariant): { namespaced: Rule[]; cluster: Rule[]; inside: Rule[] } {
  const result = variant === 'drill' ? `drill-${plan.name}-result` : `restore-${plan.name}-last-run`;
  const checks = variant === 'drill' ? (plan.drill?.checks ?? []) : plan.checks;
  const namespaced: Rule[] = [
    // Only the runner reads a pinned backup by name; drills restore the newest.
    { apiGroups: ['velero.io'], resources: ['backups'], verbs: variant === 'drill' ? ['list'] : ['get', 'list'] },
    { apiGroups: ['velero.io'], resources: ['restores'], verbs: variant === 'drill' ? ['create', 'delete', 'get', 'list'] : ['create', 'get'] },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: variant === 'drill' ? [result] : [pinName(plan), result] },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['patch'], resourceNames: [result] },
    // The first result is created; Kubernetes RBAC cannot limit create to a name.
    { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
  ];
  const cluster: Rule[] = [];
  if (variant === 'drill') {
    cluster.push(
      { apiGroups: [''], resources: ['namespaces'], verbs: ['create', 'delete', 'get', 'list', 'patch'] },
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['create', 'get', 'patch'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'], verbs: ['create'] },
      // Binding a role needs its rights or `bind` on it; `bind` is limited to the drill's own role.
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: [drillInsideRole(plan)] },
    );
  }
  // What the drill verifies without any check (every claim Bound, every workload's references
  // there), and its probe pods (the isolation preflight, HTTP checks).
  const inside: Rule[] =
    variant === 'drill'
      ? [
          { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['list'] },
          { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete', 'get'] },
          { apiGroups: [''], resources: ['configmaps', 'persistentvolumeclaims', 'secrets', 'serviceaccounts'], verbs: ['get'] },
          { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['list'] },
        ]
      : [];
  // The runner refuses to restore over existing claims (and, in full mode, StatefulSets): Velero would skip them.
  if (variant === 'run') {
    cluster.push({ apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['list'] });
    if (plan.mode === 'full') cluster.push({ apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['list'] });
  }
  if (checks.some((c) => c.type === 'exec')) {
    cluster.push({ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }, { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] });
  }
  // A drill's HTTP checks run in probe pods inside its namespaces instead.
  if (variant === 'run' && checks.some((c) => c.type === 'http')) cluster.push({ apiGroups: [''], resources: ['services/proxy'], verbs: ['get'] });
  return { namespaced, cluster, inside };
}

/**
 * The RoleBinding the drill creates in each drill namespace (the namespace is given at creation),
 * granting itself its inside role there. Admission (`restorable-scope-*`) lets it create no other.
 */
export function drillRoleBinding(plan: RestorePlanModel, veleroNamespace: string): Manifest {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: DRILL_BINDING, labels: planLabels(plan, 'drill') },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: drillInsideRole(plan) },
    subjects: [{ kind: 'ServiceAccount', name: jobName(plan, 'drill'), namespace: veleroNamespace }],
  };
}

/** ServiceAccount, Role, RoleBinding, and where needed ClusterRole and ClusterRoleBinding of a job. */
export function jobAccess(plan: RestorePlanModel, cluster: ClusterModel, variant: RestoreVariant): Manifest[] {
  const name = jobName(plan, variant);
  const labels = planLabels(plan, variant);
  const rules = scriptRules(plan, variant);
  const subject = { kind: 'ServiceAccount', name, namespace: cluster.veleroNamespace };
  const objects: Manifest[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: cluster.veleroNamespace, labels } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: cluster.veleroNamespace, labels }, rules: rules.namespaced },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace: cluster.veleroNamespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [subject],
    },
  ];
  if (rules.cluster.length > 0) {
    objects.push(
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `restorable-${name}`, labels }, rules: rules.cluster },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: `restorable-${name}`, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `restorable-${name}` },
        subjects: [subject],
      },
      ...scopePolicy(plan, cluster, variant),
    );
  }
  if (rules.inside.length > 0) {
    // Bound only inside the drill's namespaces, by the drill itself (drillRoleBinding).
    objects.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: drillInsideRole(plan), labels }, rules: rules.inside });
  }
  return objects;
}

/**
 * Narrows the cluster-wide rights of a job to its own namespaces, where RBAC cannot: the drill may
 * create, label and delete only `drill-*` namespaces and touch NetworkPolicies and exec into pods
 * only there; the runner may exec only into the plan's target namespaces.
 */
function scopePolicy(plan: RestorePlanModel, cluster: ClusterModel, variant: RestoreVariant): Manifest[] {
  const name = `restorable-scope-${jobName(plan, variant)}`;
  const user = `system:serviceaccount:${cluster.veleroNamespace}:${jobName(plan, variant)}`;
  const allowed = [...new Set(Object.entries(plan.namespaceMapping).map(([source, target]) => (variant === 'drill' ? drillNamespace(source) : target)))].sort();
  // CEL string literals, escaped: a name must never be able to close the string and add logic.
  const celString = (value: string): string => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  const inAllowed = `[${allowed.map(celString).join(', ')}]`;
  return boundPolicy({
    name,
    labels: planLabels(plan, variant),
    match: {
      resourceRules: [
        { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE', 'DELETE'], resources: ['namespaces'] },
        { apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE', 'DELETE'], resources: ['networkpolicies'] },
        { apiGroups: ['rbac.authorization.k8s.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE', 'DELETE'], resources: ['rolebindings'] },
        { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] },
        { apiGroups: [''], apiVersions: ['v1'], operations: ['CONNECT'], resources: ['pods/exec'] },
      ],
    },
    matchConditions: [{ name: 'only-this-job', expression: `request.userInfo.username == '${user}'` }],
    variables: [{ name: 'binding', expression: 'dyn(object)' }],
    validations: [
      {
        expression: `request.resource.resource == 'namespaces' ? (request.operation == 'DELETE' ? oldObject : object).metadata.name in ${inAllowed} : request.namespace in ${inAllowed}`,
        message: `${jobName(plan, variant)} may only act on its own namespaces: ${allowed.join(', ')}`,
      },
      {
        // The only RoleBinding a drill makes grants its inside role to itself.
        // `variables.binding` is untyped (dyn): the policy also matches namespaces and NetworkPolicies, which have no roleRef.
        expression: `request.resource.resource != 'rolebindings' || request.operation == 'DELETE' || (variables.binding.metadata.name == '${DRILL_BINDING}' && variables.binding.roleRef.kind == 'ClusterRole' && variables.binding.roleRef.name == ${celString(variant === 'drill' ? drillInsideRole(plan) : '')} && has(variables.binding.subjects) && size(variables.binding.subjects) == 1 && variables.binding.subjects.all(s, s.kind == 'ServiceAccount' && s.name == ${celString(jobName(plan, variant))} && has(s.namespace) && s.namespace == ${celString(cluster.veleroNamespace)}))`,
        message: `${jobName(plan, variant)} may only bind its own inside role to itself`,
      },
      {
        // The only pods a job creates are the drill's probes: the cluster's kubectl image, no token,
        // the namespace's default ServiceAccount, scratch volumes only, nothing of the host.
        expression: `request.resource.resource != 'pods' || request.subResource != '' || request.operation != 'CREATE' || (has(variables.binding.metadata.labels) && '${PROBE_LABEL}' in variables.binding.metadata.labels && has(variables.binding.spec.automountServiceAccountToken) && variables.binding.spec.automountServiceAccountToken == false && (!has(variables.binding.spec.serviceAccountName) || variables.binding.spec.serviceAccountName == 'default') && !has(variables.binding.spec.initContainers) && !has(variables.binding.spec.ephemeralContainers) && size(variables.binding.spec.containers) == 1 && variables.binding.spec.containers.all(c, c.image == ${celString(cluster.images.kubectl ?? '')}) && (!has(variables.binding.spec.volumes) || variables.binding.spec.volumes.all(v, has(v.emptyDir))) && !has(variables.binding.spec.hostNetwork) && !has(variables.binding.spec.hostPID) && !has(variables.binding.spec.hostIPC))`,
        message: `${jobName(plan, variant)} may only create its probe pods: the cluster's kubectl image, no ServiceAccount token, scratch volumes only`,
      },
    ],
  }) as Manifest[];
}

/** Labels the Job controller adds to a Job's pod template on creation (before admission). */
const JOB_CONTROLLER_LABELS = ['batch.kubernetes.io/controller-uid', 'batch.kubernetes.io/job-name', 'controller-uid', 'job-name'];

/**
 * Anyone who may create Jobs in Velero's namespace could run any pod as the runner, or run another
 * plan's runner. This policy admits a Job that claims to come from a restorable CronJob (its
 * job-template label, which the human-jobs policy requires for restorable ServiceAccounts) only
 * when it is that CronJob's Job, as `kubectl create job --from=cronjob/...` makes it:
 * - a person may start it only when named in the CronJob's run-by annotation (a group of theirs
 *   or their user name); system identities (the CronJob controller for scheduled drills, Argo CD's
 *   controller and server for hooks and the `create-job` action) and cluster admins may as well;
 * - the pod spec equals the template's, the Job-level fields that change how it runs equal the
 *   template's, and the pod's labels are the template's plus the Job controller's own.
 * Only CREATE is matched: a Job's pod template is immutable, and updates (status, labels) by the
 * Job controller must never depend on a parameter.
 */
export function jobTemplatePolicy(cluster: ClusterModel): Manifest {
  const template = 'params.spec.jobTemplate.spec';
  const jobFields = ['parallelism', 'completions', 'backoffLimit', 'activeDeadlineSeconds']
    .map((f) => `(has(object.spec.${f}) ? object.spec.${f} : -1) == (has(${template}.${f}) ? ${template}.${f} : -1)`)
    .join(' && ');
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: 'restorable-job-template', labels: { 'app.kubernetes.io/managed-by': 'restorable' } },
    spec: {
      failurePolicy: 'Fail',
      paramKind: { apiVersion: 'batch/v1', kind: 'CronJob' },
      matchConstraints: {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': cluster.veleroNamespace } },
        resourceRules: [{ apiGroups: ['batch'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['jobs'] }],
      },
      variables: [
        {
          name: 'runBy',
          expression: `has(params.metadata.annotations) && '${RUN_BY_ANNOTATION}' in params.metadata.annotations ? params.metadata.annotations['${RUN_BY_ANNOTATION}'].split(',') : []`,
        },
        {
          name: 'podLabels',
          expression: 'has(object.spec.template.metadata) && has(object.spec.template.metadata.labels) ? object.spec.template.metadata.labels : {}',
        },
        {
          name: 'templateLabels',
          expression: `has(${template}.template.metadata) && has(${template}.template.metadata.labels) ? ${template}.template.metadata.labels : {}`,
        },
      ],
      validations: [
        {
          expression: [
            "request.userInfo.username.startsWith('system:') || 'system:masters' in request.userInfo.groups ||",
            "variables.runBy.exists(s, s == 'user:' + request.userInfo.username || (s.startsWith('group:') && s.substring(6) in request.userInfo.groups))",
          ].join(' '),
          messageExpression: `'only ' + (variables.runBy.size() == 0 ? 'the cluster (on schedule)' : variables.runBy.join(', ')) + ' may start ' + params.metadata.name`,
        },
        {
          // dyn(): the two pod specs are distinct schema types to the type checker, which has no `==`
          // between them (the API server reports that in status.typeChecking); compared dynamically, they are equal field by field.
          expression: `dyn(object.spec.template.spec) == dyn(${template}.template.spec) && ${jobFields}`,
          message: 'a Job running as a restorable runner or drill must be created from its CronJob (kubectl create job --from=cronjob/<name>)',
        },
        {
          expression: [
            `variables.podLabels.all(k, k in ${JSON.stringify(JOB_CONTROLLER_LABELS).replaceAll('"', "'")} || (k in variables.templateLabels && variables.templateLabels[k] == variables.podLabels[k]))`,
            '&& variables.templateLabels.all(k, k in variables.podLabels && variables.podLabels[k] == variables.templateLabels[k])',
          ].join(' '),
          message: "the pod of a Job created from a restorable CronJob carries exactly the template's labels (and the Job controller's)",
        },
      ],
    },
  };
}

/**
 * Binds the job-template policy to one CronJob (by name, in Velero's namespace), for the Jobs that
 * carry its job-template label only. The API server resolves the parameter before anything else,
 * so without this selector a missing CronJob (first sync, a pruned drill) would deny every Job in
 * the namespace, Velero's own included; with it, only Jobs claiming to come from that CronJob are.
 */
export function jobTemplateBinding(name: string, cluster: ClusterModel, labels: Record<string, string>): Manifest {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: `restorable-job-template-${name}`, labels },
    spec: {
      policyName: 'restorable-job-template',
      paramRef: { name, namespace: cluster.veleroNamespace, parameterNotFoundAction: 'Deny' },
      matchResources: { objectSelector: { matchLabels: { [JOB_TEMPLATE_LABEL]: name } } },
      validationActions: ['Deny'],
    },
  };
}
