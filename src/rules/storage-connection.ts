import { S3_CHECKSUM_ALGORITHMS } from '../dsl/storage.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { Model, StorageModel } from '../model/types.ts';
import type { Rule } from './rule.ts';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/**
 * STO003-STO005: how Velero reaches a storage. STO003: `caCert` holds a PEM certificate.
 * STO004: `insecureSkipTLSVerify` is an error where a cluster of a production environment (named
 * `production`, or whose guardrails require encryption) lists the storage, a warning elsewhere.
 * STO005: `checksumAlgorithm` is one the plugin accepts; `endpoint` and `publicUrl` are http(s) URLs
 * without a path (Velero's repository refuses a path in `s3Url`).
 */
export const storageConnectionRule: Rule = {
  family: 'storage',
  check(model: Model): Diagnostic[] {
    const found: Diagnostic[] = [];
    const strict = new Set(model.guardrails.filter((g) => g.requireEncryption).map((g) => g.environment));
    strict.add('production');
    for (const storage of model.storages) {
      const at = (path: string, d: Pick<Diagnostic, 'code' | 'message' | 'hint'> & { severity?: Diagnostic['severity'] }): Diagnostic => ({
        severity: 'error',
        declaration: storage.name,
        path,
        source: storage.source,
        ...d,
      });
      if (storage.caCert !== undefined && (typeof storage.caCert !== 'string' || !PEM_CERTIFICATE.test(storage.caCert))) {
        found.push(at('caCert', { code: 'STO003', message: 'expected the PEM text of a CA certificate (-----BEGIN CERTIFICATE----- ...), got something else', hint: 'export the PEM text from a module the policies import (export const MINIO_CA = `-----BEGIN CERTIFICATE-----...`) and pass it' }));
      }
      if (storage.config.insecureSkipTLSVerify === 'true') {
        const production = model.clusters.filter((c) => c.storage.includes(storage.name) && strict.has(c.environment));
        found.push(
          at('insecureSkipTLSVerify', {
            code: 'STO004',
            severity: production.length > 0 ? 'error' : 'warning',
            message:
              production.length > 0
                ? `skips verifying the endpoint's certificate, and production cluster "${production[0]!.name}" uses it: anyone on the path can read its credentials and backups`
                : "skips verifying the endpoint's certificate: anyone on the path can read its credentials and backups",
            hint: "declare the endpoint's CA with caCert instead",
          }),
        );
      }
      found.push(...connectionValues(storage, at));
    }
    return found;
  },
};

function connectionValues(storage: StorageModel, at: (path: string, d: Pick<Diagnostic, 'code' | 'message' | 'hint'>) => Diagnostic): Diagnostic[] {
  const found: Diagnostic[] = [];
  const checksum = storage.config.checksumAlgorithm;
  if (checksum !== undefined && !(S3_CHECKSUM_ALGORITHMS as readonly string[]).includes(checksum)) {
    found.push(at('checksumAlgorithm', { code: 'STO005', message: `unknown checksum algorithm ${JSON.stringify(checksum)}; velero-plugin-for-aws refuses to start the location`, hint: `use one of ${S3_CHECKSUM_ALGORITHMS.map((a) => JSON.stringify(a)).join(', ')} ('' sends none)` }));
  }
  for (const [key, path] of [['s3Url', 'endpoint'], ['publicUrl', 'publicUrl']] as const) {
    const value = storage.config[key];
    if (value === undefined) continue;
    const error = urlError(value);
    if (error) found.push(at(path, { code: 'STO005', message: `${JSON.stringify(value)} ${error}`, hint: "write the service's base URL, e.g. 'https://minio.backup.svc:9000'" }));
  }
  return found;
}

function urlError(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `uses ${url.protocol}, not http or https`;
  if (url.pathname !== '/' && url.pathname !== '') return 'has a path; Velero expects the bare endpoint (its repository refuses a path in s3Url)';
  return undefined;
}
