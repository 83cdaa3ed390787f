/** What Velero does with a volume that matches a volume policy. */
export type VolumeAction = 'skip' | 'snapshot' | 'fs-backup';

/** Conditions of a volume policy; all given conditions must match. */
export interface VolumeConditions {
  /** Capacity range `'min,max'`, e.g. `'0,10Gi'` or `'500Gi,'`. */
  readonly capacity?: string;
  /** Storage classes. */
  readonly storageClass?: readonly string[];
  /** CSI driver of the volume. */
  readonly csiDriver?: string;
  /** Labels of the PVC. */
  readonly pvcLabels?: Readonly<Record<string, string>>;
}

/**
 * One rule of Velero's resource policy: volumes matching `conditions` get `action`. The first
 * matching rule wins.
 *
 * @example
 * volumePolicies: [{ conditions: { storageClass: ['scratch'] }, action: 'skip' }]
 */
export interface VolumePolicy {
  readonly conditions: VolumeConditions;
  readonly action: VolumeAction;
}
