import type { S3StorageProps } from '../../dsl/storage.ts';

/**
 * The connection settings of an S3 storage as velero-plugin-for-aws v1.14.3 reads them from a
 * location's config (its keys `insecureSkipTLSVerify`, `checksumAlgorithm`, `publicUrl`); values
 * are strings, as Velero's config map holds nothing else. STO004/STO005 check them.
 */
export function s3ConnectionConfig(props: S3StorageProps): Record<string, string> {
  const config: Record<string, string> = {};
  if (props.insecureSkipTLSVerify === true) config.insecureSkipTLSVerify = 'true';
  // '' is a value here: it turns the plugin's default CRC32 checksum off.
  if (props.checksumAlgorithm !== undefined) config.checksumAlgorithm = String(props.checksumAlgorithm);
  if (props.publicUrl !== undefined) config.publicUrl = String(props.publicUrl);
  return config;
}
