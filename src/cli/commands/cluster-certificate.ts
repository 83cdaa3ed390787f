import path from 'node:path';
import { loadPolicies } from '../../loader/load.ts';
import { UserError } from '../errors.ts';

/** The newest sealing certificate a cluster declares (the first listed), as a file path. */
export async function findClusterCertificate(cluster: string, policiesDir: string): Promise<string> {
  const { model } = await loadPolicies(policiesDir);
  const declared = model.clusters.find((c) => c.name === cluster);
  if (!declared) {
    throw new UserError(`no cluster named "${cluster}" in ${policiesDir} (clusters: ${model.clusters.map((c) => c.name).join(', ') || 'none'})`);
  }
  const newest = declared.sealingCertificates[0];
  if (!newest) throw new UserError(`cluster "${cluster}" declares no sealingCertificates; pass --cert PEM instead`);
  return path.join(policiesDir, newest);
}
