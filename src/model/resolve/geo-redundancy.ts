/** Resolves the geo-redundancy a GCS or Azure storage declares: STO008 for what does not survive a region loss. */
import { AZURE_GEO_REDUNDANCIES, GCS_GEO_LOCATIONS, type Storage } from '../../dsl/storage.ts';
import type { Diagnostic } from '../diagnostic.ts';
import type { GeoRedundancyModel } from '../types.ts';
import { at, duration, isRecord } from './fields.ts';

/**
 * The geo-redundancy a storage declares, or undefined (with STO008) when it does not survive the
 * loss of a region: declared on GCS or Azure storage only (S3 declares `replication`), a GCS
 * location that is a multi-region or dual-region, an Azure redundancy that copies to a secondary
 * region, and a lag (the copy is asynchronous, so a region loss can take the newest objects with it).
 */
export function resolveGeoRedundancy(storage: Storage, diagnostics: Diagnostic[]): GeoRedundancyModel | undefined {
  const p = storage.props as { provider: unknown; geoRedundancy?: unknown };
  const declared = p.geoRedundancy;
  if (declared === undefined) return undefined;
  const sto008 = (path: string, message: string, hint: string) => diagnostics.push(at(storage, path, { code: 'STO008', message, hint }));
  if (p.provider !== 'gcp' && p.provider !== 'azure') {
    sto008('geoRedundancy', `geoRedundancy is declared for GCS and Azure storage only, but "${storage.name}" is ${String(p.provider)} storage`, "declare the bucket's replica in another region instead: replication: { bucket, region, kmsKeyId, lag: '15m' }");
    return undefined;
  }
  const example = p.provider === 'gcp' ? "geoRedundancy: { location: 'EU', lag: '1h' }" : "geoRedundancy: { redundancy: 'RA-GZRS', lag: '1h' }";
  if (!isRecord(declared)) {
    sto008('geoRedundancy', `expected ${p.provider === 'gcp' ? '{ location, lag }' : '{ redundancy, lag }'}, got ${JSON.stringify(declared)}`, `e.g. ${example}`);
    return undefined;
  }
  // GCS location names are case-insensitive; the bucket's metadata spells them in capitals.
  const location = p.provider === 'gcp' && typeof declared.location === 'string' ? GCS_GEO_LOCATIONS.find((l) => l === (declared.location as string).toUpperCase()) : undefined;
  const redundancy = p.provider === 'azure' ? AZURE_GEO_REDUNDANCIES.find((r) => r === declared.redundancy) : undefined;
  if (p.provider === 'gcp') {
    if (location === undefined) {
      sto008('geoRedundancy.location', `expected the bucket's multi-region or dual-region location (${GCS_GEO_LOCATIONS.join(', ')}), got ${JSON.stringify(declared.location) ?? 'nothing'}: a bucket in one region is lost with it`, "create the bucket in a multi-region or dual-region location and name it, e.g. location: 'EU'; or restore from a storage of its own in another region");
    }
  } else if (redundancy === undefined) {
    sto008('geoRedundancy.redundancy', `expected the account's geo-redundant replication (${AZURE_GEO_REDUNDANCIES.join(', ')}), got ${JSON.stringify(declared.redundancy) ?? 'nothing'}: LRS and ZRS keep every copy in one region`, "make the storage account geo-redundant and name its redundancy, e.g. redundancy: 'RA-GZRS'");
  }
  if (declared.lag === undefined) {
    sto008('geoRedundancy.lag', 'declares no replication lag: the copy in the other region is asynchronous, so a restore after a region loss could pick a backup whose objects are not all copied', `declare how long the copy may take, e.g. ${example}`);
  }
  const lag = declared.lag === undefined ? undefined : duration(storage, 'geoRedundancy.lag', declared.lag, diagnostics);
  if (!lag) return undefined;
  if (location !== undefined) return { provider: 'gcp', location, lag };
  if (redundancy !== undefined) return { provider: 'azure', redundancy, lag };
  return undefined;
}
