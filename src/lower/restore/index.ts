import type { IPrometheusRule } from '../../k8s/monitoring/prometheus-rule.ts';
import { policiesNamedIn } from '../../model/policy-index.ts';
import { replicaLags } from '../../model/replica-location.ts';
import type { ClusterModel, RestorePlanModel } from '../../model/types.ts';
import { monitoringMetadata } from '../alerts.ts';
import { emit, type LowerContext, type Manifest } from '../context.ts';
import { MANAGED_BY } from '../labels.ts';
import { jobAccess, jobTemplateBinding, jobTemplatePolicy } from './access.ts';
import { cronJob, jobName, planLabels } from './jobs.ts';
import { modifiersDocument, planConfig } from './plan-config.ts';
import { modifiersName, type RestoreVariant } from './restore-spec.ts';

const FREQUENCY_SECONDS = { day: 86_400, week: 604_800, month: 2_678_400, quarter: 7_948_800 } as const;

/**
 * Restore plans, on their target cluster: for the runner and (with `drill`) the drill, a ConfigMap
 * with the scripts and step templates, a CronJob, least-privilege RBAC and admission policies;
 * resource-modifier ConfigMaps for transforms; Velero's per-cluster plugin config for storage-class
 * and image-registry mappings; an alert on drills that stop passing.
 */
export function lowerRestorePlans(ctx: LowerContext): void {
  if (needsJobTemplatePolicy(ctx)) emit(ctx, jobTemplatePolicy(ctx.cluster) as unknown as Manifest);
  const plans = ctx.model.restorePlans.filter((plan) => plan.to === ctx.cluster.name && plan.steps.length > 0);
  if (plans.length === 0 || !ctx.cluster.images.kubectl) return;
  for (const plan of plans) {
    // A drill is emitted only when every step names its namespaces, so it can be mapped into drill-* (PLAN016).
    const isolatable = plan.steps.every((step) => step.namespaces.length > 0);
    const variants: RestoreVariant[] = plan.drill && isolatable ? ['run', 'drill'] : ['run'];
    for (const variant of variants) {
      const name = jobName(plan, variant);
      const labels = planLabels(plan, variant);
      const modifiers = modifiersDocument(plan, ctx.model.policies, variant);
      if (modifiers) {
        emit(ctx, configMap(modifiersName(plan, variant), ctx.cluster.veleroNamespace, labels, { 'modifiers.yaml': modifiers }));
      }
      emit(ctx, configMap(name, ctx.cluster.veleroNamespace, labels, planConfig(plan, ctx.model.policies, variant, ctx.cluster.veleroNamespace, ctx.cluster, replicaLags(ctx.model, ctx.cluster, plan))));
      // People start the runner (the restore groups of the plan's policies); drills run on schedule.
      const runBy = variant === 'run' ? policiesNamedIn(ctx.model.policies, plan.from).flatMap((p) => p.access.restore) : [];
      emit(ctx, cronJob(plan, ctx.cluster, variant, runBy) as unknown as Manifest);
      for (const object of jobAccess(plan, ctx.cluster, variant)) emit(ctx, object as unknown as Manifest);
      emit(ctx, jobTemplateBinding(name, ctx.cluster, labels) as unknown as Manifest);
    }
    if (variants.includes('drill') && ctx.cluster.monitoring === 'prometheus-operator') emit(ctx, drillAlert(plan, ctx.cluster));
  }
  emitPluginConfig(ctx, plans);
}

/** One job-template policy per cluster that runs any restorable CronJob by hand. */
function needsJobTemplatePolicy(ctx: LowerContext): boolean {
  if (!ctx.cluster.images.kubectl) return false;
  const plans = ctx.model.restorePlans.some((plan) => plan.to === ctx.cluster.name && plan.steps.length > 0);
  const onDemand = ctx.model.policies.some((p) => p.cluster === ctx.cluster.name && p.access.backup.length > 0 && p.schedules.length > 0);
  return plans || onDemand;
}

function configMap(name: string, namespace: string, labels: Record<string, string>, data: Record<string, string>, extraLabels: Record<string, string> = {}) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels: { ...labels, ...extraLabels } }, data };
}

/** Velero's change-storage-class and change-image-name plugins read one ConfigMap each per cluster. */
function emitPluginConfig(ctx: LowerContext, plans: readonly RestorePlanModel[]): void {
  const storageClasses = Object.fromEntries(plans.flatMap((p) => Object.entries(p.storageClassMapping)).sort());
  if (Object.keys(storageClasses).length > 0) {
    emit(
      ctx,
      configMap('change-storage-class-config', ctx.cluster.veleroNamespace, { ...MANAGED_BY }, storageClasses, {
        'velero.io/plugin-config': '',
        'velero.io/change-storage-class': 'RestoreItemAction',
      }),
    );
  }
  const registries = [...new Set(plans.flatMap((p) => p.transforms.flatMap((t) => (t.type === 'rewrite-image-registry' ? [`${t.from},${t.to}`] : []))))].sort();
  if (registries.length > 0) {
    emit(
      ctx,
      configMap('change-image-name-config', ctx.cluster.veleroNamespace, { ...MANAGED_BY }, Object.fromEntries(registries.map((r, i) => [`case${i + 1}`, r])), {
        'velero.io/plugin-config': '',
        'velero.io/change-image-name': 'RestoreItemAction',
      }),
    );
  }
}

/** Fires when the drill CronJob has not succeeded for one and a half periods (kube-state-metrics). */
function drillAlert(plan: RestorePlanModel, cluster: ClusterModel): IPrometheusRule {
  const namespace = cluster.veleroNamespace;
  const period = FREQUENCY_SECONDS[plan.drill?.every ?? 'week'];
  // Daily drills skip weekends, so their longest gap is three days, not one.
  const longestGap = plan.drill?.every === 'day' ? 3 * FREQUENCY_SECONDS.day : period;
  const cronjob = `drill-${plan.name}`;
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: monitoringMetadata(cluster, `restorable-drill-${plan.name}`, planLabels(plan, 'drill')),
    spec: {
      groups: [
        {
          name: `restorable-drill-${plan.name}`,
          rules: [
            {
              alert: 'RestorableDrillNotPassing',
              expr: `time() - max(kube_cronjob_status_last_successful_time{namespace="${namespace}",cronjob="${cronjob}"}) > ${Math.round(longestGap + period / 2)}`,
              for: '15m',
              labels: { severity: 'warning', plan: plan.name },
              annotations: {
                summary: `Restore drill ${plan.name} has not passed for longer than its longest gap between runs plus half a period`,
                description: `Read the result: kubectl get configmap drill-${plan.name}-result -n ${namespace} -o yaml, and the last job's logs.`,
              },
            },
            {
              alert: 'RestorableDrillNeverPassed',
              expr: `absent(kube_cronjob_status_last_successful_time{namespace="${namespace}",cronjob="${cronjob}"})`,
              for: `${Math.round((longestGap + period / 2) / 3600)}h`,
              labels: { severity: 'warning', plan: plan.name },
              annotations: { summary: `Restore drill ${plan.name} has never passed`, description: 'The drill CronJob has no successful run on record.' },
            },
          ],
        },
      ],
    },
  };
}
