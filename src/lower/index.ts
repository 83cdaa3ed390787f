import { ApiObject, App, Chart } from 'cdk8s';
import type { Model } from '../model/types.ts';
import { normalize } from '../output/normalize.ts';
import type { PlacedObject } from '../output/layout.ts';
import { lowerAccess } from './access.ts';
import { lowerAlerts } from './alerts.ts';
import { FOLDER_METADATA, type LowerContext } from './context.ts';
import { lowerPodMonitors } from './pod-monitors.ts';
import { lowerPreSyncBackups } from './pre-sync-backup.ts';
import { lowerResourcePolicies } from './resource-policies.ts';
import { lowerRepositoryPasswordAdoption } from './repository-password.ts';
import { lowerRestorePlans } from './restore/index.ts';
import { lowerSchedules } from './schedules.ts';
import { lowerSealedSecrets } from './sealed.ts';
import { lowerSnapshotLocations } from './snapshot-locations.ts';
import { lowerSnapshotClasses } from './snapshots.ts';
import { lowerStorage } from './storage.ts';
import { applyArgoAnnotations } from './sync-waves.ts';
import { lowerVeleroInstall } from './velero-install/index.ts';

/** A backend: adds the objects of one concern to one cluster's chart. */
export type Backend = (ctx: LowerContext) => void;

/** Every backend, one concern each. */
export const BACKENDS: readonly Backend[] = [
  lowerVeleroInstall,
  lowerSnapshotClasses,
  lowerSealedSecrets,
  lowerRepositoryPasswordAdoption,
  lowerStorage,
  lowerSnapshotLocations,
  lowerResourcePolicies,
  lowerSchedules,
  lowerAlerts,
  lowerPodMonitors,
  lowerPreSyncBackups,
  lowerRestorePlans,
  lowerAccess,
];

/**
 * Lowers the model into Kubernetes objects: one cdk8s Chart per cluster, each backend adding its
 * objects. Objects are read with `ApiObject.toJson()` rather than `app.synth()`, which re-resolves
 * the whole app once per chart (quadratic in clusters); the writer lays files out itself. Every
 * object of a cluster's synced folder gets its Argo CD sync wave and sync options.
 */
export function lower(model: Model, backends: readonly Backend[] = BACKENDS): PlacedObject[] {
  const app = new App({ outdir: '.' });
  const placed: PlacedObject[] = [];
  for (const cluster of model.clusters) {
    const chart = new Chart(app, cluster.name, { disableResourceNameHashes: true });
    const ctx: LowerContext = { model, cluster, chart };
    for (const backend of backends) backend(ctx);
    // Every object, also those a cdk8s-plus construct holds one level down (rbac.ts).
    for (const child of chart.node.findAll()) {
      if (!(child instanceof ApiObject)) continue;
      const object = normalize(child.toJson());
      if (!object || typeof object !== 'object' || Array.isArray(object)) continue;
      const folder = child.node.metadata.find((m) => m.type === FOLDER_METADATA)?.data as string | undefined;
      placed.push(folder ? { cluster: cluster.name, object, folder } : { cluster: cluster.name, object });
    }
  }
  // Sync waves and sync options are added last, then keys are put back into canonical order.
  return applyArgoAnnotations(placed).map((p) => ({ ...p, object: normalize(p.object) as PlacedObject['object'] }));
}
