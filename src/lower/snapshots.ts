import { emit, type LowerContext } from './context.ts';
import { MANAGED_BY } from './labels.ts';

/** The label by which Velero picks the VolumeSnapshotClass of a CSI driver. */
export const VELERO_SNAPSHOT_CLASS_LABEL = 'velero.io/csi-volumesnapshot-class';

/** One VolumeSnapshotClass per declared CSI driver, labelled for Velero. */
export function lowerSnapshotClasses(ctx: LowerContext): void {
  for (const snapshotClass of ctx.cluster.snapshotClasses) {
    emit(ctx, {
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshotClass',
      metadata: { name: snapshotClass.name, labels: { ...MANAGED_BY, [VELERO_SNAPSHOT_CLASS_LABEL]: 'true' } },
      driver: snapshotClass.driver,
      deletionPolicy: snapshotClass.deletionPolicy,
      parameters: { ...snapshotClass.parameters },
    });
  }
}
