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
