import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { CertificateModel, ClusterModel, SealedSecretModel } from '../model/types.ts';
import { readSealedFile } from '../seal/sealed-file.ts';

const posix = (p: string): string => p.split(path.sep).join('/');

/**
 * Reads every sealed credential under `<policiesDir>/sealed/<cluster>/`. A file that is not a
 * SealedSecret becomes a diagnostic naming the file, not a crash.
 */
export async function loadSealedSecrets(
  policiesDir: string,
  clusters: readonly ClusterModel[],
): Promise<{ sealedSecrets: SealedSecretModel[]; diagnostics: Diagnostic[] }> {
  const sealedSecrets: SealedSecretModel[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const cluster of clusters) {
    const dir = path.join(policiesDir, 'sealed', cluster.name);
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /\.ya?ml$/.test(n)).sort();
    for (const name of names) {
      const file = posix(path.join(dir, name));
      try {
        const sealed = await readSealedFile(file);
        sealedSecrets.push({
          cluster: cluster.name,
          file,
          name: sealed.name,
          namespace: sealed.namespace,
          scope: sealed.scope,
          keys: [...sealed.keys],
          fingerprint: sealed.fingerprint,
          valueFingerprints: { ...sealed.valueFingerprints },
          object: sealed.object as unknown as Record<string, unknown>,
        });
      } catch (error) {
        diagnostics.push({
          code: 'SEC010',
          severity: 'error',
          message: (error as Error).message,
          hint: 'files under policies/sealed/ must be SealedSecrets made by `restorable seal --write`',
          declaration: cluster.name,
          source: { file, line: 1, column: 1 },
        });
      }
    }
  }
  return { sealedSecrets, diagnostics };
}

/** Reads the sealing certificates each cluster declares (paths relative to the policies folder). */
export async function loadCertificates(policiesDir: string, clusters: readonly ClusterModel[]): Promise<CertificateModel[]> {
  const certificates: CertificateModel[] = [];
  for (const cluster of clusters) {
    for (const [index, declared] of cluster.sealingCertificates.entries()) {
      const pem = await readFile(path.join(policiesDir, declared), 'utf8').catch((error: NodeJS.ErrnoException) => error);
      certificates.push(
        typeof pem === 'string'
          ? { cluster: cluster.name, path: declared, index, pem }
          : { cluster: cluster.name, path: declared, index, readError: pem.code ?? pem.message },
      );
    }
  }
  return certificates;
}
