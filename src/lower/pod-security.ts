/**
 * The hardening every generated workload gets: non-root, read-only root file system, no privilege
 * escalation, every capability dropped, the runtime's default seccomp profile, and bounded
 * resources. Tools that need scratch space get an `emptyDir` at /tmp.
 */
export const POD_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: 65_532,
  runAsGroup: 65_532,
  fsGroup: 65_532,
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

/** Container-level hardening. */
export const CONTAINER_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
} as const;

/** Requests and limits of a small kubectl job. */
export const SMALL_JOB_RESOURCES = {
  requests: { cpu: '50m', memory: '64Mi' },
  limits: { cpu: '500m', memory: '256Mi' },
} as const;

/** The scratch volume and its mount at /tmp (kubectl writes its cache there; HOME points at it). */
export const SCRATCH = {
  volume: { name: 'tmp', emptyDir: {} },
  mount: { name: 'tmp', mountPath: '/tmp' },
} as const;

/** What differs between restorable's kubectl jobs; everything else of the pod is the same hardened shape. */
export interface KubectlPodProps {
  readonly serviceAccountName: string;
  readonly image: string | undefined;
  readonly containerName: string;
  readonly command: readonly string[];
  /** Extra volumes (besides scratch /tmp) and their mounts. */
  readonly volumes?: readonly { readonly volume: object; readonly mount: object }[];
}

/**
 * The pod spec of every generated kubectl job: its own ServiceAccount with a token (it calls the
 * API), never restarted, hardened, bounded, HOME on the scratch volume.
 */
export function kubectlPodSpec(props: KubectlPodProps): Record<string, unknown> {
  const extra = props.volumes ?? [];
  return {
    serviceAccountName: props.serviceAccountName,
    automountServiceAccountToken: true,
    restartPolicy: 'Never',
    securityContext: POD_SECURITY_CONTEXT,
    volumes: [SCRATCH.volume, ...extra.map((v) => v.volume)],
    containers: [
      {
        name: props.containerName,
        image: props.image,
        imagePullPolicy: 'IfNotPresent',
        command: [...props.command],
        env: [{ name: 'HOME', value: '/tmp' }],
        securityContext: CONTAINER_SECURITY_CONTEXT,
        resources: SMALL_JOB_RESOURCES,
        volumeMounts: [SCRATCH.mount, ...extra.map((v) => v.mount)],
      },
    ],
  };
}
