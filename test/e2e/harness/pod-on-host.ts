/**
 * A stand-in for the one thing that cannot run here: a pod. No kubelet and no container runtime
 * exist on these machines, so a Job's pod is run on the host instead, as close to the real pod as
 * the host allows, and every test that uses this says so in its name:
 * - as the pod's ServiceAccount: a TokenRequest token (as the kubelet requests one), the CA and the
 *   namespace under /var/run/secrets/kubernetes.io/serviceaccount/, and KUBERNETES_SERVICE_HOST/PORT,
 *   so kubectl uses its in-cluster configuration, never an admin kubeconfig;
 * - with its volumes mounted where the pod mounts them (ConfigMaps as files, emptyDirs), in a mount
 *   namespace of its own (root needed), the host's top-level folders overlaid so nothing is written
 *   to the host;
 * - under BusyBox's shell and applets (the image's `sh`, `sed`, `awk`, `date`) and the real kubectl,
 *   with the container's env and command.
 * Not reproduced: the image's other files, resource limits, the security context, networking.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ControlPlane } from './control-plane.ts';

/** The parts of a Job this reads. */
export interface JobLike {
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec: { readonly template: { readonly spec: PodSpecLike } };
}

interface PodSpecLike {
  readonly serviceAccountName?: string;
  readonly containers: readonly {
    readonly command?: readonly string[];
    readonly args?: readonly string[];
    readonly env?: readonly { readonly name: string; readonly value?: string; readonly valueFrom?: unknown }[];
    readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string; readonly subPath?: string }[];
  }[];
  readonly volumes?: readonly {
    readonly name: string;
    readonly configMap?: { readonly name: string; readonly items?: readonly { readonly key: string; readonly path: string }[]; readonly defaultMode?: number };
    readonly emptyDir?: unknown;
  }[];
}

/** What the pod's container did. */
export interface HostPodResult {
  readonly code: number | null;
  readonly output: string;
}

/** Options of a run. */
export interface HostPodOptions {
  readonly cluster: ControlPlane;
  /** Folder of the real kubectl. */
  readonly kubectlDir: string;
  /** Where the run's files go (a fresh folder is made inside). */
  readonly workDir: string;
  /** Killed after this long. @default 300 000 */
  readonly timeoutMs?: number;
  /** Called with each chunk of output (to watch progress). */
  readonly onOutput?: (chunk: string) => void;
}

const BUSYBOX = 'busybox';

/** Lays out a folder of BusyBox applets plus kubectl: the pod's PATH. */
function toolFolder(dir: string, kubectlDir: string): string {
  const bin = path.join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  let busybox: string;
  try {
    busybox = execFileSync('sh', ['-c', `command -v ${BUSYBOX}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('BusyBox is not installed: the pod stand-in runs scripts under BusyBox like the kubectl image does (Debian: apt-get install busybox)');
  }
  for (const applet of execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
    symlinkSync(busybox, path.join(bin, applet));
  }
  symlinkSync(path.join(kubectlDir, 'kubectl'), path.join(bin, 'kubectl'));
  return bin;
}

/** Runs the first container of a Job's pod on the host; resolves when it exits. */
export async function runJobPodOnHost(job: JobLike, options: HostPodOptions): Promise<HostPodResult> {
  if (process.getuid?.() !== 0) throw new Error('the pod stand-in mounts the pod volumes in a mount namespace, which needs root');
  const { cluster } = options;
  const namespace = job.metadata.namespace ?? 'default';
  const pod = job.spec.template.spec;
  const container = pod.containers[0]!;
  mkdirSync(options.workDir, { recursive: true });
  const dir = mkdtempSync(path.join(options.workDir, `${job.metadata.name}-`));
  try {
    const account = pod.serviceAccountName ?? 'default';
    const accountDir = path.join(dir, 'serviceaccount');
    mkdirSync(accountDir);
    const token = (await cluster.kubectlOk(['create', 'token', account, '-n', namespace, '--duration=1h'])).trim();
    writeFileSync(path.join(accountDir, 'token'), token, { mode: 0o600 });
    writeFileSync(path.join(accountDir, 'namespace'), namespace);
    copyFileSync(cluster.caFile, path.join(accountDir, 'ca.crt'));

    // Each mount: a source folder prepared here, bind-mounted at its path inside the namespace.
    const mounts: { source: string; target: string }[] = [];
    for (const mount of container.volumeMounts ?? []) {
      if (mount.subPath) throw new Error(`volume mount ${mount.name} uses subPath, which the pod stand-in does not support`);
      const volume = pod.volumes?.find((v) => v.name === mount.name);
      const source = path.join(dir, 'volumes', mount.name);
      mkdirSync(source, { recursive: true });
      if (volume?.configMap) {
        const configMap = JSON.parse(await cluster.kubectlOk(['get', 'configmap', volume.configMap.name, '-n', namespace, '-o', 'json'])) as { data?: Record<string, string> };
        const items = volume.configMap.items ?? Object.keys(configMap.data ?? {}).map((key) => ({ key, path: key }));
        for (const item of items) {
          const file = path.join(source, item.path);
          mkdirSync(path.dirname(file), { recursive: true });
          writeFileSync(file, configMap.data?.[item.key] ?? '', { mode: volume.configMap.defaultMode ?? 0o644 });
        }
      } else if (volume?.emptyDir === undefined) {
        throw new Error(`volume ${mount.name} is neither a ConfigMap nor an emptyDir, which the pod stand-in does not support`);
      }
      mounts.push({ source, target: mount.mountPath });
    }
    const env: Record<string, string> = {};
    for (const variable of container.env ?? []) {
      if (variable.valueFrom !== undefined) throw new Error(`env ${variable.name} uses valueFrom, which the pod stand-in does not support`);
      env[variable.name] = variable.value ?? '';
    }
    const bin = toolFolder(dir, options.kubectlDir);
    const command = [...(container.command ?? []), ...(container.args ?? [])];
    if (command.length === 0) throw new Error('the container has no command: the image entrypoint is not known here');

    // Overlay each top-level folder a mount lands in (so mount points are made in a scratch layer,
    // never on the host), bind the volumes (sources under /tmp first, before /tmp itself may be
    // covered), then exec the command with the pod's environment only.
    const tops = [...new Set(mounts.map((m) => `/${m.target.split('/')[1]}`).filter((top) => top !== '/run' && top !== '/tmp'))];
    // The tools are bound under the fresh /run too: their folder is under /tmp, which the pod's own /tmp may cover.
    const tools = '/run/restorable-pod-tools';
    const lines = ['set -e', 'mount -t tmpfs tmpfs /run', 'd=/run/secrets/kubernetes.io/serviceaccount', 'mkdir -p "$d"', `cp ${accountDir}/* "$d"/`, `mkdir -p ${tools}`, `mount --bind ${bin} ${tools}`];
    tops.forEach((top, i) => {
      const layer = path.join(dir, `overlay-${i}`);
      mkdirSync(path.join(layer, 'upper'), { recursive: true });
      mkdirSync(path.join(layer, 'work'), { recursive: true });
      lines.push(`mount -t overlay overlay -o lowerdir=${top},upperdir=${layer}/upper,workdir=${layer}/work ${top}`);
    });
    const ordered = [...mounts].sort((a, b) => Number(a.target === '/tmp') - Number(b.target === '/tmp'));
    for (const mount of ordered) lines.push(`mkdir -p ${mount.target}`, `mount --bind ${mount.source} ${mount.target}`);
    lines.push('exec "$@"');
    const podEnv = {
      PATH: tools,
      HOSTNAME: job.metadata.name,
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: String(cluster.port),
      ...env,
    };
    const envArgs = Object.entries(podEnv).map(([k, v]) => `${k}=${v}`);
    const [program, ...rest] = command;
    const executable = program === '/bin/sh' ? `${tools}/sh` : program!;
    return await new Promise<HostPodResult>((resolve) => {
      const child = spawn('unshare', ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', lines.join('\n'), 'sh', 'env', '-i', ...envArgs, executable, ...rest], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const take = (chunk: Buffer) => {
        output += chunk.toString();
        options.onOutput?.(chunk.toString());
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A `runHook` for {@link import('./argocd-sync.ts').syncFolder}: each hook Job's pod runs on the host. */
export function hooksOnHost(options: Omit<HostPodOptions, 'onOutput'>) {
  return async (job: object): Promise<{ succeeded: boolean; message: string }> => {
    const result = await runJobPodOnHost(job as JobLike, options);
    return { succeeded: result.code === 0, message: result.output };
  };
}
