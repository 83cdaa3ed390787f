/**
 * A real Kubernetes control plane on loopback: etcd, kube-apiserver and kube-controller-manager, the
 * upstream programs built by `test/e2e/go/build.sh kubernetes`. No kubelet and no scheduler run, so
 * pods are created but never start; a PVC binds only to a PV the test creates beforehand.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { type CertFiles, issue, serviceAccountKeys, type TestCa } from './pki.ts';
import { freePorts } from './ports.ts';
import { type Supervised, supervise, tail, waitFor } from './processes.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { type KubectlOptions, type KubectlResult, kubectlOk, runKubectl } from './kubectl.ts';

/** The controllers that run: those whose effects the scenarios rely on, and no pod-creating ones. */
export const CONTROLLERS = [
  'namespace-controller',
  'garbage-collector-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'root-ca-certificate-publisher-controller',
  'persistentvolume-binder-controller',
  // Remove the finalizers admission puts on every claim and volume once no pod uses them: without
  // them a namespace holding claims is never finalised.
  'persistentvolume-protection-controller',
  'persistentvolumeclaim-protection-controller',
  // Writes each ValidatingAdmissionPolicy's status.typeChecking: the API server accepts policies with type errors.
  'validatingadmissionpolicy-status-controller',
] as const;

/** Where the binaries are. */
export interface KubernetesBinaries {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubectl: string;
}

/** The binaries in a directory built by `build.sh kubernetes`. */
export function kubernetesBinaries(binDir: string): KubernetesBinaries {
  return {
    etcd: path.join(binDir, 'etcd'),
    kubeApiserver: path.join(binDir, 'kube-apiserver'),
    kubeControllerManager: path.join(binDir, 'kube-controller-manager'),
    kubectl: path.join(binDir, 'kubectl'),
  };
}

/** Options of a control plane. */
export interface ControlPlaneOptions {
  /** Cluster name, used in file names (e.g. `prod-eu`). */
  readonly name: string;
  readonly binaries: KubernetesBinaries;
  /** The run's CA; every cluster of a run shares it. */
  readonly ca: TestCa;
  /** The run folder (see processes.ts). */
  readonly runDir: string;
  /** An audit policy file: when set, the API server writes an audit log (JSON lines). */
  readonly auditPolicy?: string;
}

/** A running control plane. */
export interface ControlPlane {
  readonly name: string;
  /** `https://127.0.0.1:<port>`. */
  readonly server: string;
  readonly port: number;
  /** Kubeconfig of a cluster admin (client certificate in `system:masters`). */
  readonly adminKubeconfig: string;
  readonly caFile: string;
  /** The audit log, when an audit policy was given. */
  readonly auditLog?: string;
  /** The processes, for their logs. */
  readonly processes: () => readonly Supervised[];
  /** kubectl as the admin (or impersonating `as`/`groups`); never throws on failure. */
  kubectl(args: readonly string[], options?: KubectlOptions): Promise<KubectlResult>;
  /** kubectl as the admin; throws with stderr on failure, returns stdout. */
  kubectlOk(args: readonly string[], options?: KubectlOptions): Promise<string>;
  /** Stops and starts kube-apiserver with the same flags and storage (clients see it go away). */
  restartApiServer(): Promise<void>;
  /** Stops everything, controller-manager first. */
  stop(): Promise<void>;
}

/** GET `path` on the API server as the admin; resolves with the status code (0 when unreachable). */
function probe(server: string, admin: CertFiles, caFile: string, urlPath: string): Promise<number> {
  return new Promise((resolve) => {
    const request = https.get(
      `${server}${urlPath}`,
      { cert: readFileSync(admin.cert), key: readFileSync(admin.key), ca: readFileSync(caFile), timeout: 2_000 },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', () => resolve(0));
    request.on('timeout', () => request.destroy());
  });
}

/** Starts etcd, kube-apiserver and kube-controller-manager and waits until they serve. */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const { name, binaries, ca, runDir } = options;
  const dir = path.join(runDir, name);
  const [etcdClient, etcdPeer, apiPort] = (await freePorts(3)) as [number, number, number];
  const server = `https://127.0.0.1:${apiPort}`;
  const serving = issue(ca, { name: `${name}-apiserver`, commonName: 'kube-apiserver', altNames: ['IP:127.0.0.1', 'DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default.svc'] });
  const admin = issue(ca, { name: `${name}-admin`, commonName: 'restorable-e2e-admin', groups: ['system:masters'] });
  const controllerManagerCert = issue(ca, { name: `${name}-controller-manager`, commonName: 'system:kube-controller-manager' });
  const sa = serviceAccountKeys(path.join(dir, 'sa'));
  const adminKubeconfig = writeKubeconfig(path.join(dir, 'admin.kubeconfig'), { server, caFile: ca.cert, user: admin });
  const cmKubeconfig = writeKubeconfig(path.join(dir, 'controller-manager.kubeconfig'), { server, caFile: ca.cert, user: controllerManagerCert });
  const auditLog = options.auditPolicy ? path.join(dir, 'audit.log') : undefined;
  const processes: Supervised[] = [];

  const etcd = supervise({
    name: `${name}-etcd`,
    runDir,
    command: binaries.etcd,
    args: [
      `--name=${name}`,
      `--data-dir=${path.join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=${name}=http://127.0.0.1:${etcdPeer}`,
      // Test data only: durability is traded for speed on a busy 2-core machine.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
  });
  processes.push(etcd);

  const apiserverArgs = [
    `--etcd-servers=http://127.0.0.1:${etcdClient}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${apiPort}`,
    `--tls-cert-file=${serving.cert}`,
    `--tls-private-key-file=${serving.key}`,
    `--client-ca-file=${ca.cert}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${sa.publicKey}`,
    `--service-account-signing-key-file=${sa.privateKey}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    // One loopback API server: nobody else may claim the `kubernetes` Service's endpoints.
    '--endpoint-reconciler-type=none',
    '--allow-privileged=true',
    `--cert-dir=${path.join(dir, 'apiserver-certs')}`,
    ...(auditLog ? [`--audit-policy-file=${options.auditPolicy}`, `--audit-log-path=${auditLog}`, '--audit-log-format=json', '--audit-log-mode=blocking'] : []),
  ];
  const startApiserver = (): Supervised => {
    const apiserver = supervise({ name: `${name}-kube-apiserver`, runDir, command: binaries.kubeApiserver, args: apiserverArgs });
    processes.push(apiserver);
    return apiserver;
  };
  let apiserver = startApiserver();

  const describeFailure = (what: string) => () =>
    `${what} (cluster ${name}).\n--- etcd log ---\n${tail(etcd.log, 15)}\n--- kube-apiserver log ---\n${tail(apiserver.log, 30)}`;
  const waitReady = () =>
    waitFor(async () => {
      if (!apiserver.running()) throw new Error(describeFailure('kube-apiserver exited')());
      return (await probe(server, admin, ca.cert, '/readyz')) === 200;
    }, {
      timeoutMs: 120_000,
      intervalMs: 500,
      describe: describeFailure('kube-apiserver did not become ready within 120 s'),
    });
  await waitReady();

  const controllerManager = supervise({
    name: `${name}-kube-controller-manager`,
    runDir,
    command: binaries.kubeControllerManager,
    args: [
      `--kubeconfig=${cmKubeconfig}`,
      `--controllers=${CONTROLLERS.join(',')}`,
      // Each controller acts as its own ServiceAccount, as kubeadm runs it, so RBAC is real for them too.
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${sa.privateKey}`,
      `--root-ca-file=${ca.cert}`,
      '--leader-elect=false',
      '--secure-port=0',
      // Runs here are short: react within seconds, not minutes.
      '--concurrent-namespace-syncs=5',
    ],
  });
  processes.push(controllerManager);

  const run = (args: readonly string[], kubectlOptions?: KubectlOptions) => runKubectl(binaries.kubectl, adminKubeconfig, args, kubectlOptions);
  // The serviceaccount controller creates `default` in every namespace: proof that the controllers act.
  await waitFor(async () => {
    if (!controllerManager.running()) throw new Error(`kube-controller-manager exited (cluster ${name}):\n${tail(controllerManager.log, 30)}`);
    return (await run(['get', 'serviceaccount', 'default', '-n', 'default', '-o', 'name'])).code === 0;
  }, {
    timeoutMs: 120_000,
    intervalMs: 500,
    describe: () => `kube-controller-manager did not create the default ServiceAccount within 120 s (cluster ${name}).\n${tail(controllerManager.log, 30)}`,
  });

  return {
    name,
    server,
    port: apiPort,
    adminKubeconfig,
    caFile: ca.cert,
    ...(auditLog ? { auditLog } : {}),
    processes: () => processes,
    kubectl: run,
    kubectlOk: (args, kubectlOptions) => kubectlOk(binaries.kubectl, adminKubeconfig, args, kubectlOptions),
    async restartApiServer() {
      await apiserver.stop();
      apiserver = startApiserver();
      await waitReady();
    },
    async stop() {
      await controllerManager.stop();
      await apiserver.stop();
      await etcd.stop();
    },
  };
}
