/**
 * Velero's installation, per cluster that declares `velero`: the objects `velero install --no-secret
 * --no-default-backup-location --use-volume-snapshots=false --dry-run -o yaml` renders for the
 * cluster's settings (Velero v1.18.1, pkg/install), and the ConfigMaps the node-agent and repository
 * maintenance read.
 *
 * Differences from `velero install`, on purpose:
 * - no `cloud-credentials` Secret and no default storage location: every BackupStorageLocation
 *   names its sealed credentials, so the server needs no credentials file;
 * - the namespace's Pod Security level is `privileged` only where the node-agent runs (its pods
 *   mount host paths as root), `baseline` otherwise, where velero install always says privileged;
 * - repository maintenance resources and kept Jobs go in the maintenance ConfigMap: velero install's
 *   `--keep-latest-maintenance-jobs` and `--maintenance-job-*` flags render server arguments that
 *   Velero v1.18.1's server no longer accepts.
 */
import type { ClusterModel } from '../../model/types.ts';
import type { ResourcesModel, VeleroInstallModel } from '../../model/velero-install.ts';
import { emit, type LowerContext, type Manifest } from '../context.ts';
import { MANAGED_BY } from '../labels.ts';
import { METRICS_PORT, NODE_AGENT_POD_LABELS, VELERO_SERVER_POD_LABELS } from '../pod-monitors.ts';
import { usesCsiSnapshots, usesNodeAgent } from '../volume-usage.ts';
import { veleroCrds } from './crds.ts';
import { goDuration, pluginContainerName, pullPolicyOf } from './images.ts';

/** The label `velero install` puts on everything it creates. */
export const VELERO_COMPONENT = { component: 'velero' } as const;

/** Name of the ConfigMap the node-agent reads (`--node-agent-configmap`). */
export const NODE_AGENT_CONFIGMAP = 'node-agent-config';

/** Name of the ConfigMap repository maintenance Jobs read (`--repo-maintenance-job-configmap`). */
export const MAINTENANCE_CONFIGMAP = 'repo-maintenance-job-config';

/** velero install's default server resources (pkg/install/resources.go). */
const DEFAULT_SERVER_RESOURCES: ResourcesModel = { cpuRequest: '500m', memoryRequest: '128Mi', cpuLimit: '1000m', memoryLimit: '512Mi' };

/** A CPU quantity in the canonical form Kubernetes (and velero install) writes: whole cores without `m`. */
function canonicalCpu(cpu: string): string {
  const millis = /^(\d+)m$/.exec(cpu);
  return millis && Number(millis[1]) % 1000 === 0 ? String(Number(millis[1]) / 1000) : cpu;
}

/** The settings the installation derives from the cluster's policies. */
export interface DerivedSettings {
  /** Velero feature flags (`--features`), e.g. `EnableCSI` where CSI snapshots are taken. */
  readonly features: readonly string[];
  /** Whether the node-agent DaemonSet is installed. */
  readonly nodeAgent: boolean;
}

/** What the cluster's policies need from the installation. */
export function derivedSettings(ctx: Pick<LowerContext, 'model' | 'cluster'>): DerivedSettings {
  return { features: usesCsiSnapshots(ctx.model, ctx.cluster) ? ['EnableCSI'] : [], nodeAgent: usesNodeAgent(ctx.model, ctx.cluster) };
}

const meta = (name: string, namespace?: string) => ({ name, ...(namespace ? { namespace } : {}), labels: { ...VELERO_COMPONENT, ...MANAGED_BY } });

function containerResources(r: ResourcesModel | undefined): Record<string, Record<string, string>> | undefined {
  if (!r) return undefined;
  const requests = { ...(r.cpuRequest && r.cpuRequest !== '0' ? { cpu: canonicalCpu(r.cpuRequest) } : {}), ...(r.memoryRequest && r.memoryRequest !== '0' ? { memory: r.memoryRequest } : {}) };
  const limits = { ...(r.cpuLimit && r.cpuLimit !== '0' ? { cpu: canonicalCpu(r.cpuLimit) } : {}), ...(r.memoryLimit && r.memoryLimit !== '0' ? { memory: r.memoryLimit } : {}) };
  return { requests, limits };
}

/** The Velero server's container args, in the order velero install writes them. */
export function serverArgs(install: VeleroInstallModel, derived: DerivedSettings): string[] {
  const args = ['server'];
  if (derived.features.length > 0) args.push(`--features=${derived.features.join(',')}`);
  args.push('--uploader-type=kopia');
  const frequency = install.repositoryMaintenance.frequency;
  if (frequency) args.push(`--default-repo-maintain-frequency=${goDuration(frequency.seconds)}`);
  if (maintenanceConfig(install)) args.push(`--repo-maintenance-job-configmap=${MAINTENANCE_CONFIGMAP}`);
  return args;
}

/** The node-agent's container args, in the order velero install writes them. */
export function nodeAgentArgs(derived: DerivedSettings): string[] {
  const args = ['node-agent', 'server'];
  if (derived.features.length > 0) args.push(`--features=${derived.features.join(',')}`);
  args.push(`--node-agent-configmap=${NODE_AGENT_CONFIGMAP}`);
  return args;
}

const LINUX_ONLY = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', values: ['windows'], operator: 'NotIn' }] }],
    },
  },
};

const fieldEnv = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });

function deployment(cluster: ClusterModel, install: VeleroInstallModel, derived: DerivedSettings): Manifest {
  const pullPolicy = pullPolicyOf(install.image);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('velero', cluster.veleroNamespace),
    spec: {
      selector: { matchLabels: { ...VELERO_SERVER_POD_LABELS } },
      template: {
        metadata: {
          labels: { ...VELERO_COMPONENT, ...VELERO_SERVER_POD_LABELS },
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(METRICS_PORT.number), 'prometheus.io/path': '/metrics' },
        },
        spec: {
          restartPolicy: 'Always',
          serviceAccountName: 'velero',
          os: { name: 'linux' },
          affinity: LINUX_ONLY,
          containers: [
            {
              name: 'velero',
              image: install.image,
              ports: [{ name: METRICS_PORT.name, containerPort: METRICS_PORT.number }],
              imagePullPolicy: pullPolicy,
              command: ['/velero'],
              args: serverArgs(install, derived),
              volumeMounts: [
                { name: 'plugins', mountPath: '/plugins' },
                { name: 'scratch', mountPath: '/scratch' },
              ],
              env: [{ name: 'VELERO_SCRATCH_DIR', value: '/scratch' }, fieldEnv('VELERO_NAMESPACE', 'metadata.namespace'), { name: 'LD_LIBRARY_PATH', value: '/plugins' }],
              resources: containerResources(install.serverResources ?? DEFAULT_SERVER_RESOURCES),
            },
          ],
          volumes: [
            { name: 'plugins', emptyDir: {} },
            { name: 'scratch', emptyDir: {} },
          ],
          initContainers: install.plugins.map((image) => ({
            name: pluginContainerName(image),
            image,
            imagePullPolicy: pullPolicy,
            volumeMounts: [{ name: 'plugins', mountPath: '/target' }],
          })),
        },
      },
    },
  } as Manifest;
}

function daemonSet(cluster: ClusterModel, install: VeleroInstallModel, derived: DerivedSettings): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: meta('node-agent', cluster.veleroNamespace),
    spec: {
      selector: { matchLabels: { ...NODE_AGENT_POD_LABELS } },
      template: {
        metadata: { labels: { ...VELERO_COMPONENT, ...NODE_AGENT_POD_LABELS, role: 'node-agent' } },
        spec: {
          serviceAccountName: 'velero',
          // velero install runs the node-agent as root: it reads every pod's volumes under /host_pods.
          securityContext: { runAsUser: 0 },
          volumes: [
            { name: 'host-pods', hostPath: { path: '/var/lib/kubelet/pods' } },
            { name: 'host-plugins', hostPath: { path: '/var/lib/kubelet/plugins' } },
            { name: 'scratch', emptyDir: {} },
          ],
          containers: [
            {
              name: 'node-agent',
              image: install.image,
              ports: [{ name: METRICS_PORT.name, containerPort: METRICS_PORT.number }],
              imagePullPolicy: pullPolicyOf(install.image),
              command: ['/velero'],
              args: nodeAgentArgs(derived),
              securityContext: { privileged: false },
              volumeMounts: [
                { name: 'host-pods', mountPath: '/host_pods', mountPropagation: 'HostToContainer' },
                { name: 'host-plugins', mountPath: '/var/lib/kubelet/plugins', mountPropagation: 'HostToContainer' },
                { name: 'scratch', mountPath: '/scratch' },
              ],
              env: [fieldEnv('NODE_NAME', 'spec.nodeName'), fieldEnv('VELERO_NAMESPACE', 'metadata.namespace'), { name: 'VELERO_SCRATCH_DIR', value: '/scratch' }],
              resources: containerResources(install.nodeAgent.resources),
            },
          ],
          affinity: LINUX_ONLY,
        },
      },
    },
  } as Manifest;
}

/** Velero's podResources JSON (cpuRequest, memoryRequest, cpuLimit, memoryLimit). */
function podResources(r: ResourcesModel | undefined): ResourcesModel | undefined {
  return r && Object.keys(r).length > 0 ? { ...r } : undefined;
}

/** The node-agent's configuration (Velero's NodeAgentConfigs), as the JSON its one data key holds. */
export function nodeAgentConfig(install: VeleroInstallModel): Record<string, unknown> {
  const na = install.nodeAgent;
  return {
    ...(na.loadConcurrency !== undefined ? { loadConcurrency: { globalConfig: na.loadConcurrency } } : {}),
    ...(Object.keys(na.backupPVC).length > 0 ? { backupPVC: na.backupPVC } : {}),
    ...(podResources(na.dataMoverResources) ? { podResources: podResources(na.dataMoverResources) } : {}),
  };
}

/** The maintenance Jobs' global configuration (Velero's JobConfigs), or undefined when nothing is set. */
export function maintenanceConfig(install: VeleroInstallModel): Record<string, unknown> | undefined {
  const rm = install.repositoryMaintenance;
  const config = {
    ...(podResources(rm.resources) ? { podResources: podResources(rm.resources) } : {}),
    ...(rm.keepLatestJobs !== undefined ? { keepLatestMaintenanceJobs: rm.keepLatestJobs } : {}),
  };
  return Object.keys(config).length > 0 ? config : undefined;
}

/** The Pod Security level of the Velero namespace: the node-agent needs `privileged` (root, host paths). */
export function podSecurityLevel(derived: DerivedSettings): 'privileged' | 'baseline' {
  return derived.nodeAgent ? 'privileged' : 'baseline';
}

/** Emits Velero's installation on clusters that declare it. */
export function lowerVeleroInstall(ctx: LowerContext): void {
  const install = ctx.cluster.velero;
  if (!install) return;
  const ns = ctx.cluster.veleroNamespace;
  const derived = derivedSettings(ctx);
  for (const crd of veleroCrds(install.version)) emit(ctx, crd as unknown as Manifest);
  const level = podSecurityLevel(derived);
  emit(ctx, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: ns,
      labels: {
        ...VELERO_COMPONENT,
        ...MANAGED_BY,
        'pod-security.kubernetes.io/enforce': level,
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/audit': level,
        'pod-security.kubernetes.io/audit-version': 'latest',
        'pod-security.kubernetes.io/warn': level,
        'pod-security.kubernetes.io/warn-version': 'latest',
      },
    },
  });
  emit(ctx, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: meta(veleroClusterRoleBindingName(ns)),
    subjects: [{ kind: 'ServiceAccount', namespace: ns, name: 'velero' }],
    roleRef: { kind: 'ClusterRole', name: 'cluster-admin', apiGroup: 'rbac.authorization.k8s.io' },
  } as Manifest);
  emit(ctx, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('velero', ns) });
  const maintenance = maintenanceConfig(install);
  if (maintenance) emit(ctx, { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(MAINTENANCE_CONFIGMAP, ns), data: { global: JSON.stringify(maintenance) } } as Manifest);
  emit(ctx, deployment(ctx.cluster, install, derived));
  if (derived.nodeAgent) {
    emit(ctx, { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(NODE_AGENT_CONFIGMAP, ns), data: { 'node-agent-config.json': JSON.stringify(nodeAgentConfig(install)) } } as Manifest);
    emit(ctx, daemonSet(ctx.cluster, install, derived));
  }
}

/** The ClusterRoleBinding velero install creates: `velero`, or `velero-<namespace>` outside `velero`. */
export function veleroClusterRoleBindingName(namespace: string): string {
  return namespace === 'velero' ? 'velero' : `velero-${namespace}`;
}
