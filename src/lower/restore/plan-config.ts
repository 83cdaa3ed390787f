import yaml from 'js-yaml';
import type { CheckModel, ClusterModel, PolicyModel, RestorePlanModel } from '../../model/types.ts';
import { normalize } from '../../output/normalize.ts';
import { DUMP_SCHEMA } from '../../output/yaml.ts';
import { DEFAULT_CLUSTER_DNS } from '../../model/cluster-dns.ts';
import { sourcesOf } from '../../model/policy-index.ts';
import { drillNetworkPolicy, drillRoleBinding } from './access.ts';
import { drillRunsStep } from './drill-scope.ts';
import { httpProbe, isolationProbe } from './probes.ts';
import { modifierRules } from './modifiers.ts';
import { clusterScopedSteps } from '../cluster-scoped.ts';
import { pinName } from './jobs.ts';
import { BACKUP_PLACEHOLDER, RUN_PLACEHOLDER, type RestoreVariant, restoreManifest, targetNamespaces } from './restore-spec.ts';
import { SCRIPTS } from './scripts.ts';
import { managedSecretRules } from './sealed-secrets.ts';

/** How long a run may wait for restores and pods before giving up, as a multiple of the RTO (at least 1 h). */
const WAIT_LIMIT_FACTOR = 4;

const lines = (rows: readonly string[]): string => (rows.length > 0 ? `${rows.join('\n')}\n` : '');

/**
 * The data files of a plan's ConfigMap, read by the runner or drill script: the plan's settings,
 * the policies with their freshness limits, the ordered steps with one Restore template each, the
 * namespace mapping, the checks (arguments one per line: no parsing, no quoting) and the scripts.
 * `replicaLagSeconds` (policy name to seconds, see model/replica-location.ts) lists the policies
 * the target reads from a replica: their line in `policies` carries the lag as a third column, the
 * least age of a backup the scripts choose, and the drill's freshness limit grows by it.
 */
export function planConfig(
  plan: RestorePlanModel,
  policies: readonly PolicyModel[],
  variant: RestoreVariant,
  veleroNamespace: string,
  target: Pick<ClusterModel, 'dns' | 'images'> = { dns: DEFAULT_CLUSTER_DNS, images: {} },
  replicaLagSeconds: Readonly<Record<string, number>> = {},
): Record<string, string> {
  const data: Record<string, string> = { ...SCRIPTS };
  const sources = sourcesOf(policies, plan.from);
  const checks = variant === 'drill' ? (plan.drill?.checks ?? []) : plan.checks;
  const rules = planModifierRules(plan, sources, variant);
  data.plan = lines([
    `plan=${plan.name}`,
    `veleroNamespace=${veleroNamespace}`,
    `rtoSeconds=${plan.rto.seconds}`,
    `pointInTime=${plan.pointInTime}`,
    `mode=${plan.mode}`,
    `waitLimitSeconds=${Math.max(3600, WAIT_LIMIT_FACTOR * plan.rto.seconds)}`,
    // Drills always restore the newest backup: a pin is for an incident, not for rehearsals.
    ...(variant === 'run' ? [`pin=${pinName(plan)}`] : []),
  ]);
  data.policies = lines(
    sources.map((s) => {
      const lag = replicaLagSeconds[s.name];
      return lag === undefined ? `${s.name} ${freshnessLimitSeconds(s, plan)}` : `${s.name} ${freshnessLimitSeconds(s, plan) + lag} ${lag}`;
    }),
  );
  data.namespaces = lines(Object.entries(targetNamespaces(plan, variant)).map(([source, target]) => `${source} ${target}`));
  // A drill skips a step that restores only what drills leave out.
  const steps = variant === 'drill' ? plan.steps.filter((step) => drillRunsStep(plan, step)) : plan.steps;
  // After a cluster or region loss, what Velero leaves out of a namespace backup comes back first.
  const scoped = clusterScopedSteps(plan, variant, veleroNamespace, { backup: BACKUP_PLACEHOLDER, run: RUN_PLACEHOLDER });
  data.steps = lines([...scoped.map((s) => s.line), ...steps.map((step) => `${String(step.index).padStart(2, '0')} ${step.name} ${step.policy}`)]);
  for (const s of scoped) data[`step-${s.index}.yaml`] = yaml.dump(normalize(s.restore), { schema: DUMP_SCHEMA, lineWidth: -1, noRefs: true });
  for (const step of steps) {
    data[`step-${String(step.index).padStart(2, '0')}.yaml`] = yaml.dump(normalize(restoreManifest(plan, step, variant, rules.length > 0, veleroNamespace)), { schema: DUMP_SCHEMA, lineWidth: -1, noRefs: true });
  }
  Object.assign(data, checkFiles(checks));
  const image = target.images.kubectl;
  if (variant === 'drill' && image) Object.assign(data, probeFiles(plan, checks, image));
  if (variant === 'drill') {
    data['networkpolicy.yaml'] = yaml.dump(drillNetworkPolicy(target.dns), { schema: DUMP_SCHEMA, lineWidth: -1, noRefs: true });
    data['rolebinding.yaml'] = yaml.dump(drillRoleBinding(plan, veleroNamespace), { schema: DUMP_SCHEMA, lineWidth: -1, noRefs: true });
  }
  return data;
}

/** The drill's probe pods: the isolation probe, and one per HTTP check, run in the drill namespace. */
function probeFiles(plan: RestorePlanModel, checks: readonly CheckModel[], image: string): Record<string, string> {
  const dump = (object: object) => yaml.dump(object, { schema: DUMP_SCHEMA, lineWidth: -1, noRefs: true });
  const mapping = targetNamespaces(plan, 'drill');
  const data: Record<string, string> = { 'probe-isolation.yaml': dump(isolationProbe(plan, image)) };
  checks.forEach((check, i) => {
    const id = String(i + 1).padStart(2, '0');
    if (check.type === 'http') data[`check-${id}.probe.yaml`] = dump(httpProbe(plan, image, id, check, mapping[check.namespace] ?? check.namespace));
  });
  return data;
}

function checkFiles(checks: readonly CheckModel[]): Record<string, string> {
  const data: Record<string, string> = {};
  const index: string[] = [];
  checks.forEach((check, i) => {
    const id = String(i + 1).padStart(2, '0');
    index.push(`${id} ${check.type} ${check.namespace}`);
    data[`check-${id}.name`] = `${check.name}\n`;
    if (check.type === 'exec') {
      data[`check-${id}.selector`] = `${Object.entries(check.selector).map(([k, v]) => `${k}=${v}`).join(',')}\n`;
      data[`check-${id}.container`] = `${check.container ?? ''}\n`;
      data[`check-${id}.argv`] = lines([...check.argv]);
      if (check.requireOutput) data[`check-${id}.require-output`] = 'true\n';
      if (check.minRows !== undefined) data[`check-${id}.min-rows`] = `${check.minRows}\n`;
    } else {
      data[`check-${id}.http`] = `${check.service} ${check.port} ${check.path}\n`;
    }
  });
  data.checks = lines(index);
  return data;
}

/**
 * The oldest a restored backup may be for a drill to pass: the RPO plus one interval of the tier it
 * restores from (the finest tier for 'latest'), plus the replication lag when read from a replica.
 * A drill that restores a two-month-old backup fails.
 */
export function freshnessLimitSeconds(policy: PolicyModel, plan: RestorePlanModel): number {
  const tier = plan.pointInTime === 'latest' ? policy.schedules[0] : policy.schedules.find((s) => s.tier === plan.pointInTime);
  return Math.round(policy.rpo.seconds + (tier?.interval.seconds ?? 0));
}

/** Workloads a drill keeps running: app profiles, exec-check pods, and steps restored by selector. */
function workloadsToKeep(plan: RestorePlanModel, sources: readonly PolicyModel[], checks: readonly CheckModel[]): Readonly<Record<string, string>>[] {
  return [
    ...sources.flatMap((s) => s.apps.map((a) => a.selector)),
    ...checks.flatMap((c) => (c.type === 'exec' ? [c.selector] : [])),
    ...plan.steps.flatMap((step) => (step.selector ? [step.selector] : [])),
  ];
}

/** Every resource-modifier rule of a plan variant: transforms, the drill's, and the hand-back of Secrets to their SealedSecrets. */
function planModifierRules(plan: RestorePlanModel, sources: readonly PolicyModel[], variant: RestoreVariant): object[] {
  const checks = variant === 'drill' ? (plan.drill?.checks ?? []) : plan.checks;
  return [...modifierRules(plan, variant, workloadsToKeep(plan, sources, checks)), ...managedSecretRules(plan, variant)];
}

/** The resource-modifier document of a plan variant, or undefined when it has no rules. */
export function modifiersDocument(plan: RestorePlanModel, policies: readonly PolicyModel[], variant: RestoreVariant): string | undefined {
  const sources = sourcesOf(policies, plan.from);
  const rules = planModifierRules(plan, sources, variant);
  if (rules.length === 0) return undefined;
  return yaml.dump(normalize({ version: 'v1', resourceModifierRules: rules }), { schema: DUMP_SCHEMA, lineWidth: -1, noRefs: true });
}
