/**
 * Velero installed into a test control plane the way real installations do it, then run on the host.
 *
 * `velero install --dry-run -o yaml` (the CLI built by `test/e2e/go/build.sh velero`) renders the
 * installation with the test settings (AWS plugin, the object store's bucket, prefix and endpoint,
 * its admin key as the credentials Secret, no volume snapshots, no node agent); the output is
 * applied with `kubectl apply --server-side`, CRDs first. The rendered Deployment's pod never runs
 * (no kubelet), so its container is reproduced as a host process: the same command and args, its
 * volumes as folders of the run (emptyDirs empty, Secrets written from the cluster, the plugin init
 * containers' copies done from the plugin binaries built by `build.sh velero-plugin-for-aws`), its
 * mount paths in its environment mapped onto those folders. Added for the host: `--kubeconfig` (the
 * cluster admin), `--namespace`, `--plugin-dir`, free loopback ports for Velero's metrics and
 * profiler servers, and shorter validation and sync periods. controller-runtime's own metrics
 * endpoint has no flag; the build links it to a free loopback port (test/e2e/go/velero/ldflags), so
 * several servers can run side by side. Hooks, file-system backups and volume data need running
 * pods and are out of scope here.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import type { ControlPlane } from './control-plane.ts';
import type { ObjectStore } from './object-store.ts';
import { freePorts } from './ports.ts';
import { type Supervised, supervise, tail, waitFor } from './processes.ts';

/** The Velero release built by `build.sh velero`. */
export const VELERO_VERSION = 'v1.18.1';
/** The AWS plugin release built by `build.sh velero-plugin-for-aws`, and the image installations name. */
export const AWS_PLUGIN_IMAGE = 'velero/velero-plugin-for-aws:v1.14.3';

/** A Kubernetes object as `velero install` renders it. */
export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly [field: string]: unknown;
}

interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly fieldRef?: { readonly fieldPath: string } };
}
interface Container {
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly EnvVar[];
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string }[];
}
interface Volume {
  readonly name: string;
  readonly emptyDir?: object;
  readonly secret?: { readonly secretName: string; readonly defaultMode?: number };
}
interface PodSpec {
  readonly containers: readonly Container[];
  readonly initContainers?: readonly Container[];
  readonly volumes?: readonly Volume[];
}

/** What one velero CLI run did. */
export interface VeleroCliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of a Velero installation. */
export interface VeleroOptions {
  readonly cluster: ControlPlane;
  readonly store: ObjectStore;
  /** Bucket of the default BackupStorageLocation (one of the store's). */
  readonly bucket: string;
  /** Prefix in the bucket. */
  readonly prefix: string;
  /** The run folder. */
  readonly runDir: string;
  /** Folder with `velero` (`inject('veleroBin')`). */
  readonly veleroBinDir: string;
  /** Folder with `velero-plugin-for-aws` (`inject('veleroPluginForAwsBin')`). */
  readonly awsPluginBinDir: string;
  /** Log and folder name. @default `<cluster>-velero` */
  readonly name?: string;
  /** Appended to the server's args (e.g. `--log-level=debug`). */
  readonly extraServerArgs?: readonly string[];
  /**
   * The installation to apply and run instead of what `velero install` renders (e.g. restorable's
   * generated one); its storage location is then `location`, which the caller creates.
   */
  readonly installation?: { readonly objects: readonly RenderedObject[]; readonly location: string; readonly beforeStart?: () => Promise<void> };
}

/** Velero installed in a cluster, its server running on the host. */
export interface Velero {
  readonly namespace: string;
  /** Everything `velero install --dry-run -o yaml` rendered (and was applied). */
  readonly rendered: readonly RenderedObject[];
  /** The server's full command line after the binary: the rendered container args, then the host's. */
  readonly serverArgs: readonly string[];
  readonly server: Supervised;
  /** `http://127.0.0.1:<port>/metrics`: the server's Prometheus metrics (`--metrics-address`). */
  readonly metricsUrl: string;
  /** The velero CLI against the cluster, in the installation's namespace; never throws on failure. */
  cli(args: readonly string[], options?: { readonly timeoutMs?: number }): Promise<VeleroCliResult>;
  /** The velero CLI; throws with its output on failure, returns stdout. */
  cliOk(args: readonly string[], options?: { readonly timeoutMs?: number }): Promise<string>;
  /** `status.phase` of a BackupStorageLocation ('' while unset). */
  backupStorageLocationPhase(name?: string): Promise<string>;
  /** Waits until the BackupStorageLocation is `Available` (its plugin reached the bucket). */
  waitForBackupStorageLocation(name?: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function run(binary: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number, input?: string): Promise<VeleroCliResult> {
  return new Promise((resolve) => {
    const child = execFile(binary, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Renders and applies the installation, starts the server, and waits until the default location is Available. */
export async function installVelero(options: VeleroOptions): Promise<Velero> {
  const { cluster, store, runDir } = options;
  const namespace = 'velero';
  const name = options.name ?? `${cluster.name}-velero`;
  const dir = path.join(runDir, name);
  const home = path.join(dir, 'home');
  mkdirSync(home, { recursive: true });
  const velero = path.join(options.veleroBinDir, 'velero');
  const env = { PATH: process.env.PATH ?? '', HOME: home };
  const cli = (args: readonly string[], cliOptions: { readonly timeoutMs?: number } = {}) =>
    run(velero, [`--kubeconfig=${cluster.adminKubeconfig}`, `--namespace=${namespace}`, ...args], env, cliOptions.timeoutMs ?? 300_000);
  const cliOk = async (args: readonly string[], cliOptions: { readonly timeoutMs?: number } = {}) => {
    const result = await cli(args, cliOptions);
    if (result.code !== 0) throw new Error(`velero ${args.join(' ')} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`.trim());
    return result.stdout;
  };

  // What `velero install` would send, rendered with the test settings.
  const secretFile = path.join(dir, 'credentials-velero');
  writeFileSync(secretFile, `[default]\naws_access_key_id=${store.admin.accessKeyId}\naws_secret_access_key=${store.admin.secretAccessKey}\n`, { mode: 0o600 });
  const rendered = options.installation ? { kind: 'List', items: [...options.installation.objects] } : (yaml.load(
    await cliOk([
      'install',
      '--dry-run',
      '-o',
      'yaml',
      '--provider=aws',
      `--plugins=${AWS_PLUGIN_IMAGE}`,
      `--bucket=${options.bucket}`,
      `--prefix=${options.prefix}`,
      `--backup-location-config=region=${store.region},s3ForcePathStyle=true,s3Url=${store.endpoint}`,
      `--secret-file=${secretFile}`,
      '--use-volume-snapshots=false',
    ]),
  ) as { kind: string; items: RenderedObject[] });
  if (rendered?.kind !== 'List' || !Array.isArray(rendered.items)) throw new Error('velero install --dry-run -o yaml did not print a List');
  const objects = rendered.items;

  // CRDs first, then (once established) everything else: a GitOps tool's waves do the same.
  const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
  const rest = objects.filter((o) => o.kind !== 'CustomResourceDefinition');
  const apply = (items: readonly RenderedObject[]) =>
    cluster.kubectlOk(['apply', '--server-side', '--field-manager=velero-install', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
  await apply(crds);
  await cluster.kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', ...crds.map((c) => `crd/${c.metadata.name}`)]);
  await apply(rest);

  // The Deployment's velero container, as a host process.
  const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'velero');
  if (!deployment) throw new Error('velero install rendered no Deployment velero');
  const pod = (deployment as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
  const container = pod.containers.find((c) => c.name === 'velero');
  if (!container) throw new Error('the rendered Deployment has no container velero');
  if (!container.image.endsWith(`velero/velero:${VELERO_VERSION}`)) throw new Error(`the rendered image is ${container.image}, not velero/velero:${VELERO_VERSION}`);
  if (container.command?.join(' ') !== '/velero') throw new Error(`unexpected command ${JSON.stringify(container.command)}`);

  const volumeDirs = new Map<string, string>();
  for (const volume of pod.volumes ?? []) {
    const hostDir = path.join(dir, 'volumes', volume.name);
    mkdirSync(hostDir, { recursive: true });
    volumeDirs.set(volume.name, hostDir);
    if (volume.secret) {
      const secret = JSON.parse(await cluster.kubectlOk(['get', 'secret', volume.secret.secretName, '-n', namespace, '-o', 'json'])) as { data?: Record<string, string> };
      for (const [key, value] of Object.entries(secret.data ?? {})) {
        const file = path.join(hostDir, key);
        writeFileSync(file, Buffer.from(value, 'base64'));
        chmodSync(file, volume.secret.defaultMode ?? 0o644);
      }
    } else if (!volume.emptyDir) {
      throw new Error(`volume ${volume.name} of the rendered Deployment is neither an emptyDir nor a Secret`);
    }
  }
  const mounts = (c: Container) =>
    (c.volumeMounts ?? []).map((m) => ({ mountPath: m.mountPath, hostDir: volumeDirs.get(m.name) ?? '' })).sort((a, b) => b.mountPath.length - a.mountPath.length);
  const containerMounts = mounts(container);
  const hostPath = (value: string) => {
    const mount = containerMounts.find((m) => value === m.mountPath || value.startsWith(`${m.mountPath}/`));
    return mount ? mount.hostDir + value.slice(mount.mountPath.length) : value;
  };

  // Plugin init containers copy their plugin into the shared volume; here the built binary is linked in.
  const pluginBinaries = new Map([[AWS_PLUGIN_IMAGE, path.join(options.awsPluginBinDir, 'velero-plugin-for-aws')]]);
  for (const init of pod.initContainers ?? []) {
    // By repository and tag: a registry host in front (docker.io/...) names the same image.
    const binary = [...pluginBinaries].find(([image]) => init.image === image || init.image.endsWith(`/${image}`))?.[1];
    if (!binary) throw new Error(`no host binary for the init container image ${init.image}`);
    const target = mounts(init).find((m) => m.mountPath === '/target');
    if (!target) throw new Error(`init container ${init.name} mounts no /target`);
    symlinkSync(binary, path.join(target.hostDir, path.basename(binary)));
  }
  const pluginsDir = containerMounts.find((m) => m.mountPath === '/plugins')?.hostDir;
  if (!pluginsDir) throw new Error('the rendered velero container mounts no /plugins');

  const serverEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: home, TMPDIR: path.join(dir, 'tmp') };
  mkdirSync(serverEnv.TMPDIR!, { recursive: true });
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) serverEnv[variable.name] = hostPath(variable.value);
    else if (variable.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') serverEnv[variable.name] = namespace;
    else throw new Error(`unsupported env ${variable.name} in the rendered velero container`);
  }

  const [metricsPort, profilerPort] = (await freePorts(2)) as [number, number];
  const serverArgs = [
    ...(container.args ?? []),
    `--kubeconfig=${cluster.adminKubeconfig}`,
    `--namespace=${namespace}`,
    `--plugin-dir=${pluginsDir}`,
    `--metrics-address=127.0.0.1:${metricsPort}`,
    `--profiler-address=127.0.0.1:${profilerPort}`,
    '--store-validation-frequency=5s',
    '--backup-sync-period=5s',
    ...(options.extraServerArgs ?? []),
  ];
  await options.installation?.beforeStart?.();
  const server = supervise({ name, runDir, command: velero, args: serverArgs, env: serverEnv, cwd: dir });

  const backupStorageLocationPhase = async (location = 'default') => {
    const result = await cluster.kubectl(['get', 'backupstoragelocations.velero.io', location, '-n', namespace, '-o', 'jsonpath={.status.phase}']);
    return result.code === 0 ? result.stdout.trim() : '';
  };
  const installation: Velero = {
    namespace,
    rendered: objects,
    serverArgs,
    server,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    cli,
    cliOk,
    backupStorageLocationPhase,
    async waitForBackupStorageLocation(location = 'default', timeoutMs = 120_000) {
      let phase = '';
      await waitFor(async () => {
        if (!server.running()) throw new Error(`velero server exited:\n${tail(server.log, 40)}`);
        phase = await backupStorageLocationPhase(location);
        return phase === 'Available';
      }, {
        timeoutMs,
        intervalMs: 1_000,
        describe: () => `BackupStorageLocation ${location} is ${phase || 'without a phase'} after ${timeoutMs / 1000} s:\n${tail(server.log, 40)}`,
      });
    },
    stop: () => server.stop(15_000),
  };
  try {
    await installation.waitForBackupStorageLocation(options.installation?.location);
  } catch (error) {
    await server.stop(15_000);
    throw error;
  }
  return installation;
}
