import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { CommanderError } from 'commander';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealCommand } from '../../src/cli/commands/seal.ts';
import { readSealedFile, type SealedSecret, type SealTarget, unseal } from '../../src/seal/index.ts';
import { exampleCertificatePath, exampleKeyPath } from '../fixtures/certs/example-credentials.ts';
import { opensslCertificate, repoRoot, tempDir } from './support.ts';

const PLAINTEXT = 'PLAINTEXT-MARKER aws_secret_access_key=EXAMPLE-do-not-print\n';
const STDIN_PLAINTEXT = 'STDIN-MARKER repository password\n';
const prodEuCert = resolve(repoRoot, exampleCertificatePath('prod-eu'));

let dir: string;
let cleanup: () => Promise<void>;
let prodEuKey: string;
let valueFile: string;
let policiesDir: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  prodEuKey = await readFile(resolve(repoRoot, exampleKeyPath('prod-eu')), 'utf8');
  valueFile = join(dir, 'cloud.ini');
  await writeFile(valueFile, PLAINTEXT);
  policiesDir = join(dir, 'policies');
  await mkdir(join(policiesDir, 'clusters', 'prod-eu'), { recursive: true });
  await copyFile(prodEuCert, join(policiesDir, 'clusters', 'prod-eu', 'sealing-2026-11.pem'));
});

afterAll(() => cleanup());

interface Run {
  readonly out: string;
  readonly err: string;
  readonly exitCode: number;
  readonly lookups: ReadonlyArray<readonly [string, string]>;
}

async function run(args: string[], options: { stdin?: string; failLookup?: boolean } = {}): Promise<Run> {
  let out = '';
  let err = '';
  const lookups: Array<readonly [string, string]> = [];
  const previous = process.exitCode;
  process.exitCode = undefined;
  const command = sealCommand({
    findClusterCertificate: async (cluster, policies) => {
      lookups.push([cluster, policies]);
      if (options.failLookup) throw new Error(`cluster "${cluster}" declares no sealing certificate`);
      return join(policies, 'clusters', cluster, 'sealing-2026-11.pem');
    },
    ...(options.stdin === undefined ? {} : { stdin: Readable.from([Buffer.from(options.stdin)]) }),
  })
    .exitOverride()
    .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  let exitCode: number;
  try {
    await command.parseAsync(args, { from: 'user' });
    exitCode = Number(process.exitCode ?? 0);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    exitCode = error.exitCode;
  } finally {
    process.exitCode = previous;
  }
  for (const text of [out, err]) {
    expect(text).not.toContain('PLAINTEXT-MARKER');
    expect(text).not.toContain('STDIN-MARKER');
    expect(text).not.toMatch(/\n\s+at /);
  }
  return { out, err, exitCode, lookups };
}

function decrypt(obj: SealedSecret, key: string, scope: SealTarget['scope'] = 'strict'): string {
  const target = { scope, namespace: obj.metadata.namespace, name: obj.metadata.name };
  return unseal(obj.spec.encryptedData[key]!, prodEuKey, target).toString('utf8');
}

describe('restorable seal', () => {
  it('GIVEN --cert and KEY=FILE WHEN run THEN stdout is a SealedSecret whose value decrypts with the key', async () => {
    const result = await run(['--cert', prodEuCert, '--namespace', 'velero', '--name', 'creds', `cloud=${valueFile}`]);
    expect(result).toMatchObject({ exitCode: 0, err: '' });
    const obj = yaml.load(result.out) as SealedSecret;
    expect(obj).toMatchObject({ kind: 'SealedSecret', metadata: { name: 'creds', namespace: 'velero' } });
    expect(obj.spec.template?.type).toBe('Opaque');
    expect(decrypt(obj, 'cloud')).toBe(PLAINTEXT);
  });

  it('GIVEN --cluster WHEN run THEN the certificate comes from the dependency with the default policies dir', async () => {
    const result = await run(['--cluster', 'prod-eu', '--policies', policiesDir, '--namespace', 'velero', '--name', 'creds', `cloud=${valueFile}`]);
    expect(result.exitCode).toBe(0);
    expect(result.lookups).toEqual([['prod-eu', policiesDir]]);
    const fallback = await run(['--cluster', 'prod-eu', '--namespace', 'velero', '--name', 'creds', `cloud=${valueFile}`]);
    expect(fallback.lookups).toEqual([['prod-eu', 'policies']]);
  });

  it('GIVEN KEY=- WHEN run THEN the value is read from stdin', async () => {
    const result = await run(
      ['--cert', prodEuCert, '--namespace', 'velero', '--name', 'velero-repo-credentials', 'repository-password=-', `cloud=${valueFile}`],
      { stdin: STDIN_PLAINTEXT },
    );
    const obj = yaml.load(result.out) as SealedSecret;
    expect(Object.keys(obj.spec.encryptedData)).toEqual(['cloud', 'repository-password']);
    expect(decrypt(obj, 'repository-password')).toBe(STDIN_PLAINTEXT);
  });

  it('GIVEN --scope namespace-wide and --type WHEN run THEN annotations, type and label follow', async () => {
    const result = await run([
      '--cert', prodEuCert, '--namespace', 'velero', '--name', 'creds',
      '--scope', 'namespace-wide', '--type', 'kubernetes.io/basic-auth', `password=${valueFile}`,
    ]);
    const obj = yaml.load(result.out) as SealedSecret;
    expect(obj.metadata.annotations?.['sealedsecrets.bitnami.com/namespace-wide']).toBe('true');
    expect(obj.spec.template?.metadata?.annotations?.['sealedsecrets.bitnami.com/namespace-wide']).toBe('true');
    expect(obj.spec.template?.type).toBe('kubernetes.io/basic-auth');
    expect(decrypt(obj, 'password', 'namespace-wide')).toBe(PLAINTEXT);
  });

  it('GIVEN --write and --cluster WHEN run THEN the file is stored under sealed/<cluster>/ and its path printed', async () => {
    const result = await run([
      '--cluster', 'prod-eu', '--policies', policiesDir, '--namespace', 'velero', '--name', 'velero-eu-backups-credentials',
      '--write', `cloud=${valueFile}`,
    ]);
    const path = join(policiesDir, 'sealed', 'prod-eu', 'velero-eu-backups-credentials.yaml');
    expect(result).toMatchObject({ exitCode: 0, out: `${path}\n`, err: '' });
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain('PLAINTEXT-MARKER');
    const file = await readSealedFile(path);
    expect(file).toMatchObject({ name: 'velero-eu-backups-credentials', namespace: 'velero', scope: 'strict', keys: ['cloud'] });
    expect(decrypt(file.object, 'cloud')).toBe(PLAINTEXT);
  });

  it('GIVEN a certificate expiring in 10 days WHEN run THEN it seals and warns on stderr', async () => {
    const { certPath } = opensslCertificate(dir, 'short-lived', ['rsa:2048'], 10);
    const result = await run(['--cert', certPath, '--namespace', 'velero', '--name', 'creds', `cloud=${valueFile}`]);
    expect(result.exitCode).toBe(0);
    expect(result.err).toMatch(/^warning SEAL004: the certificate expires on .* \(in (9|10) days\)\n {2}hint: /);
    expect(yaml.load(result.out)).toMatchObject({ kind: 'SealedSecret' });
  });
});

describe('restorable seal: failures exit 1 with one clear message', () => {
  const base = ['--namespace', 'velero', '--name', 'creds'];

  async function expectFailure(args: string[], message: string | RegExp, options: { stdin?: string; failLookup?: boolean } = {}) {
    const result = await run(args, options);
    expect(result.exitCode).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toMatch(message);
    return result;
  }

  it('GIVEN neither or both of --cert and --cluster WHEN run THEN it asks for exactly one', async () => {
    await expectFailure([...base, `cloud=${valueFile}`], 'restorable seal: give exactly one of --cert <pem> or --cluster <name>\n');
    await expectFailure(['--cert', prodEuCert, '--cluster', 'prod-eu', ...base, `cloud=${valueFile}`], 'give exactly one of');
  });

  it('GIVEN --write with --cert WHEN run THEN it explains that --write needs --cluster', async () => {
    await expectFailure(['--cert', prodEuCert, '--write', ...base, `cloud=${valueFile}`], '--write needs --cluster <name>');
  });

  it('GIVEN a missing value file WHEN run THEN the path and reason are named', async () => {
    const missing = join(dir, 'missing.ini');
    await expectFailure(['--cert', prodEuCert, ...base, `cloud=${missing}`], `cannot read the value of cloud from ${missing} (ENOENT)`);
  });

  it('GIVEN malformed, duplicate or invalid pairs WHEN run THEN each is refused before reading', async () => {
    await expectFailure(['--cert', prodEuCert, ...base, 'cloud'], '"cloud" is not KEY=FILE');
    await expectFailure(['--cert', prodEuCert, ...base, 'cloud='], '"cloud=" is not KEY=FILE');
    await expectFailure(['--cert', prodEuCert, ...base, `a=${valueFile}`, `a=${valueFile}`], 'data key "a" is given twice');
    await expectFailure(['--cert', prodEuCert, ...base, 'a=-', 'b=-'], 'only one KEY=- can read stdin', { stdin: STDIN_PLAINTEXT });
    await expectFailure(['--cert', prodEuCert, ...base, `a/b=${valueFile}`], 'invalid data key "a/b"');
  });

  it('GIVEN an invalid name, namespace or cluster WHEN run THEN SEAL101 names the value', async () => {
    await expectFailure(['--cert', prodEuCert, '--namespace', 'velero', '--name', 'Creds', `k=${valueFile}`], 'invalid Secret name "Creds"');
    await expectFailure(['--cert', prodEuCert, '--namespace', 'Velero', '--name', 'c', `k=${valueFile}`], 'invalid namespace "Velero"');
    await expectFailure(['--cluster', '../x', '--write', ...base, `k=${valueFile}`], 'invalid cluster name "../x"');
  });

  it('GIVEN an expired certificate (by --now) WHEN run THEN SEAL003 stops sealing', async () => {
    const result = await expectFailure(['--cert', prodEuCert, '--now', '2040-01-01T00:00:00Z', ...base, `cloud=${valueFile}`], /error SEAL003: the certificate expired on/);
    expect(result.err).toContain(`restorable seal: cannot seal with ${prodEuCert}:`);
  });

  it('GIVEN a 1024-bit certificate WHEN run THEN SEAL002 stops sealing', async () => {
    const { certPath } = opensslCertificate(dir, 'weak', ['rsa:1024']);
    await expectFailure(['--cert', certPath, ...base, `cloud=${valueFile}`], /error SEAL002: .*1024-bit RSA key/);
  });

  it('GIVEN a file that is not a certificate WHEN run THEN SEAL001 says so without the file content', async () => {
    await expectFailure(['--cert', valueFile, ...base, `cloud=${valueFile}`], /error SEAL001: not a PEM certificate/);
  });

  it('GIVEN a bad --now WHEN run THEN it shows the expected format', async () => {
    await expectFailure(['--cert', prodEuCert, '--now', 'yesterday', ...base, `cloud=${valueFile}`], '--now "yesterday" is not an ISO time');
  });

  it('GIVEN a cluster without a certificate WHEN run THEN the lookup failure is reported', async () => {
    await expectFailure(['--cluster', 'nowhere', ...base, `cloud=${valueFile}`], 'no sealing certificate for cluster "nowhere": cluster "nowhere" declares no sealing certificate', { failLookup: true });
  });

  it('GIVEN an unwritable sealed folder WHEN writing after reading the plaintext THEN the error carries no plaintext', async () => {
    const policies = join(dir, 'blocked-policies');
    await mkdir(join(policies, 'clusters', 'prod-eu'), { recursive: true });
    await copyFile(prodEuCert, join(policies, 'clusters', 'prod-eu', 'sealing-2026-11.pem'));
    await writeFile(join(policies, 'sealed'), 'a file where the folder should be');
    const target = join(policies, 'sealed', 'prod-eu', 'creds.yaml');
    await expectFailure(
      ['--cluster', 'prod-eu', '--policies', policies, '--write', ...base, `cloud=${valueFile}`],
      `restorable seal: ${target}: cannot write the file (ENOTDIR)\n`,
    );
  });

  it('GIVEN a missing required option or unknown scope WHEN parsed THEN commander rejects it with exit code 1', async () => {
    const missing = await run(['--cert', prodEuCert, '--name', 'c', `k=${valueFile}`]);
    expect(missing.exitCode).toBe(1);
    expect(missing.err).toContain("required option '--namespace <ns>' not specified");
    const scope = await run(['--cert', prodEuCert, ...base, '--scope', 'global', `k=${valueFile}`]);
    expect(scope.exitCode).toBe(1);
    expect(scope.err).toContain('Allowed choices are strict, namespace-wide, cluster-wide');
  });
});
