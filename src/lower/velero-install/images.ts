/**
 * How `velero install` derives names and pull policies from image references (Velero v1.18.1,
 * pkg/install/deployment.go and pkg/builder/container_builder.go), reproduced so the generated
 * objects match what it renders.
 */
import { createHash } from 'node:crypto';

/**
 * `IfNotPresent` when the reference splits on `:` into exactly two parts and the second is not
 * `latest` (a tag, or a digest); `Always` otherwise (no tag, `latest`, or a registry with a port).
 */
export function pullPolicyOf(image: string): 'IfNotPresent' | 'Always' {
  const parts = image.split(':');
  return parts.length === 2 && parts[1] !== 'latest' ? 'IfNotPresent' : 'Always';
}

/**
 * The init container name of a plugin image: the repository path without the registry host (when
 * there is one) and without the tag or digest, `/`, `_` and `.` replaced by `-`, at most 63
 * characters (longer names keep 57 and add 6 hex digits of their SHA-256, as Velero's GetValidName).
 */
export function pluginContainerName(image: string): string {
  const slash = image.indexOf('/');
  const slashes = slash >= 0 ? image.slice(slash).split('/').length - 1 : 0;
  const start = slashes > 1 || slash === 0 ? slash + 1 : 0;
  let end = image.length;
  const at = image.lastIndexOf('@');
  if (at > 0) end = at;
  else {
    const colon = image.lastIndexOf(':');
    if (colon > 0) end = colon;
  }
  const name = image.slice(start, end).replace(/[/_.]/g, '-');
  if (name.length <= 63) return name;
  return name.slice(0, 57) + createHash('sha256').update(name).digest('hex').slice(0, 6);
}

/** A duration as Go's time.Duration prints it (`%v`): `168h0m0s`, `30m0s`, `45s`. */
export function goDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
