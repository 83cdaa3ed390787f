/** Resolves a cluster declaration: its storage, snapshot classes, viewers, images and integrations. */
import type { Cluster } from '../../dsl/cluster.ts';
import type { CsiSnapshotClass } from '../../dsl/csi.ts';
import { Storage } from '../../dsl/storage.ts';
import type { Diagnostic } from '../diagnostic.ts';
import { resolveClusterDns } from '../cluster-dns.ts';
import { resolveMonitoring } from '../monitoring.ts';
import { resolveVeleroInstall } from '../velero-install.ts';
import type { ClusterModel } from '../types.ts';
import { at, describe, isRecord, listOf, sealedRef } from './fields.ts';

/**
 * A cluster as the model holds it, with defaults applied. REF002 for a storage entry that is not a
 * storage declaration, REF006 for one listed twice, VEL007 for a second snapshot class per driver
 * (only the first is kept, so the output never has two default classes for one driver).
 */
export function resolveCluster(cluster: Cluster, diagnostics: Diagnostic[]): ClusterModel {
  const p = cluster.props;
  const storage = listOf(p.storage).filter((s, index): s is Storage => {
    if (s instanceof Storage) return true;
    diagnostics.push(
      at(cluster, `storage[${index}]`, {
        code: 'REF002',
        message: `expected a storage declaration, got ${describe(s)}`,
        hint: 'list values made by s3Storage, gcsStorage or azureStorage (check the import)',
      }),
    );
    return false;
  });
  if (p.defaultStorage !== undefined && !(p.defaultStorage instanceof Storage)) {
    diagnostics.push(
      at(cluster, 'defaultStorage', {
        code: 'REF002',
        message: `expected a storage declaration, got ${describe(p.defaultStorage)}`,
        hint: 'pass a value made by s3Storage, gcsStorage or azureStorage that the cluster lists in storage',
      }),
    );
  }
  const listed = new Set<string>();
  storage.forEach((s, index) => {
    if (listed.has(s.name)) {
      diagnostics.push(
        at(cluster, `storage[${index}]`, {
          code: 'REF006',
          message: `storage "${s.name}" is listed twice`,
          hint: 'list each storage once',
        }),
      );
    }
    listed.add(s.name);
  });
  const snapshotClasses = listOf(p.snapshotClasses).map((declared, index) => {
    // A class without a driver gets the name "velero-", which NAME001 reports, rather than a crash.
    const c: Partial<CsiSnapshotClass> = isRecord(declared) ? declared : {};
    const driver = typeof c.driver === 'string' ? c.driver : '';
    return { name: c.name ?? `velero-${driver.replaceAll('.', '-')}`, driver, deletionPolicy: c.deletionPolicy ?? 'Retain', parameters: snapshotParameters(cluster, index, c.parameters, diagnostics) };
  });
  const drivers = new Set<string>();
  const classNames = new Set<string>();
  snapshotClasses.forEach((c, index) => {
    if (drivers.has(c.driver) || classNames.has(c.name)) {
      diagnostics.push(
        at(cluster, `snapshotClasses[${index}]`, {
          code: 'VEL007',
          message: `a second snapshot class for driver ${c.driver} (or named ${c.name}); Velero picks one labelled class per driver`,
          hint: 'declare one csi() class per CSI driver',
        }),
      );
    }
    drivers.add(c.driver);
    classNames.add(c.name);
  });
  return {
    name: cluster.name,
    environment: p.environment,
    region: p.region,
    veleroNamespace: p.veleroNamespace ?? 'velero',
    storage: [...listed],
    defaultStorage: p.defaultStorage instanceof Storage ? p.defaultStorage.name : undefined,
    neverBacksUp: p.neverBacksUp === true,
    snapshotClasses: snapshotClasses.filter((c, index) => snapshotClasses.findIndex((o) => o.driver === c.driver || o.name === c.name) === index),
    sealingCertificates: listOf(p.sealingCertificates),
    sealingKeyRecovery: p.sealingKeyRecovery,
    repositoryPassword: sealedRef(p.repositoryPassword),
    viewers: listOf(p.viewers),
    // An image that is not a string is no image: IMG001 asks for one where a job needs it.
    images: typeof p.images?.kubectl === 'string' ? { kubectl: p.images.kubectl } : {},
    ...resolveMonitoring(cluster, p.veleroNamespace ?? 'velero', diagnostics),
    dns: resolveClusterDns(cluster, diagnostics),
    velero: resolveVeleroInstall(cluster, new Set(storage.map((s) => s.props.provider)), diagnostics),
    argocd: p.argocd
      ? { repoURL: p.argocd.repoURL, targetRevision: p.argocd.targetRevision ?? 'main', namespace: p.argocd.namespace ?? 'argocd' }
      : undefined,
    source: cluster.source,
  };
}

/**
 * A snapshot class's parameters: a VolumeSnapshotClass holds strings only (`iops: '3000'`), and the
 * API server refuses the class otherwise (TYPE001 for each other value, which is left out).
 */
function snapshotParameters(cluster: Cluster, index: number, parameters: unknown, diagnostics: Diagnostic[]): Record<string, string> {
  if (parameters === undefined || parameters === null) return {};
  const path = `snapshotClasses[${index}].parameters`;
  const hint = "quote every value, e.g. parameters: { iops: '3000' }";
  if (!isRecord(parameters)) {
    diagnostics.push(at(cluster, path, { code: 'TYPE001', message: `expected a map of strings, got ${describe(parameters)}`, hint }));
    return {};
  }
  const strings: Record<string, string> = {};
  for (const [key, value] of Object.entries(parameters)) {
    if (typeof value === 'string') strings[key] = value;
    else diagnostics.push(at(cluster, `${path}.${key}`, { code: 'TYPE001', message: `expected a string, got ${typeof value === 'number' ? String(value) : describe(value)}`, hint }));
  }
  return strings;
}
