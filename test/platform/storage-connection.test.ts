import { describe, expect, it } from 'vitest';
import { guardrails, s3Storage, sealed } from '../../src/dsl/index.ts';
import type { S3ChecksumAlgorithm } from '../../src/dsl/index.ts';
import type { IBackupStorageLocation } from '../../src/k8s/velero/backup-storage-location.ts';
import { validateObject } from '../../src/k8s/schema-registry.ts';
import { validateAgainstReferenceCrds } from '../support/crd.ts';
import { build, clusterWith, ofKind, policy, storage } from '../velero/support.ts';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUY2E=\n-----END CERTIFICATE-----\n';
const locations = (objects: Parameters<typeof ofKind>[0]) => ofKind<IBackupStorageLocation>(objects, 'BackupStorageLocation');
const codes = (diagnostics: readonly { code: string; severity: string; path?: string }[], prefix = 'STO') =>
  diagnostics.filter((d) => d.code.startsWith(prefix)).map((d) => `${d.severity} ${d.code} ${d.path}`);

describe('storage the way people run it (velero-plugin-for-aws v1.14.3 config keys)', () => {
  it('GIVEN a MinIO behind a private CA with a public URL and checksums off WHEN lowered THEN the location carries caCert (base64 PEM), publicUrl and an empty checksumAlgorithm, and validates against the real CRD', () => {
    const minio = s3Storage('minio', {
      bucket: 'velero',
      region: 'minio',
      endpoint: 'https://minio.backup.svc:9000',
      forcePathStyle: true,
      publicUrl: 'https://minio.example.com',
      checksumAlgorithm: '',
      caCert: CA,
      credentials: sealed('velero-minio'),
    });
    const edge = clusterWith('edge', [minio]);

    const built = build([minio, edge, policy('a', edge)]);
    const [location] = locations(built.objects);

    expect(codes(built.diagnostics)).toEqual([]);
    expect(location?.spec.config).toEqual({
      region: 'minio',
      s3Url: 'https://minio.backup.svc:9000',
      s3ForcePathStyle: 'true',
      publicUrl: 'https://minio.example.com',
      checksumAlgorithm: '',
    });
    expect(Buffer.from(location?.spec.objectStorage.caCert ?? '', 'base64').toString('utf8')).toBe(CA);
    expect(validateAgainstReferenceCrds(location!)).toEqual([]);
    expect(validateObject(location!)).toEqual([]);
  });

  it('GIVEN a storage without connection settings WHEN lowered THEN none of the keys appear', () => {
    const plain = storage('plain');
    const edge = clusterWith('edge', [plain]);

    const [location] = locations(build([plain, edge, policy('a', edge)]).objects);

    expect(location?.spec.config).toEqual({ region: 'eu-west-1' });
    expect(location?.spec.objectStorage.caCert).toBeUndefined();
  });

  it('GIVEN caCert that is not a PEM certificate WHEN checked THEN STO003 at caCert', () => {
    const bad = storage('bad', { caCert: '/etc/ssl/minio-ca.pem' });
    const edge = clusterWith('edge', [bad]);

    expect(codes(build([bad, edge, policy('a', edge)]).diagnostics)).toEqual(['error STO003 caCert']);
  });

  it('GIVEN insecureSkipTLSVerify on storage a production cluster lists WHEN checked THEN STO004 is an error; on a staging cluster only a warning', () => {
    const insecure = storage('insecure', { endpoint: 'https://minio.example.com', insecureSkipTLSVerify: true });
    const staging = clusterWith('edge', [insecure]);
    const prod = clusterWith('prod', [insecure], { environment: 'production', neverBacksUp: true });

    const onStaging = build([insecure, staging, policy('a', staging)]);
    const onProduction = build([insecure, staging, prod, policy('a', staging)]);

    expect(locations(onStaging.objects)[0]?.spec.config?.insecureSkipTLSVerify).toBe('true');
    expect(codes(onStaging.diagnostics)).toEqual(['warning STO004 insecureSkipTLSVerify']);
    expect(codes(onProduction.diagnostics)).toEqual(['error STO004 insecureSkipTLSVerify']);
    expect(onProduction.diagnostics.find((d) => d.code === 'STO004')?.message).toContain('production cluster "prod"');
  });

  it('GIVEN insecureSkipTLSVerify in an environment whose guardrails require encryption WHEN checked THEN STO004 is an error', () => {
    const insecure = storage('insecure', { insecureSkipTLSVerify: true });
    const live = clusterWith('live', [insecure], { environment: 'prod' });
    const strict = guardrails('prod', { requireEncryption: true });

    expect(codes(build([insecure, live, strict, policy('a', live)]).diagnostics)).toEqual(['error STO004 insecureSkipTLSVerify']);
  });

  it('GIVEN an unknown checksum algorithm (plain JavaScript) WHEN checked THEN STO005 names the accepted values', () => {
    const bad = storage('bad', { checksumAlgorithm: 'crc32' as S3ChecksumAlgorithm });
    const edge = clusterWith('edge', [bad]);

    const { diagnostics } = build([bad, edge, policy('a', edge)]);

    expect(codes(diagnostics)).toEqual(['error STO005 checksumAlgorithm']);
    expect(diagnostics.find((d) => d.code === 'STO005')?.hint).toContain('"CRC32"');
  });

  it('GIVEN an endpoint with a path and a publicUrl that is no URL WHEN checked THEN STO005 at each field', () => {
    const bad = storage('bad', { endpoint: 'https://minio.example.com/velero', publicUrl: 'minio.example.com' });
    const edge = clusterWith('edge', [bad]);

    expect(codes(build([bad, edge, policy('a', edge)]).diagnostics)).toEqual(['error STO005 endpoint', 'error STO005 publicUrl']);
  });
});
