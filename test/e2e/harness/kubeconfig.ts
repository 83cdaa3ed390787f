/** Kubeconfig files for the test clusters: client certificates, or a bearer token. */
import { writeFileSync } from 'node:fs';
import yaml from 'js-yaml';

/** How a kubeconfig authenticates. */
export type KubeconfigUser = { readonly cert: string; readonly key: string } | { readonly token: string };

/** Writes a kubeconfig with one cluster, one user and one current context; returns its path. */
export function writeKubeconfig(file: string, options: { readonly server: string; readonly caFile: string; readonly user: KubeconfigUser; readonly namespace?: string }): string {
  const user = 'token' in options.user ? { token: options.user.token } : { 'client-certificate': options.user.cert, 'client-key': options.user.key };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'e2e', cluster: { server: options.server, 'certificate-authority': options.caFile } }],
    users: [{ name: 'e2e', user }],
    contexts: [{ name: 'e2e', context: { cluster: 'e2e', user: 'e2e', ...(options.namespace ? { namespace: options.namespace } : {}) } }],
    'current-context': 'e2e',
  };
  writeFileSync(file, yaml.dump(config), { mode: 0o600 });
  return file;
}
