import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import yaml from 'js-yaml';
import { SealError } from './errors.ts';
import { assertDnsLabel, assertSecretName } from './names.ts';
import type { SealedSecret } from './sealed-secret.ts';

/** Serialise a SealedSecret as stable YAML: sorted keys, no line folding, no anchors. */
export function renderSealedSecret(obj: SealedSecret): string {
  return yaml.dump(obj, { sortKeys: true, lineWidth: -1, noRefs: true });
}

/**
 * Where a SealedSecret for a cluster is kept: `<policiesDir>/sealed/<cluster>/<name>.yaml`.
 *
 * @throws SealError SEAL101 when the cluster or name would escape that folder
 */
export function sealedSecretPath(policiesDir: string, cluster: string, name: string): string {
  assertDnsLabel(cluster, 'cluster name');
  assertSecretName(name);
  return join(policiesDir, 'sealed', cluster, `${name}.yaml`);
}

/**
 * Store a SealedSecret for a cluster atomically (temporary file, then rename), so a
 * reader never sees half a file.
 *
 * @returns the path written
 * @throws SealError SEAL106 when the file cannot be written
 */
export async function writeSealedSecret(policiesDir: string, cluster: string, obj: SealedSecret): Promise<string> {
  const target = sealedSecretPath(policiesDir, cluster, obj.metadata.name);
  const temporary = join(dirname(target), `.${obj.metadata.name}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(temporary, renderSealedSecret(obj), { encoding: 'utf8', flag: 'wx' });
    await rename(temporary, target);
  } catch (error) {
    // Best effort: the folder itself may be what failed.
    await rm(temporary, { force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new SealError('SEAL106', `${target}: cannot write the file (${code})`);
  }
  return target;
}
