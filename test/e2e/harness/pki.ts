/**
 * The test cluster's certificates and keys, made with `openssl` as a cluster bootstrapper would:
 * one CA that signs the API server's serving certificate and every client certificate, and a key
 * pair for service-account tokens. Every cluster of a run shares the CA, so one trust bundle
 * verifies all API servers.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A certificate and its key, as files. */
export interface CertFiles {
  readonly cert: string;
  readonly key: string;
}

/** The certificate authority of a test run. */
export interface TestCa extends CertFiles {
  readonly dir: string;
}

function openssl(args: readonly string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim() || String(error)}`);
  }
}

/** Creates a CA in `dir` (valid two days: runs are short, and an expired leftover is harmless). */
export function createCa(dir: string): TestCa {
  mkdirSync(dir, { recursive: true });
  openssl(
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=restorable-e2e-ca'],
    dir,
  );
  return { dir, cert: path.join(dir, 'ca.crt'), key: path.join(dir, 'ca.key') };
}

/** What a leaf certificate is for. */
export interface LeafRequest {
  /** File name stem in the CA folder. */
  readonly name: string;
  /** Common name: the user name of a client certificate. */
  readonly commonName: string;
  /** Organisations: the groups of a client certificate. */
  readonly groups?: readonly string[];
  /** Subject alternative names of a serving certificate, e.g. `IP:127.0.0.1`. */
  readonly altNames?: readonly string[];
}

/** Issues a certificate signed by the CA. */
export function issue(ca: TestCa, request: LeafRequest): CertFiles {
  const key = `${request.name}.key`;
  const csr = `${request.name}.csr`;
  const cert = `${request.name}.crt`;
  const subject = `/CN=${request.commonName}${(request.groups ?? []).map((g) => `/O=${g}`).join('')}`;
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', subject], ca.dir);
  const serving = request.altNames !== undefined && request.altNames.length > 0;
  const extensions = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${serving ? 'serverAuth,clientAuth' : 'clientAuth'}`,
    ...(serving ? [`subjectAltName=${request.altNames!.join(',')}`] : []),
  ];
  const extFile = `${request.name}.ext`;
  writeFileSync(path.join(ca.dir, extFile), `${extensions.join('\n')}\n`);
  openssl(['x509', '-req', '-in', csr, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', extFile], ca.dir);
  return { cert: path.join(ca.dir, cert), key: path.join(ca.dir, key) };
}

/** A key pair for signing and verifying service-account tokens. */
export function serviceAccountKeys(dir: string): { readonly privateKey: string; readonly publicKey: string } {
  mkdirSync(dir, { recursive: true });
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'sa.key'], dir);
  openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  return { privateKey: path.join(dir, 'sa.key'), publicKey: path.join(dir, 'sa.pub') };
}
