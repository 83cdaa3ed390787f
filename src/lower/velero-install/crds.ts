/**
 * Velero's CustomResourceDefinitions, as `velero install` renders them: the upstream files of the
 * version (config/crd/v1/bases and config/crd/v2alpha1/bases of Velero's module, kept byte-identical
 * in ./crds/<version>/) with the label `component: velero`, in file-name order.
 */
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';

/** The folder of a version's CRD files. */
export function crdFolder(version: string): string {
  return path.join(import.meta.dirname, 'crds', version);
}

const cache = new Map<string, readonly Record<string, unknown>[]>();

/** The CRDs of a Velero version, parsed, each labelled `component: velero` (as velero install does). */
export function veleroCrds(version: string): readonly Record<string, unknown>[] {
  const cached = cache.get(version);
  if (cached) return cached;
  const folder = crdFolder(version);
  const crds = fs
    .readdirSync(folder)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const crd = yaml.load(fs.readFileSync(path.join(folder, file), 'utf8')) as Record<string, unknown>;
      const metadata = (crd.metadata ?? {}) as Record<string, unknown>;
      return { ...crd, metadata: { ...metadata, labels: { component: 'velero' } } };
    });
  cache.set(version, crds);
  return crds;
}
