/**
 * How long an application profile's dump takes and may take: from the data size it declares and
 * its dump tool's speed, bounded by the policy's RPO.
 */
import type { AppProfile } from '../dsl/apps/profile.ts';
import { parseDuration } from './duration.ts';
import { parseQuantity } from './quantity.ts';

/** Seconds the profile's dump is estimated to take (size / speed), or undefined without a valid `dataSize`. */
export function dumpSeconds(app: AppProfile): number | undefined {
  const bytes = app.dump ? parseQuantity(app.dump.dataSize) : undefined;
  if (bytes === undefined || !app.dump || !(app.dump.bytesPerSecond > 0)) return undefined;
  return bytes / app.dump.bytesPerSecond;
}

/**
 * The timeout of the profile's backup hooks, in seconds. A declared timeout, or a dump of unknown
 * size, keeps the profile's timeout. Otherwise twice the estimated dump time (whole minutes), at
 * least the profile's default, and no longer than the RPO: a dump running longer holds the next
 * backup back (Velero creates none while one of the same Schedule is in progress), and RPO002
 * reports it.
 */
export function hookTimeoutSeconds(app: AppProfile, rpoSeconds: number): number {
  const floor = parseDuration(app.hookTimeout)?.seconds ?? 300;
  const estimate = dumpSeconds(app);
  if (estimate === undefined || app.dump?.timeoutDeclared) return floor;
  const derived = Math.ceil((2 * estimate) / 60) * 60;
  return Math.max(floor, Math.min(derived, Number.isFinite(rpoSeconds) ? rpoSeconds : derived));
}
