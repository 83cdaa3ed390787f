/**
 * `restorable explain NAMESPACE`: what protects one namespace, read from the resolved model. Which
 * policies back it up (on which cluster, by name or through a selector), their tiers with cron, TTL
 * and the restore points that exist at any moment, the RPO, and the restore plans that bring it
 * back, with the runner command and where the drill records its last result. Pure: no I/O.
 */
import { ownEntry } from '../inventory/names.ts';
import type { LabelSelector, VolumeMode } from '../dsl/policy.ts';
import type { RestoreScenario } from '../dsl/restore-plan.ts';
import type { Tier } from '../dsl/retention.ts';
import type { LoadedInventory } from '../inventory/types.ts';
import { drillSchedule, jobName } from '../lower/restore/jobs.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import { goDuration, humanDuration } from '../model/duration.ts';
import type { ClusterModel, Model, PolicyModel, RestorePlanModel } from '../model/types.ts';
import { captureOf } from '../rules/capture.ts';
import { uncoveredData } from '../rules/coverage.ts';

/** Version of the JSON shape of an explanation; bumped on any incompatible change. */
export const EXPLANATION_VERSION = 1;

/** A duration as seconds and in a short human form (`1h`, `7d`). */
export interface DurationView {
  readonly seconds: number;
  readonly text: string;
}

/** One retention tier of a policy: one Velero Schedule. */
export interface TierView {
  readonly tier: Tier;
  /** Velero Schedule name. */
  readonly schedule: string;
  /** Cron expression (with `CRON_TZ=` when the policy has a time zone). */
  readonly cron: string;
  /** How long each backup of the tier lives, as Velero writes it (`25h0m0s`) and in seconds. */
  readonly ttl: DurationView & { readonly go: string };
  /** Longest time between two runs of the tier's schedule. */
  readonly interval: DurationView;
  /** Restore points the policy asked this tier to keep. */
  readonly keep: number;
  /** Restore points of this tier that exist at any moment, about TTL / interval. */
  readonly restorePoints: number;
}

/** How a policy reaches the namespace. */
export type Reach =
  /** The policy lists the namespace. */
  | { readonly kind: 'namespaces' }
  /**
   * The policy names no namespace and selects objects by labels in every namespace; `labels` says
   * whether the namespace's claims or the pods mounting them (from `restorable inventory import`)
   * match the selector, or are unknown.
   */
  | { readonly kind: 'selector'; readonly selector: LabelSelector; readonly labels: 'match' | 'unknown' };

/** A restore plan that brings the namespace back. */
export interface PlanView {
  readonly plan: string;
  readonly scenario: RestoreScenario;
  readonly mode: 'full' | 'data-only';
  readonly targetCluster: string;
  readonly targetNamespace: string;
  readonly rto: DurationView;
  readonly pointInTime: string;
  /** The suspended runner CronJob and the command that starts it. */
  readonly runner: { readonly cronJob: string; readonly namespace: string; readonly command: string; readonly lastRunConfigMap: string };
  /** The scheduled rehearsal and the ConfigMap it records its last verdict in. */
  readonly drill?: { readonly every: string; readonly cronJob: string; readonly schedule: string; readonly resultConfigMap: string; readonly readResult: string };
  /** Where `synth` writes the plan's runbook. */
  readonly runbook: string;
  /** Error diagnostics of the plan (code and message): a plan with any cannot be trusted as is. */
  readonly problems: readonly string[];
}

/** One policy backing the namespace up. */
export interface ProtectionView {
  readonly policy: string;
  readonly cluster: string;
  readonly storage: string;
  readonly reach: Reach;
  /** Whether the policy certainly covers the namespace (false: only if its labels match). */
  readonly certain: boolean;
  readonly volumes: VolumeMode;
  /** Whether volume data is backed up, not only Kubernetes objects. */
  readonly volumeData: boolean;
  readonly rpo: DurationView;
  readonly timeZone?: string;
  readonly tiers: readonly TierView[];
  /** The restore points that exist at any moment, over every tier. */
  readonly restorePoints: { readonly newestAtMost: DurationView; readonly oldest: DurationView; readonly count: number };
  readonly plans: readonly PlanView[];
}

/** A deliberate exemption of the namespace from backups. */
export interface ExemptionView {
  readonly cluster?: string;
  readonly reason: string;
  readonly until: string;
}

/** Everything `explain` says about one namespace. */
export interface NamespaceExplanation {
  readonly version: typeof EXPLANATION_VERSION;
  readonly namespace: string;
  /** The cluster the question was limited to, if any. */
  readonly cluster?: string;
  /** Whether at least one policy certainly backs the namespace up. */
  readonly protected: boolean;
  readonly protections: readonly ProtectionView[];
  readonly exemptions: readonly ExemptionView[];
  /**
   * What the namespace holds on each inventoried cluster, and how much of it no policy backs up
   * (as `validate` counts it), so the size of what is at stake is in front of the reader.
   */
  readonly data: readonly { readonly cluster: string; readonly claims: number; readonly requestedBytes: number; readonly notBackedUpBytes: number }[];
  /** Restore plans on other policies' data that restore into this namespace (on the cluster asked about). */
  readonly restoredInto: readonly { readonly plan: string; readonly from: readonly string[]; readonly sourceNamespace: string; readonly targetCluster: string }[];
}

/** What to explain, and with what. */
export interface ExplainOptions {
  readonly namespace: string;
  /** Only this cluster. @default every cluster */
  readonly cluster?: string;
  /** Cluster inventories, to tell whether a selector policy matches the namespace's labels. @default none */
  readonly inventories?: readonly LoadedInventory[];
  /** Diagnostics of the model, to flag plans with errors. @default none */
  readonly diagnostics?: readonly Diagnostic[];
  /** The folder `synth` writes to, for runbook paths. @default 'generated' */
  readonly outDir?: string;
}

const view = (seconds: number): DurationView => ({ seconds, text: humanDuration(seconds) });
/** A long duration rounded to whole days (`372d`), for "about" statements; shorter ones exactly. */
const roughly = (seconds: number): DurationView => (seconds >= 2 * 86_400 ? { seconds, text: `${Math.round(seconds / 86_400)}d` } : view(seconds));

const CLAIMS = new Set(['persistentvolumeclaims', 'persistentvolumeclaim', 'pvc']);
const isClaims = (resource: string): boolean => CLAIMS.has(resource.toLowerCase().replace(/\.$/, ''));

/** Whether a policy keeps volume data (not only objects): a volume mode and resource filters that include claims. */
function keepsVolumeData(policy: PolicyModel): boolean {
  const included = policy.includedResources.length === 0 || policy.includedResources.some((r) => r === '*' || isClaims(r));
  const excluded = policy.excludedResources.some((r) => r === '*' || isClaims(r));
  return policy.volumes !== 'none' && included && !excluded;
}

/**
 * How a policy reaches a namespace, or undefined when it does not. A selector is matched as Velero
 * matches it, against the objects' own labels: the policy reaches the namespace when it selects one
 * of its claims (by the claim's labels, or through a selected pod that mounts it).
 */
function reachOf(policy: PolicyModel, namespace: string, options: ExplainOptions, model: Model): Reach | undefined {
  if (policy.namespaces.length > 0) return policy.namespaces.includes(namespace) ? { kind: 'namespaces' } : undefined;
  if (!policy.selector) return undefined;
  const inventory = options.inventories?.find((i) => i.inventory.cluster === policy.cluster)?.inventory;
  const held = inventory ? ownEntry(inventory.namespaces, namespace) : undefined;
  if (!inventory || !held) return { kind: 'selector', selector: policy.selector, labels: 'unknown' };
  const cluster = model.clusters.find((c) => c.name === policy.cluster);
  const selects = Object.keys(held.claims).some((claim) => !['namespace', 'not-selected'].includes(captureOf(policy, cluster, inventory, namespace, claim).kind));
  return selects ? { kind: 'selector', selector: policy.selector, labels: 'match' } : undefined;
}

/** The command that starts a plan's runner, exactly as its runbook gives it. */
export function runnerCommand(plan: RestorePlanModel, veleroNamespace: string): string {
  const runner = jobName(plan, 'run');
  return `kubectl -n ${veleroNamespace} create job --from=cronjob/${runner} ${runner}-$(date +%s)`;
}

function planView(plan: RestorePlanModel, namespace: string, target: ClusterModel | undefined, options: ExplainOptions): PlanView {
  const ns = target?.veleroNamespace ?? 'velero';
  const runner = jobName(plan, 'run');
  const drill = jobName(plan, 'drill');
  return {
    plan: plan.name,
    scenario: plan.scenario,
    mode: plan.mode,
    targetCluster: plan.to,
    targetNamespace: plan.namespaceMapping[namespace] ?? namespace,
    rto: view(plan.rto.seconds),
    pointInTime: plan.pointInTime,
    runner: { cronJob: runner, namespace: ns, command: runnerCommand(plan, ns), lastRunConfigMap: `${runner}-last-run` },
    drill: plan.drill
      ? {
          every: plan.drill.every,
          cronJob: drill,
          schedule: drillSchedule(plan),
          resultConfigMap: `${drill}-result`,
          readResult: `kubectl -n ${ns} get configmap ${drill}-result -o yaml`,
        }
      : undefined,
    runbook: `${options.outDir ?? 'generated'}/runbooks/${plan.to}/${plan.name}/README.md`,
    problems: (options.diagnostics ?? []).filter((d) => d.severity === 'error' && d.declaration === plan.name).map((d) => `${d.code}: ${d.message}`),
  };
}

function protectionView(policy: PolicyModel, reach: Reach, model: Model, options: ExplainOptions): ProtectionView {
  const clusters = new Map(model.clusters.map((c) => [c.name, c]));
  const tiers = policy.schedules.map(
    (s): TierView => ({
      tier: s.tier,
      schedule: s.name,
      cron: s.cron,
      ttl: { ...view(s.ttl.seconds), go: goDuration(s.ttl.seconds) },
      interval: view(s.interval.seconds),
      keep: s.keep,
      restorePoints: Math.floor(s.ttl.seconds / s.interval.seconds),
    }),
  );
  const plans = model.restorePlans
    .filter((plan) => plan.from.includes(policy.name) && plan.steps.length > 0)
    .filter((plan) => reach.kind === 'selector' || plan.namespaceMapping[options.namespace] !== undefined)
    .map((plan) => planView(plan, options.namespace, clusters.get(plan.to), options));
  return {
    policy: policy.name,
    cluster: policy.cluster,
    storage: policy.storage,
    reach,
    certain: reach.kind === 'namespaces' || reach.labels === 'match',
    volumes: policy.volumes,
    volumeData: keepsVolumeData(policy),
    rpo: view(policy.rpo.seconds),
    timeZone: policy.timeZone,
    tiers,
    restorePoints: {
      newestAtMost: view(policy.schedules[0]?.interval.seconds ?? 0),
      oldest: roughly(Math.max(0, ...policy.schedules.map((s) => s.ttl.seconds))),
      count: tiers.reduce((sum, t) => sum + t.restorePoints, 0),
    },
    plans,
  };
}

/** Explains what protects `options.namespace`, optionally on one cluster only. */
export function explainNamespace(model: Model, options: ExplainOptions): NamespaceExplanation {
  const onCluster = (cluster: string | undefined): boolean => options.cluster === undefined || cluster === undefined || cluster === options.cluster;
  const protections = model.policies
    .filter((policy) => onCluster(policy.cluster))
    .flatMap((policy) => {
      const reach = reachOf(policy, options.namespace, options, model);
      return reach ? [protectionView(policy, reach, model, options)] : [];
    })
    .sort((a, b) => Number(b.certain) - Number(a.certain) || a.cluster.localeCompare(b.cluster) || a.policy.localeCompare(b.policy));
  const restoredInto = model.restorePlans
    .filter((plan) => options.cluster !== undefined && plan.to === options.cluster && plan.steps.length > 0)
    .flatMap((plan) =>
      Object.entries(plan.namespaceMapping)
        .filter(([, target]) => target === options.namespace)
        .map(([source]) => ({ plan: plan.name, from: [...plan.from], sourceNamespace: source, targetCluster: plan.to })),
    )
    .filter((entry) => !protections.some((p) => p.plans.some((plan) => plan.plan === entry.plan)));
  return {
    version: EXPLANATION_VERSION,
    namespace: options.namespace,
    cluster: options.cluster,
    protected: protections.some((p) => p.certain),
    protections,
    exemptions: model.exemptions
      .filter((e) => e.namespace === options.namespace && onCluster(e.cluster))
      .map((e) => ({ cluster: e.cluster, reason: e.reason, until: e.until })),
    restoredInto,
    data: (options.inventories ?? [])
      .filter((loaded) => onCluster(loaded.inventory.cluster))
      .flatMap((loaded) => {
        const held = ownEntry(loaded.inventory.namespaces, options.namespace);
        if (!held || held.persistentVolumeClaims === 0) return [];
        const lost = uncoveredData(model, loaded).filter((g) => g.namespace === options.namespace);
        return [{ cluster: loaded.inventory.cluster, claims: held.persistentVolumeClaims, requestedBytes: held.requestedBytes, notBackedUpBytes: lost.reduce((sum, g) => sum + g.bytes, 0) }];
      }),
  };
}
