import type { RestorePlanModel } from '../../model/types.ts';
import { MANAGED_BY } from '../labels.ts';
import { kubectlPodSpec } from '../pod-security.ts';

/** Label of every probe pod a drill runs; admission (`restorable-scope-*`) admits no other pod of the drill. */
export const PROBE_LABEL = 'restorable.dev/probe';

/** How long a probe pod may run once started (kubectl's own request timeout is shorter). */
const PROBE_DEADLINE_SECONDS = 60;

type Manifest = Record<string, unknown> & { kind: string };

/**
 * A pod the drill runs inside one of its namespaces, so that what it reaches is decided by the
 * drill's NetworkPolicy: the cluster's kubectl image (the one image a drill already needs), with no
 * ServiceAccount token and no kubeconfig (`--kubeconfig=/dev/null`: nothing but the given server),
 * never restarted, hardened like every generated pod. A failed probe's last log lines become its
 * termination message, which the drill reads from the pod's status (no rights on logs needed).
 */
function probePod(plan: RestorePlanModel, name: string, image: string, args: readonly string[]): Manifest {
  const spec = kubectlPodSpec({ serviceAccountName: 'default', image, containerName: 'probe', command: ['kubectl', '--kubeconfig=/dev/null', '--request-timeout=10s', ...args] });
  const containers = (spec.containers as Record<string, unknown>[]).map((container) => ({ ...container, terminationMessagePolicy: 'FallbackToLogsOnError' }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { ...MANAGED_BY, 'restorable.dev/plan': plan.name, [PROBE_LABEL]: name } },
    spec: { ...spec, automountServiceAccountToken: false, activeDeadlineSeconds: PROBE_DEADLINE_SECONDS, containers },
  };
}

/**
 * The isolation probe, which must fail: from a drill namespace, a GET of the API server's `/livez`
 * through its in-cluster Service. Any answer (`ok`, or a refusal such as Unauthorized) means traffic
 * left the namespace, so the drill's NetworkPolicy is not enforced; a timeout or a refused
 * connection means it is. The name is resolved through the cluster DNS, which the policy allows, so
 * a failed lookup proves nothing either way.
 */
export function isolationProbe(plan: RestorePlanModel, image: string): Manifest {
  return probePod(plan, 'restorable-isolation-probe', image, ['--server=https://kubernetes.default.svc', '--insecure-skip-tls-verify', 'get', '--raw', '/livez']);
}

/**
 * The pod an HTTP check of a drill runs in the drill namespace: a GET of the restored Service by
 * its cluster DNS name, passing on a 2xx answer. (The runner uses the API server's service proxy;
 * the drill's NetworkPolicy admits nothing from outside the namespace, the proxy included.)
 */
export function httpProbe(plan: RestorePlanModel, image: string, id: string, check: { readonly service: string; readonly port: number; readonly path: string }, namespace: string): Manifest {
  return probePod(plan, `restorable-check-${id}`, image, [`--server=http://${check.service}.${namespace}.svc:${check.port}`, 'get', '--raw', check.path]);
}
