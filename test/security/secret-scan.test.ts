import { createHash, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSealedSecret, renderSealedSecret } from '../../src/seal/index.ts';
import { shannonEntropy } from '../../src/security/entropy.ts';
import { base64Tokens, HIGH_ENTROPY_BITS_PER_CHAR, MIN_HIGH_ENTROPY_LENGTH, type SecretFinding, scanForSecrets } from '../../src/security/secret-scan.ts';
import { referenceCert } from '../seal/support.ts';

// Credential-shaped values are assembled at run time so this file does not itself look like a leak.
const awsKeyId = ['AKIA', 'Z7Q3', 'LMNO', 'PQRS', 'T2UV'].join('');
const stsKeyId = ['ASIA', 'Q4W5', 'E6R7', 'T8Y9', 'U0IP'].join('');
const randomBase64 = createHash('sha256').update('restorable scanner fixture').digest('base64');
const awsSecretKey = createHash('sha512').update('another fixture').digest('base64').slice(0, 40);
const { privateKey: ecKey, publicKey: ecPublicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const pkcs8Pem = ecKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const sec1Pem = ecKey.export({ type: 'sec1', format: 'pem' }).toString();
const serviceAccount = JSON.stringify(
  {
    type: 'service_account',
    project_id: 'acme-backups',
    private_key_id: createHash('sha1').update('id').digest('hex'),
    private_key: pkcs8Pem,
    client_email: 'velero@acme-backups.iam.gserviceaccount.com',
  },
  null,
  2,
);

function sealedYaml(): string {
  return renderSealedSecret(
    buildSealedSecret({
      name: 'velero-eu-backups-credentials',
      namespace: 'velero',
      data: { cloud: Buffer.from('[default]\n'), other: Buffer.from('x') },
      certificate: referenceCert,
    }),
  );
}

function kinds(findings: SecretFinding[]): string[] {
  return findings.map((f) => f.kind);
}

function expectNoLeak(findings: SecretFinding[], ...secrets: string[]): void {
  for (const finding of findings) {
    for (const secret of secrets) expect(finding.message).not.toContain(secret.slice(0, 5));
  }
}

describe('scanForSecrets: what it reports', () => {
  it('GIVEN the fixtures WHEN measured THEN the random ones are above the entropy threshold', () => {
    expect(shannonEntropy(randomBase64)).toBeGreaterThan(HIGH_ENTROPY_BITS_PER_CHAR);
    expect(shannonEntropy(awsSecretKey)).toBeGreaterThan(HIGH_ENTROPY_BITS_PER_CHAR);
  });

  it('GIVEN an AWS credentials file WHEN scanned THEN the key id and the secret key are reported on their lines', () => {
    const text = `[default]\naws_access_key_id = ${awsKeyId}\naws_secret_access_key = ${awsSecretKey}\n`;
    const findings = scanForSecrets(text, 'credentials');
    expect(findings).toMatchObject([
      { file: 'credentials', line: 2, kind: 'aws-access-key-id' },
      { file: 'credentials', line: 3, kind: 'high-entropy-base64' },
    ]);
    expect(findings[0]?.message).toContain('"AKIA…"');
    expectNoLeak(findings, awsKeyId.slice(4), awsSecretKey);
  });

  it('GIVEN a temporary STS key id in TypeScript WHEN scanned THEN it is reported', () => {
    const findings = scanForSecrets(`export const id = '${stsKeyId}';\n`, 'policies/teams/web.ts');
    expect(findings).toMatchObject([{ line: 1, kind: 'aws-access-key-id' }]);
    expect(findings[0]?.message).toContain('ASIA…');
  });

  it('GIVEN PKCS#8 and SEC1 private key blocks in YAML WHEN scanned THEN each is reported once, body unechoed', () => {
    const indent = (pem: string) => pem.trimEnd().replaceAll('\n', '\n    ');
    const text = `kind: Secret\nstringData:\n  tls.key: |\n    ${indent(pkcs8Pem)}\n  ec.key: |\n    ${indent(sec1Pem)}\n`;
    const findings = scanForSecrets(text, 'secret.yaml');
    expect(findings).toMatchObject([
      { line: 4, kind: 'private-key' },
      { line: 4 + pkcs8Pem.trimEnd().split('\n').length + 1, kind: 'private-key' },
    ]);
    expect(findings[1]?.message).toContain('(EC PRIVATE KEY)');
    expectNoLeak(findings, ...pkcs8Pem.split('\n').slice(1, -2));
  });

  it('GIVEN a base64-encoded private key in Secret data WHEN scanned THEN it is reported as a private key', () => {
    const encoded = Buffer.from(pkcs8Pem).toString('base64');
    const findings = scanForSecrets(`data:\n  tls.key: ${encoded}\n`, 'secret.yaml');
    expect(findings).toMatchObject([{ line: 2, kind: 'private-key' }]);
    expect(findings[0]?.message).toContain('"LS0t…"');
    expectNoLeak(findings, encoded.slice(4));
  });

  it('GIVEN a GCP service account key file WHEN scanned THEN one GCP finding is reported, not a generic one', () => {
    const findings = scanForSecrets(serviceAccount, 'key.json');
    expect(kinds(findings)).toEqual(['gcp-service-account-key']);
    expect(findings[0]?.line).toBe(serviceAccount.split('\n').findIndex((l) => l.includes('"private_key"')) + 1);
  });

  it('GIVEN a base64-encoded GCP key in Secret data WHEN scanned THEN it is reported as a GCP key', () => {
    const encoded = Buffer.from(serviceAccount).toString('base64');
    expect(kinds(scanForSecrets(`data:\n  key.json: ${encoded}\n`, 's.yaml'))).toEqual(['gcp-service-account-key']);
  });

  it('GIVEN a long random base64 value WHEN scanned THEN it is reported with length and entropy but only 4 characters', () => {
    const findings = scanForSecrets(`token: "${randomBase64}"\n`, 'config.yaml');
    expect(findings).toMatchObject([{ line: 1, kind: 'high-entropy-base64' }]);
    expect(findings[0]?.message).toContain(`"${randomBase64.slice(0, 4)}…" (${randomBase64.length} characters`);
    expectNoLeak(findings, randomBase64.slice(1));
  });

  it('GIVEN sealed ciphertext outside encryptedData WHEN scanned THEN it is reported: only encryptedData is exempt', () => {
    const value = sealedYaml().match(/cloud: (\S+)/)?.[1] ?? '';
    const findings = scanForSecrets(`apiVersion: v1\nkind: ConfigMap\ndata:\n  copy: ${value}\n`, 'cm.yaml');
    expect(findings).toMatchObject([{ line: 4, kind: 'high-entropy-base64' }]);
  });

  it('GIVEN an encryptedData key in a document that is not a SealedSecret WHEN scanned THEN its values are reported', () => {
    const text = `kind: Custom\nspec:\n  encryptedData:\n    key: ${randomBase64}\n`;
    expect(scanForSecrets(text, 'custom.yaml')).toMatchObject([{ line: 4, kind: 'high-entropy-base64' }]);
  });

  it('GIVEN a SealedSecret and a Secret in one YAML stream WHEN scanned THEN only the Secret value is reported', () => {
    const text = `${sealedYaml()}---\napiVersion: v1\nkind: Secret\ndata:\n  token: ${randomBase64}\n`;
    const line = text.split('\n').findIndex((l) => l.includes('token:')) + 1;
    expect(scanForSecrets(text, 'all.yaml')).toMatchObject([{ line, kind: 'high-entropy-base64' }]);
  });

  it('GIVEN a private key pasted into encryptedData WHEN scanned THEN it is still reported: ciphertext never has a PEM header', () => {
    const text = `kind: SealedSecret\nspec:\n  encryptedData:\n    key: |\n      ${pkcs8Pem.trimEnd().replaceAll('\n', '\n      ')}\n`;
    expect(kinds(scanForSecrets(text, 'bad.yaml'))).toEqual(['private-key']);
  });
});

describe('scanForSecrets: what it leaves alone', () => {
  it('GIVEN a SealedSecret rendered by restorable WHEN scanned THEN nothing is reported', () => {
    expect(scanForSecrets(sealedYaml(), 'policies/sealed/prod-eu/x.yaml')).toEqual([]);
  });

  it('GIVEN encryptedData as a flow mapping and as folded lines WHEN scanned THEN nothing is reported', () => {
    const value = sealedYaml().match(/cloud: (\S+)/)?.[1] ?? '';
    const flow = `kind: SealedSecret\nspec:\n  encryptedData: {cloud: ${value}}\n`;
    const folded = `kind: SealedSecret\nspec:\n  encryptedData:\n    cloud: >-\n      ${value.slice(0, 300)}\n      ${value.slice(300)}\n  template: {}\n`;
    expect(scanForSecrets(flow, 'flow.yaml')).toEqual([]);
    expect(scanForSecrets(folded, 'folded.yaml')).toEqual([]);
  });

  it('GIVEN a SealedSecret written in TypeScript and in JSON WHEN scanned THEN nothing is reported', () => {
    const value = sealedYaml().match(/cloud: (\S+)/)?.[1] ?? '';
    const ts = [
      "export const creds = {",
      "  kind: 'SealedSecret',",
      '  spec: {',
      '    encryptedData: {',
      `      cloud: '${value.slice(0, 200)}' +`,
      `        '${value.slice(200)}',`,
      '    },',
      '  },',
      '};',
      '',
    ].join('\n');
    const json = JSON.stringify({ kind: 'SealedSecret', spec: { encryptedData: { cloud: value } } }, null, 2);
    expect(scanForSecrets(ts, 'sealed.ts')).toEqual([]);
    expect(scanForSecrets(json, 'sealed.json')).toEqual([]);
  });

  it('GIVEN a certificate, a base64 certificate and a public key WHEN scanned THEN nothing is reported', () => {
    const caBundle = Buffer.from(referenceCert).toString('base64');
    const publicPem = ecPublicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(scanForSecrets(referenceCert, 'cert.pem')).toEqual([]);
    expect(scanForSecrets(`caBundle: ${caBundle}\n`, 'webhook.yaml')).toEqual([]);
    expect(scanForSecrets(publicPem, 'pub.pem')).toEqual([]);
    expect(scanForSecrets(JSON.stringify({ ca: referenceCert }), 'ca.json')).toEqual([]);
  });

  it('GIVEN hex digests, paths, identifiers and short tokens WHEN scanned THEN nothing is reported', () => {
    const text = [
      `image: registry.k8s.io/kubectl@sha256:${createHash('sha256').update('img').digest('hex')}`,
      `restorable.dev/sealed-with-cert-sha256: ${createHash('sha256').update('cert').digest('hex')}`,
      'path: policies/clusters/prod-eu/sealing/certificates/archive/old',
      'name: ThisIsAVeryLongCamelCaseIdentifierNameWithoutDigits',
      `short: ${randomBase64.slice(0, 39)}`,
      'doc: AKIAIOSFODNN7EXAMPLE',
    ].join('\n');
    expect(scanForSecrets(text, 'misc.yaml')).toEqual([]);
  });

  it('GIVEN an empty file WHEN scanned THEN nothing is reported', () => {
    expect(scanForSecrets('', 'empty.yaml')).toEqual([]);
  });
});

describe('scanForSecrets (property)', () => {
  it('GIVEN any reported base64 token WHEN the message is read THEN at most its first 4 characters appear', () => {
    const base64Char = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
    fc.assert(
      fc.property(fc.array(base64Char, { minLength: 40, maxLength: 200 }), (chars) => {
        const token = chars.join('');
        for (const finding of scanForSecrets(`value: ${token}\n`, 'f.yaml')) {
          expect(finding.message).not.toContain(token.slice(0, 5));
        }
      }),
    );
  });
});

describe('base64Tokens', () => {
  const reference = (text: string): [number, string][] =>
    [...text.matchAll(new RegExp(`[A-Za-z0-9+/]{${MIN_HIGH_ENTROPY_LENGTH},}={0,2}`, 'g'))].map((m) => [m.index, m[0]]);
  const pieces = fc.oneof(
    fc.constantFrom('=', '==', '===', ' ', '\n', '-', '_', ':', '"', 'é', '🙂', '+/', 'kind: Secret\n'),
    fc.stringMatching(/^[A-Za-z0-9+/]{1,45}$/),
    fc.integer({ min: 36, max: 44 }).map((n) => 'Ab1+/'.repeat(10).slice(0, n)),
  );

  it('GIVEN random text of base64 runs, padding and separators WHEN scanned THEN it finds exactly what the regular expression finds', () => {
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        expect([...base64Tokens(text)]).toEqual(reference(text));
      }),
      { numRuns: 500 },
    );
  });

  it('GIVEN a run of exactly 40 characters, one of 39, and padding beyond two WHEN scanned THEN only the 40 is found, with two "="', () => {
    const forty = 'a'.repeat(39) + 'B';
    const text = `x: ${forty}===\ny: ${'c'.repeat(39)}\n`;
    expect([...base64Tokens(text)]).toEqual([[3, `${forty}==`]]);
    expect(reference(text)).toEqual([[3, `${forty}==`]]);
  });
});
