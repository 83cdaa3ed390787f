/**
 * The real Sealed Secrets controller (v0.36.6, built by `test/e2e/go/build.sh sealed-secrets`)
 * against a test cluster, as its Deployment runs it: as the ServiceAccount `sealed-secrets-controller`
 * in `kube-system` with the Helm chart's cluster rights, and with a given key pair loaded as its
 * active sealing key before it starts. The controller reads only in-cluster configuration, so each
 * instance gets what a pod would have, in a mount namespace of its own (root is needed for that):
 * a token, the CA and the namespace under /var/run/secrets/kubernetes.io/serviceaccount/, and
 * KUBERNETES_SERVICE_HOST/PORT pointing at the cluster's API server.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ControlPlane } from './control-plane.ts';
import { freePorts } from './ports.ts';
import { type Supervised, supervise, tail, waitFor } from './processes.ts';

/** The controller's version (its Go module). */
export const SEALED_SECRETS_VERSION = 'v0.36.6';

const NAMESPACE = 'kube-system';
const ACCOUNT = 'sealed-secrets-controller';

/** The cluster rights the upstream Helm chart grants the controller (templates/cluster-role.yaml). */
const CLUSTER_ROLE = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name: 'secrets-unsealer' },
  rules: [
    { apiGroups: ['bitnami.com'], resources: ['sealedsecrets'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['bitnami.com'], resources: ['sealedsecrets/status'], verbs: ['update'] },
    { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'create', 'update', 'delete', 'watch'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
  ],
};

/** A running controller. */
export interface SealedSecretsController {
  readonly process: Supervised;
  /** `http://127.0.0.1:<port>`: `/v1/cert.pem` serves the active certificate. */
  readonly url: string;
  /** The certificate the controller publishes now (PEM). */
  certificate(): Promise<string>;
  /** Asks the controller for a new sealing key, as `kill -USR1` does in a pod. */
  renewKey(): void;
  stop(): Promise<void>;
}

/** Options of a controller. */
export interface SealedSecretsOptions {
  readonly cluster: ControlPlane;
  /** The built `sealed-secrets-controller`. */
  readonly binary: string;
  readonly runDir: string;
  /** The active key pair: PEM files of a certificate and its RSA private key. */
  readonly key: { readonly cert: string; readonly key: string };
}

/** Grants the rights, loads the key, and starts the controller; resolves when it serves its certificate. */
export async function startSealedSecretsController(options: SealedSecretsOptions): Promise<SealedSecretsController> {
  if (process.getuid?.() !== 0) {
    throw new Error('the Sealed Secrets controller reads only in-cluster configuration; giving it one needs a mount namespace, which needs root (run the real-systems tests as root)');
  }
  const { cluster, runDir } = options;
  await cluster.kubectlOk(['create', 'serviceaccount', ACCOUNT, '-n', NAMESPACE]);
  await cluster.kubectlOk(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        CLUSTER_ROLE,
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: ACCOUNT },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: CLUSTER_ROLE.metadata.name },
          subjects: [{ kind: 'ServiceAccount', name: ACCOUNT, namespace: NAMESPACE }],
        },
      ],
    }),
  });
  const keySecret = 'sealed-secrets-key-e2e';
  await cluster.kubectlOk(['create', 'secret', 'tls', keySecret, '-n', NAMESPACE, `--cert=${options.key.cert}`, `--key=${options.key.key}`]);
  await cluster.kubectlOk(['label', 'secret', keySecret, '-n', NAMESPACE, 'sealedsecrets.bitnami.com/sealed-secrets-key=active']);

  const accountDir = path.join(runDir, cluster.name, 'sealed-secrets-serviceaccount');
  mkdirSync(accountDir, { recursive: true });
  const token = (await cluster.kubectlOk(['create', 'token', ACCOUNT, '-n', NAMESPACE, '--duration=48h'])).trim();
  writeFileSync(path.join(accountDir, 'token'), token, { mode: 0o600 });
  writeFileSync(path.join(accountDir, 'namespace'), NAMESPACE);
  copyFileSync(cluster.caFile, path.join(accountDir, 'ca.crt'));

  const [httpPort, metricsPort] = (await freePorts(2)) as [number, number];
  // In a mount namespace of its own: a fresh /run (so /var/run/secrets exists only for this process)
  // holding the ServiceAccount files, then the controller in place of the shell.
  const script = 'mount -t tmpfs tmpfs /run && d=/run/secrets/kubernetes.io/serviceaccount && mkdir -p "$d" && cp "$1"/* "$d"/ && shift && exec "$@"';
  const child = supervise({
    name: `${cluster.name}-sealed-secrets-controller`,
    runDir,
    command: 'unshare',
    args: [
      '--mount',
      '--propagation',
      'private',
      '--',
      '/bin/sh',
      '-c',
      script,
      'sh',
      accountDir,
      options.binary,
      `--listen-addr=127.0.0.1:${httpPort}`,
      `--listen-metrics-addr=127.0.0.1:${metricsPort}`,
      // No automatic renewal: the key is the committed test key until a test asks for a new one.
      '--key-renew-period=0',
      '--update-status=true',
    ],
    env: { PATH: process.env.PATH ?? '', KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(cluster.port) },
  });
  const url = `http://127.0.0.1:${httpPort}`;
  const certificate = async () => {
    const response = await fetch(`${url}/v1/cert.pem`);
    if (!response.ok) throw new Error(`GET /v1/cert.pem: ${response.status}`);
    return response.text();
  };
  await waitFor(
    async () => {
      if (!child.running()) throw new Error(`the Sealed Secrets controller exited (cluster ${cluster.name}):\n${tail(child.log)}`);
      return certificate().then(
        () => true,
        () => false,
      );
    },
    { timeoutMs: 60_000, intervalMs: 500, describe: () => `the Sealed Secrets controller did not serve its certificate within 60 s:\n${tail(child.log)}` },
  );
  return {
    process: child,
    url,
    certificate,
    renewKey() {
      child.signal('SIGUSR1');
    },
    stop: () => child.stop(),
  };
}
