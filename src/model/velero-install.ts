/**
 * Resolves a cluster's `velero` installation declaration into plain settings, checking every field
 * (INST001) and that the images it needs are declared (IMG002): Velero's own, and one plugin per
 * storage provider the cluster reaches.
 */
import type { Cluster } from '../dsl/cluster.ts';
import type { StorageProvider } from '../dsl/storage.ts';
import type { Diagnostic } from './diagnostic.ts';
import { type Duration, parseDuration } from './duration.ts';

/** The Velero versions restorable ships the CRDs of. */
export const KNOWN_VELERO_VERSIONS: readonly string[] = ['v1.18.1'];

/** CPU and memory, as Velero's `podResources` and container resources take them. */
export interface ResourcesModel {
  readonly cpuRequest?: string;
  readonly memoryRequest?: string;
  readonly cpuLimit?: string;
  readonly memoryLimit?: string;
}

/** A backup PVC setting for one source storage class. */
export interface BackupPvcModel {
  readonly storageClass?: string;
  readonly readOnly?: boolean;
  readonly spcNoRelabeling?: boolean;
}

/** Velero's installation on a cluster, with its images resolved. */
export interface VeleroInstallModel {
  readonly version: string;
  readonly image: string;
  /** Plugin images, in the order of the providers of the cluster's storages (aws, gcp, azure). */
  readonly plugins: readonly string[];
  readonly serverResources?: ResourcesModel;
  readonly nodeAgent: {
    readonly loadConcurrency?: number;
    readonly resources?: ResourcesModel;
    readonly dataMoverResources?: ResourcesModel;
    readonly backupPVC: Readonly<Record<string, BackupPvcModel>>;
  };
  readonly repositoryMaintenance: {
    readonly frequency?: Duration;
    readonly keepLatestJobs?: number;
    readonly resources?: ResourcesModel;
  };
}

/** CPU: millicores or cores (`500m`, `1`, `0.5`); memory: a quantity (`512Mi`, `1G`). */
const CPU = /^(\d+m|\d+(\.\d+)?)$/;
const MEMORY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const CLASS_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const PROVIDERS: readonly StorageProvider[] = ['aws', 'gcp', 'azure'];

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The installation of `cluster`, or undefined when it declares none (or declares it wrongly: the
 * diagnostics say why, and nothing half-configured is emitted). `providers` are the providers of
 * the storages the cluster lists.
 */
export function resolveVeleroInstall(cluster: Cluster, providers: ReadonlySet<StorageProvider>, diagnostics: Diagnostic[]): VeleroInstallModel | undefined {
  const declared: unknown = cluster.props.velero;
  if (declared === undefined) return undefined;
  const before = diagnostics.length;
  const report = (code: string, path: string, message: string, hint: string): void => {
    diagnostics.push({ code, severity: 'error', declaration: cluster.name, path, source: cluster.source, message, hint });
  };
  if (!isRecord(declared)) {
    report('INST001', 'velero', `expected Velero's installation settings ({ version: 'v1.18.1', ... }), got ${JSON.stringify(declared)}`, "declare velero: { version: 'v1.18.1' } or leave it out when Velero is installed another way");
    return undefined;
  }
  if (typeof declared.version !== 'string' || !KNOWN_VELERO_VERSIONS.includes(declared.version)) {
    report('INST001', 'velero.version', `expected one of ${KNOWN_VELERO_VERSIONS.join(', ')} (the Velero versions restorable ships CRDs for), got ${JSON.stringify(declared.version)}`, 'upgrade restorable to install another Velero version');
  }
  const resources = (path: string, value: unknown): ResourcesModel | undefined => {
    if (value === undefined) return undefined;
    if (!isRecord(value)) {
      report('INST001', path, `expected { cpuRequest, memoryRequest, cpuLimit, memoryLimit }, got ${JSON.stringify(value)}`, "e.g. { cpuRequest: '500m', memoryRequest: '128Mi', memoryLimit: '512Mi' }");
      return undefined;
    }
    const out: Record<string, string> = {};
    for (const [key, pattern] of [
      ['cpuRequest', CPU],
      ['memoryRequest', MEMORY],
      ['cpuLimit', CPU],
      ['memoryLimit', MEMORY],
    ] as const) {
      const v = value[key];
      if (v === undefined) continue;
      if (typeof v !== 'string' || !pattern.test(v)) {
        report('INST001', `${path}.${key}`, `expected a Kubernetes ${key.startsWith('cpu') ? 'CPU quantity (500m, 1, 0.5)' : 'memory quantity (128Mi, 1Gi)'}, got ${JSON.stringify(v)}`, 'write the quantity as a string, as in a pod spec');
        continue;
      }
      out[key] = v;
    }
    for (const key of Object.keys(value).filter((k) => !['cpuRequest', 'memoryRequest', 'cpuLimit', 'memoryLimit'].includes(k))) {
      report('INST001', `${path}.${key}`, `unknown resource field "${key}"`, 'use cpuRequest, memoryRequest, cpuLimit or memoryLimit');
    }
    return out;
  };
  const count = (path: string, value: unknown, min: number): number | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      report('INST001', path, `expected a whole number of at least ${min}, got ${JSON.stringify(value)}`, 'write a plain integer');
      return undefined;
    }
    return value;
  };
  const nodeAgent = declared.nodeAgent === undefined ? {} : declared.nodeAgent;
  if (!isRecord(nodeAgent)) report('INST001', 'velero.nodeAgent', `expected node-agent settings, got ${JSON.stringify(nodeAgent)}`, '{ loadConcurrency, resources, dataMoverResources, backupPVC }');
  const na = isRecord(nodeAgent) ? nodeAgent : {};
  const backupPVC: Record<string, BackupPvcModel> = {};
  if (na.backupPVC !== undefined) {
    if (!isRecord(na.backupPVC)) report('INST001', 'velero.nodeAgent.backupPVC', `expected a map of storage class to settings, got ${JSON.stringify(na.backupPVC)}`, "{ 'gp3': { storageClass: 'gp3-readonly', readOnly: true } }");
    else
      for (const [source, setting] of Object.entries(na.backupPVC).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const path = `velero.nodeAgent.backupPVC.${source}`;
        if (!CLASS_NAME.test(source) || !isRecord(setting)) {
          report('INST001', path, `expected a storage class name mapped to { storageClass, readOnly, spcNoRelabeling }, got ${JSON.stringify(source)}: ${JSON.stringify(setting)}`, 'key by the storage class of the volumes being backed up');
          continue;
        }
        if (setting.storageClass !== undefined && (typeof setting.storageClass !== 'string' || !CLASS_NAME.test(setting.storageClass))) {
          report('INST001', `${path}.storageClass`, `expected a storage class name, got ${JSON.stringify(setting.storageClass)}`, 'name an existing StorageClass');
        }
        for (const flag of ['readOnly', 'spcNoRelabeling'] as const) {
          if (setting[flag] !== undefined && typeof setting[flag] !== 'boolean') report('INST001', `${path}.${flag}`, `expected true or false, got ${JSON.stringify(setting[flag])}`, 'write a boolean');
        }
        backupPVC[source] = {
          storageClass: typeof setting.storageClass === 'string' ? setting.storageClass : undefined,
          readOnly: setting.readOnly === true ? true : undefined,
          spcNoRelabeling: setting.spcNoRelabeling === true ? true : undefined,
        };
      }
  }
  const maintenanceDeclared = declared.repositoryMaintenance === undefined ? {} : declared.repositoryMaintenance;
  if (!isRecord(maintenanceDeclared)) report('INST001', 'velero.repositoryMaintenance', `expected maintenance settings, got ${JSON.stringify(maintenanceDeclared)}`, '{ frequency, keepLatestJobs, resources }');
  const rm = isRecord(maintenanceDeclared) ? maintenanceDeclared : {};
  let frequency: Duration | undefined;
  if (rm.frequency !== undefined) {
    frequency = parseDuration(rm.frequency);
    if (frequency === undefined || frequency.seconds < 60) {
      report('INST001', 'velero.repositoryMaintenance.frequency', `expected a duration of at least a minute such as '12h' or '7d', got ${JSON.stringify(rm.frequency)}`, 'how often each repository is maintained');
      frequency = undefined;
    }
  }
  const model: VeleroInstallModel = {
    version: String(declared.version),
    image: cluster.props.images?.velero ?? '',
    plugins: PROVIDERS.filter((p) => providers.has(p)).map((p) => cluster.props.images?.veleroPlugins?.[p] ?? ''),
    serverResources: resources('velero.serverResources', declared.serverResources),
    nodeAgent: {
      loadConcurrency: count('velero.nodeAgent.loadConcurrency', na.loadConcurrency, 1),
      resources: resources('velero.nodeAgent.resources', na.resources),
      dataMoverResources: resources('velero.nodeAgent.dataMoverResources', na.dataMoverResources),
      backupPVC,
    },
    repositoryMaintenance: {
      frequency,
      keepLatestJobs: count('velero.repositoryMaintenance.keepLatestJobs', rm.keepLatestJobs, 0),
      resources: resources('velero.repositoryMaintenance.resources', rm.resources),
    },
  };
  if (typeof cluster.props.images?.velero !== 'string' || cluster.props.images.velero.trim() === '') {
    report('IMG002', 'images.velero', "the cluster declares Velero's installation but no Velero image", "add images: { velero: 'docker.io/velero/velero:v1.18.1' } (pin it by digest where guardrails require it)");
  }
  for (const provider of PROVIDERS.filter((p) => providers.has(p))) {
    const image = cluster.props.images?.veleroPlugins?.[provider];
    if (typeof image !== 'string' || image.trim() === '') {
      report('IMG002', `images.veleroPlugins.${provider}`, `the cluster's storage uses provider ${provider} but declares no Velero plugin image for it`, `add images: { veleroPlugins: { ${provider}: '<the velero-plugin-for-${provider === 'gcp' ? 'gcp' : provider === 'azure' ? 'microsoft-azure' : 'aws'} image>' } }`);
    }
  }
  return diagnostics.length === before ? model : undefined;
}
