import type { Diagnostic } from '../model/diagnostic.ts';
import { replicaReads } from '../model/replica-location.ts';
import type { ClusterModel, Model, SealedRefModel } from '../model/types.ts';
import { checkCertificate, parseCertificate } from '../seal/certificate.ts';
import type { Rule } from './rule.ts';

/** The Secret Velero reads its file-system / data-mover repository password from (name and key are fixed by Velero). */
export const REPOSITORY_SECRET = { name: 'velero-repo-credentials', key: 'repository-password' } as const;

/** Volume modes whose data goes through Velero's (kopia) backup repository. */
const REPOSITORY_MODES = new Set(['filesystem', 'snapshot-data-mover']);

/**
 * SEC001-SEC009 and the certificate checks SEAL001-SEAL005: every credential a cluster needs is
 * sealed for that cluster, with a certificate it declares, in Velero's namespace; certificates are
 * usable; the repository password is set where a repository is used; the sealing key can be recovered.
 */
export const sealingRule: Rule = {
  family: 'security',
  check(model, env) {
    const found: Diagnostic[] = [];
    const storages = new Map(model.storages.map((s) => [s.name, s]));
    for (const cluster of model.clusters) {
      const at = (path: string, d: Pick<Diagnostic, 'code' | 'message' | 'hint'> & { severity?: Diagnostic['severity'] }): Diagnostic => ({
        severity: 'error',
        declaration: cluster.name,
        path,
        source: cluster.source,
        ...d,
      });
      const fingerprints = new Set<string>();
      for (const certificate of model.certificates.filter((c) => c.cluster === cluster.name)) {
        const path = `sealingCertificates[${certificate.index}]`;
        if (certificate.pem === undefined) {
          found.push(at(path, { code: 'SEAL001', message: `cannot read certificate "${certificate.path}" (${certificate.readError})`, hint: 'paths are relative to the policies folder; fetch it with `kubeseal --fetch-cert`' }));
          continue;
        }
        for (const finding of checkCertificate(certificate.pem, env.now)) {
          found.push(at(path, { code: finding.code, severity: finding.severity, message: `${certificate.path}: ${finding.message}`, hint: finding.hint }));
        }
        try {
          fingerprints.add(parseCertificate(certificate.pem).fingerprintSha256);
        } catch {
          // Reported above as SEAL001.
        }
      }
      const sealed = model.sealedSecrets.filter((s) => s.cluster === cluster.name);
      if (sealed.length > 0 && cluster.sealingCertificates.length === 0) {
        found.push(at('sealingCertificates', { code: 'SEC004', message: 'has sealed credentials but declares no sealing certificate to check them against', hint: `add sealingCertificates: ['clusters/${cluster.name}/<cert>.pem'] (from \`kubeseal --fetch-cert\`)` }));
      }
      for (const secret of sealed) {
        if (secret.namespace !== cluster.veleroNamespace) {
          found.push({ ...at('sealed', { code: 'SEC003', message: `${secret.file}: sealed for namespace "${secret.namespace}", but Velero runs in "${cluster.veleroNamespace}"`, hint: `reseal with --namespace ${cluster.veleroNamespace}` }), source: { file: secret.file, line: 1, column: 1 } });
        }
        if (fingerprints.size > 0 && secret.fingerprint !== undefined && !fingerprints.has(secret.fingerprint)) {
          found.push({
            ...at('sealed', {
              code: 'SEC005',
              message: `${secret.file}: sealed with a certificate (sha256 ${secret.fingerprint.slice(0, 16)}…) that cluster "${cluster.name}" does not declare; its controller cannot open it`,
              hint: `reseal with: restorable seal --cluster ${cluster.name} --namespace ${secret.namespace} --name ${secret.name} --write KEY=FILE`,
            }),
            source: { file: secret.file, line: 1, column: 1 },
          });
        }
      }
      const need = (ref: SealedRefModel, path: string, what: string): void => {
        const secret = sealed.find((s) => s.name === ref.name);
        if (!secret) {
          found.push(at(path, { code: 'SEC001', message: `${what} "${ref.name}" is not sealed for cluster "${cluster.name}" (expected policies/sealed/${cluster.name}/${ref.name}.yaml)`, hint: `seal it for this cluster: restorable seal --cluster ${cluster.name} --namespace ${cluster.veleroNamespace} --name ${ref.name} --write ${ref.key}=FILE` }));
        } else if (!secret.keys.includes(ref.key)) {
          found.push(at(path, { code: 'SEC002', message: `${secret.file} has no key "${ref.key}" (it has: ${secret.keys.join(', ') || 'none'})`, hint: `reseal it with ${ref.key}=FILE` }));
        }
      };
      // A storage read through its replica is read with the replica's credentials.
      const replicas = replicaReads(model, cluster);
      cluster.storage.forEach((name, index) => {
        const storage = storages.get(name);
        const credentials = replicas.has(name) ? storage?.replica?.credentials : storage?.credentials;
        const what = replicas.has(name) ? `the credentials of the replica of storage "${name}"` : `the credentials of storage "${name}"`;
        if (credentials?.name) need(credentials, `storage[${index}].credentials`, what);
      });
      checkRepositoryPassword(model, cluster, at, need, found);
      if (!cluster.sealingKeyRecovery) {
        found.push(at('sealingKeyRecovery', { code: 'SEC007', severity: 'warning', message: 'declares no recovery path for its sealing key: after a rebuild, nothing sealed in Git can be opened', hint: "export the controller's keys out of band (not with Velero: they would sit in the bucket in plaintext) and describe where in sealingKeyRecovery" }));
      }
    }
    found.push(...samePasswordPerStorage(model));
    return found;
  },
};

/**
 * SEC013: every cluster reading one storage holds the same repository password (a different one
 * cannot open the repository Velero wrote there), compared by the values' scrypt fingerprints. The
 * password that counts is the one of a cluster writing to the storage (its policies back up there):
 * the repositories were encrypted with it, so the clusters that only read are the ones to reseal,
 * and the hint never proposes to change the writer's password (that would orphan its repositories).
 */
function samePasswordPerStorage(model: Model): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const storage of model.storages) {
    const writers = new Set(model.policies.filter((p) => p.storage === storage.name).map((p) => p.cluster));
    const readers = model.clusters.filter((c) => c.storage.includes(storage.name) && c.repositoryPassword);
    const prints = readers.map((cluster) => {
      const secret = model.sealedSecrets.find((s) => s.cluster === cluster.name && s.name === cluster.repositoryPassword?.name);
      return { cluster, print: secret?.valueFingerprints[REPOSITORY_SECRET.key], file: secret?.file, writes: writers.has(cluster.name) };
    });
    const known = prints.filter((p) => p.print !== undefined);
    if (new Set(known.map((p) => p.print)).size > 1) {
      const reference = known.find((p) => p.writes) ?? known[0]!;
      for (const other of known.filter((p) => p !== reference && p.print !== reference.print)) {
        const role = reference.writes ? `writes its backups to storage "${storage.name}"` : `also reads storage "${storage.name}"`;
        found.push({
          code: 'SEC013',
          severity: 'error',
          message: `the repository password sealed for cluster "${other.cluster.name}" differs from the one of cluster "${reference.cluster.name}", which ${role}: "${other.cluster.name}" could not open the backup repository there`,
          hint: other.writes
            ? `two clusters write to storage "${storage.name}" with different passwords: keep the one the existing repositories use and reseal it for the other, never rotate both`
            : `reseal the password of "${reference.cluster.name}" (the one its repositories use) for "${other.cluster.name}": restorable seal --cluster ${other.cluster.name} --namespace ${other.cluster.veleroNamespace} --name ${REPOSITORY_SECRET.name} --write ${REPOSITORY_SECRET.key}=FILE; never change the password of "${reference.cluster.name}"`,
          declaration: other.cluster.name,
          path: 'repositoryPassword',
          source: other.file ? { file: other.file, line: 1, column: 1 } : other.cluster.source,
        });
      }
    }
    if (known.length > 0 && known.length < prints.length) {
      for (const missing of prints.filter((p) => p.print === undefined && p.file)) {
        found.push({
          code: 'SEC014',
          severity: 'warning',
          message: `${missing.file} has no value fingerprint, so it cannot be checked against the other clusters reading storage "${storage.name}"`,
          hint: 'reseal it with restorable seal, which records one',
          declaration: missing.cluster.name,
          path: 'repositoryPassword',
          source: missing.cluster.source,
        });
      }
    }
  }
  return found;
}

function checkRepositoryPassword(
  model: Model,
  cluster: ClusterModel,
  at: (path: string, d: Pick<Diagnostic, 'code' | 'message' | 'hint'>) => Diagnostic,
  need: (ref: SealedRefModel, path: string, what: string) => void,
  found: Diagnostic[],
): void {
  const usesRepository = model.policies.some((p) => p.cluster === cluster.name && REPOSITORY_MODES.has(p.volumes));
  const password = cluster.repositoryPassword;
  if (!password) {
    if (usesRepository) {
      found.push(at('repositoryPassword', { code: 'SEC006', message: "backs up volume data through Velero's repository, whose password defaults to a well-known value: the data is not encrypted with a secret of yours", hint: `seal a random password: restorable seal --cluster ${cluster.name} --namespace ${cluster.veleroNamespace} --name ${REPOSITORY_SECRET.name} --write ${REPOSITORY_SECRET.key}=FILE, and set repositoryPassword: sealed('${REPOSITORY_SECRET.name}', '${REPOSITORY_SECRET.key}')` }));
    }
    return;
  }
  if (password.name !== REPOSITORY_SECRET.name || password.key !== REPOSITORY_SECRET.key) {
    found.push(at('repositoryPassword', { code: 'SEC008', message: `Velero reads the repository password from secret "${REPOSITORY_SECRET.name}", key "${REPOSITORY_SECRET.key}"; got "${password.name}", key "${password.key}"`, hint: `use sealed('${REPOSITORY_SECRET.name}', '${REPOSITORY_SECRET.key}')` }));
    return;
  }
  need(password, 'repositoryPassword', 'the repository password');
}
