import type { RestorePlanModel, RestoreStepModel } from '../../model/types.ts';

/**
 * What a drill leaves out of every Restore: objects that act on the outside world or on the cluster
 * itself as soon as they exist, whatever namespace they are in. Written as Velero resolves resource
 * names (`<plural>.<group>`, the core group bare): Velero v1.18 resolves each excluded name through
 * discovery, keeps a name it cannot resolve as written (a kind whose CRD the target lacks) and
 * matches names as globs, so an absent kind costs nothing.
 */
export const DRILL_EXCLUDED_RESOURCES: readonly string[] = [
  // Run on their own against live systems (a restored Job starts its pods again).
  'cronjobs.batch',
  'jobs.batch',
  // Take live traffic, or provision load balancers and routes on shared gateways.
  'ingresses.networking.k8s.io',
  'gateways.gateway.networking.k8s.io',
  'httproutes.gateway.networking.k8s.io',
  'grpcroutes.gateway.networking.k8s.io',
  'tlsroutes.gateway.networking.k8s.io',
  'tcproutes.gateway.networking.k8s.io',
  'udproutes.gateway.networking.k8s.io',
  // Additive: a restored policy could reopen traffic the drill's own NetworkPolicy closes.
  'networkpolicies.networking.k8s.io',
  // Scale workloads the drill scaled to zero back up.
  'horizontalpodautoscalers.autoscaling',
  'scaledobjects.keda.sh',
  'scaledjobs.keda.sh',
  'triggerauthentications.keda.sh',
  'clustertriggerauthentications.keda.sh',
  // Page people, scrape the drill as if it were production, or start monitoring stacks.
  'prometheusrules.monitoring.coreos.com',
  'servicemonitors.monitoring.coreos.com',
  'podmonitors.monitoring.coreos.com',
  'probes.monitoring.coreos.com',
  'scrapeconfigs.monitoring.coreos.com',
  'prometheuses.monitoring.coreos.com',
  'prometheusagents.monitoring.coreos.com',
  'alertmanagers.monitoring.coreos.com',
  'alertmanagerconfigs.monitoring.coreos.com',
  'thanosrulers.monitoring.coreos.com',
  // Order certificates from public CAs (ACME challenges publish DNS records and Ingresses).
  'certificates.cert-manager.io',
  'certificaterequests.cert-manager.io',
  'issuers.cert-manager.io',
  'clusterissuers.cert-manager.io',
  'orders.acme.cert-manager.io',
  'challenges.acme.cert-manager.io',
  // Read from (and, for PushSecrets, write to) external secret stores with production credentials.
  'externalsecrets.external-secrets.io',
  'clusterexternalsecrets.external-secrets.io',
  'secretstores.external-secrets.io',
  'clustersecretstores.external-secrets.io',
  'pushsecrets.external-secrets.io',
];

/**
 * The resources a plan's drill leaves out: the defaults and those its `drill.exclude` adds, sorted.
 * When the backups hold no volume data, PersistentVolumes too: Velero would restore each as is,
 * pointing at the source's disk, and the drill's claims would mount production data (the drill's
 * modifiers give those claims new volumes instead, modifiers.ts).
 */
export function drillExcludedResources(plan: RestorePlanModel): string[] {
  const volumes = plan.drill?.volumeData === false ? ['persistentvolumes'] : [];
  return [...new Set([...DRILL_EXCLUDED_RESOURCES, ...volumes, ...(plan.drill?.exclude ?? [])])].sort();
}

/**
 * The `includedResources` of a drill step: the step's own list without what drills leave out.
 * Velero refuses a Restore (FailedValidation) whose excluded list repeats a name of its included
 * list, so the drill drops those names instead of listing them twice.
 */
export function drillIncludedResources(plan: RestorePlanModel, step: RestoreStepModel): string[] {
  const excluded = new Set(drillExcludedResources(plan));
  return step.resources.filter((resource) => !excluded.has(resource));
}

/**
 * Whether a drill runs this step: a step that names only resources drills leave out restores
 * nothing in a drill (an empty included list would restore everything instead).
 */
export function drillRunsStep(plan: RestorePlanModel, step: RestoreStepModel): boolean {
  return step.resources.length === 0 || drillIncludedResources(plan, step).length > 0;
}
