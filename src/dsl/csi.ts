/** What happens to the storage snapshot when its VolumeSnapshotContent is deleted. */
export type DeletionPolicy = 'Retain' | 'Delete';

/** Props of a CSI VolumeSnapshotClass for one driver. */
export interface CsiSnapshotClassProps {
  /** CSI driver name, e.g. `ebs.csi.aws.com`. */
  readonly driver: string;
  /** @default 'Retain': a deleted snapshot object must not delete the data under it */
  readonly deletionPolicy?: DeletionPolicy;
  /** Driver-specific parameters. @default none */
  readonly parameters?: Readonly<Record<string, string>>;
  /** Name of the class. @default `velero-<driver with dots as dashes>` */
  readonly name?: string;
}

/** A CSI snapshot class that Velero uses for one driver's volumes. */
export interface CsiSnapshotClass extends CsiSnapshotClassProps {
  readonly type: 'csi';
}

/**
 * A VolumeSnapshotClass labelled for Velero (`velero.io/csi-volumesnapshot-class: "true"`).
 *
 * @example
 * cluster('prod-eu', { ..., snapshotClasses: [csi({ driver: 'ebs.csi.aws.com' })] })
 */
export function csi(props: CsiSnapshotClassProps): CsiSnapshotClass {
  return { type: 'csi', ...props };
}
