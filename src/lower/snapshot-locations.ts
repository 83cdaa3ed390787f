import type { IVolumeSnapshotLocation } from '../k8s/velero/volume-snapshot-location.ts';
import type { PolicyModel } from '../model/types.ts';
import { emit, type LowerContext } from './context.ts';
import { MANAGED_BY } from './labels.ts';

/** The VolumeSnapshotLocation a native-snapshot policy uses: the one of its storage. */
export function nativeSnapshotLocation(policy: PolicyModel): string {
  return policy.storage ? `${policy.storage}-snapshots` : 'default';
}

/**
 * VolumeSnapshotLocations for policies using the provider's native disk snapshots: one per storage
 * they write to (so one per provider and region), named `<storage>-snapshots`, with that storage's
 * provider, region and credentials. Disk snapshots stay in the region they were taken in.
 */
export function lowerSnapshotLocations(ctx: LowerContext): void {
  const storages = new Map(ctx.model.storages.map((s) => [s.name, s]));
  const needed = new Set(
    ctx.model.policies
      .filter((p) => p.cluster === ctx.cluster.name && p.volumes === 'native-snapshot')
      .map((p) => p.storage),
  );
  for (const name of [...needed].sort()) {
    const storage = storages.get(name);
    if (!storage) continue;
    const location: IVolumeSnapshotLocation = {
      apiVersion: 'velero.io/v1',
      kind: 'VolumeSnapshotLocation',
      metadata: { name: `${name}-snapshots`, namespace: ctx.cluster.veleroNamespace, labels: { ...MANAGED_BY } },
      spec: {
        provider: storage.provider,
        config: storage.config.region ? { region: storage.config.region } : undefined,
        credential: { name: storage.credentials.name, key: storage.credentials.key },
      },
    };
    emit(ctx, location);
  }
}
