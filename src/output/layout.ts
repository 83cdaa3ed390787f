import type { JsonValue } from './normalize.ts';

/** A compiled object and the cluster whose folder it belongs to. */
export interface PlacedObject {
  readonly cluster: string;
  readonly object: { [key: string]: JsonValue };
  /** Folder outside the cluster's synced tree, e.g. `hooks/<policy>`. @default the cluster's folder */
  readonly folder?: string;
}

/**
 * Where an object's file goes: `clusters/<cluster>/<namespace or _cluster>/<kind>-<name>.yaml`.
 * The namespace is part of the path, so same-named objects in two namespaces never overwrite each other.
 */
export function clusterObjectPath(placed: PlacedObject): string {
  const metadata = (placed.object.metadata ?? {}) as { name?: string; namespace?: string };
  const kind = String(placed.object.kind ?? 'object').toLowerCase();
  if (placed.folder) return `${placed.folder}/${kind}-${metadata.name}.yaml`;
  return `clusters/${placed.cluster}/${metadata.namespace ?? '_cluster'}/${kind}-${metadata.name}.yaml`;
}
