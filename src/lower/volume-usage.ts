/**
 * What a cluster's policies ask of Velero's volume machinery, which decides parts of its
 * installation (the node-agent, the EnableCSI feature) and of its monitoring (data-mover alerts).
 */
import type { ClusterModel, Model, PolicyModel } from '../model/types.ts';

function policiesOf(model: Pick<Model, 'policies'>, cluster: Pick<ClusterModel, 'name'>): PolicyModel[] {
  return model.policies.filter((p) => p.cluster === cluster.name);
}

/**
 * Whether Velero's node-agent must run on the cluster: file-system backups (kopia through the
 * node-agent) and the CSI snapshot data mover (DataUploads and DataDownloads run in node-agent pods)
 * both need it, whether chosen for a whole policy or by a volume policy's `fs-backup` action.
 */
export function usesNodeAgent(model: Pick<Model, 'policies'>, cluster: Pick<ClusterModel, 'name'>): boolean {
  return policiesOf(model, cluster).some(
    (p) => p.volumes === 'filesystem' || p.volumes === 'snapshot-data-mover' || p.volumePolicies.some((v) => v.action === 'fs-backup'),
  );
}

/** Whether the cluster's backups move CSI snapshot data to the object store (the data mover). */
export function usesDataMover(model: Pick<Model, 'policies'>, cluster: Pick<ClusterModel, 'name'>): boolean {
  return policiesOf(model, cluster).some((p) => p.volumes === 'snapshot-data-mover');
}

/** Whether any backup of the cluster takes CSI snapshots (with or without moving their data). */
export function usesCsiSnapshots(model: Pick<Model, 'policies'>, cluster: Pick<ClusterModel, 'name'>): boolean {
  return policiesOf(model, cluster).some((p) => p.volumes === 'csi-snapshot' || p.volumes === 'snapshot-data-mover');
}
