import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCertificate, parseCertificate, readSealedFile, unseal } from '../../src/seal/index.ts';
import { scanForSecrets } from '../../src/security/secret-scan.ts';
import { EXAMPLE_SECRETS, exampleCertificatePath, exampleKeyPath, exampleSealedPath } from '../fixtures/certs/example-credentials.ts';
import { repoRoot } from './support.ts';

const clusters = ['prod-eu', 'dr-us'] as const;

describe('example sealing certificates', () => {
  for (const cluster of clusters) {
    it(`GIVEN the ${cluster} certificate WHEN checked at the commit date THEN it is RSA-4096, valid 10 years, without findings`, async () => {
      const pem = await readFile(resolve(repoRoot, exampleCertificatePath(cluster)), 'utf8');
      const info = parseCertificate(pem);
      expect(info).toMatchObject({ keyType: 'rsa', keyBits: 4096 });
      expect(info.notAfter.getUTCFullYear() - info.notBefore.getUTCFullYear()).toBe(10);
      expect(checkCertificate(pem, new Date('2026-12-01T00:00:00Z'))).toEqual([]);
    });
  }
});

describe('example sealed credentials', () => {
  for (const example of EXAMPLE_SECRETS) {
    const file = exampleSealedPath(example.cluster, example.name);

    it(`GIVEN ${file} WHEN unsealed with the committed ${example.cluster} key THEN it holds the dummy values`, async () => {
      const sealed = await readSealedFile(resolve(repoRoot, file));
      expect(sealed).toMatchObject({ name: example.name, namespace: 'velero', scope: 'strict', keys: Object.keys(example.data) });
      const key = await readFile(resolve(repoRoot, exampleKeyPath(example.cluster)), 'utf8');
      for (const [dataKey, plaintext] of Object.entries(example.data)) {
        const value = sealed.object.spec.encryptedData[dataKey]!;
        expect(unseal(value, key, { scope: 'strict', namespace: 'velero', name: example.name }).toString('utf8')).toBe(plaintext);
      }
    });

    it(`GIVEN ${file} WHEN its attestation is read THEN it names the ${example.cluster} certificate`, async () => {
      const sealed = await readSealedFile(resolve(repoRoot, file));
      const pem = await readFile(resolve(repoRoot, exampleCertificatePath(example.cluster)), 'utf8');
      expect(sealed.fingerprint).toBe(parseCertificate(pem).fingerprintSha256);
    });

    it(`GIVEN ${file} WHEN scanned for secrets THEN nothing is reported`, async () => {
      expect(scanForSecrets(await readFile(resolve(repoRoot, file), 'utf8'), file)).toEqual([]);
    });
  }

  it('GIVEN both repository password files WHEN unsealed THEN they hold the same password', async () => {
    const passwords = await Promise.all(
      clusters.map(async (cluster) => {
        const sealed = await readSealedFile(resolve(repoRoot, exampleSealedPath(cluster, 'velero-repo-credentials')));
        const key = await readFile(resolve(repoRoot, exampleKeyPath(cluster)), 'utf8');
        const target = { scope: 'strict', namespace: 'velero', name: 'velero-repo-credentials' } as const;
        return unseal(sealed.object.spec.encryptedData['repository-password']!, key, target).toString();
      }),
    );
    expect(passwords[0]).toBe(passwords[1]);
  });

  it('GIVEN a prod-eu sealed file WHEN unsealed with the dr-us key THEN it fails', async () => {
    const sealed = await readSealedFile(resolve(repoRoot, exampleSealedPath('prod-eu', 'velero-repo-credentials')));
    const key = await readFile(resolve(repoRoot, exampleKeyPath('dr-us')), 'utf8');
    const target = { scope: 'strict', namespace: 'velero', name: 'velero-repo-credentials' } as const;
    expect(() => unseal(sealed.object.spec.encryptedData['repository-password']!, key, target)).toThrow(/decryption failed/);
  });
});
