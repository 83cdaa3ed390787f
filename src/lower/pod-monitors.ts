/**
 * PodMonitors for Velero's metrics. `velero install` creates no Service in front of Velero's pods,
 * so a ServiceMonitor would select nothing; PodMonitors scrape the pods' `metrics` port (8085)
 * directly. The server exposes backup, restore, storage-location and repository-maintenance
 * metrics; the node-agent, on every node, the file-system backup and data-mover ones.
 */
import type { IPodMonitor } from '../k8s/monitoring/pod-monitor.ts';
import type { ClusterModel } from '../model/types.ts';
import { monitoringMetadata } from './alerts.ts';
import { emit, type LowerContext } from './context.ts';
import { MANAGED_BY } from './labels.ts';
import { usesNodeAgent } from './volume-usage.ts';

/** Pod labels `velero install` gives the server's pods (its Deployment selects `deploy: velero`). */
export const VELERO_SERVER_POD_LABELS = { deploy: 'velero' } as const;

/** Pod labels `velero install` gives the node-agent's pods (its DaemonSet selects `name: node-agent`). */
export const NODE_AGENT_POD_LABELS = { name: 'node-agent' } as const;

/** The container port both Velero's server and its node-agent serve /metrics on. */
export const METRICS_PORT = { name: 'metrics', number: 8085 } as const;

function podMonitor(cluster: ClusterModel, name: string, podLabels: Readonly<Record<string, string>>): IPodMonitor {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: monitoringMetadata(cluster, name, { ...MANAGED_BY }),
    spec: {
      selector: { matchLabels: { ...podLabels } },
      // Explicit even when the PodMonitor sits in the Velero namespace, so moving it to the
      // operator's namespace (monitoring.namespace) still selects Velero's pods.
      namespaceSelector: { matchNames: [cluster.veleroNamespace] },
      podMetricsEndpoints: [{ port: METRICS_PORT.name, path: '/metrics' }],
    },
  };
}

/** A PodMonitor for the Velero server, and one for the node-agent where the cluster runs it. */
export function lowerPodMonitors(ctx: LowerContext): void {
  if (ctx.cluster.monitoring !== 'prometheus-operator') return;
  emit(ctx, podMonitor(ctx.cluster, 'restorable-velero-server', VELERO_SERVER_POD_LABELS));
  if (usesNodeAgent(ctx.model, ctx.cluster)) emit(ctx, podMonitor(ctx.cluster, 'restorable-velero-node-agent', NODE_AGENT_POD_LABELS));
}
