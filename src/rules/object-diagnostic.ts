import type { Diagnostic } from '../model/diagnostic.ts';
import type { PlacedObject } from '../output/layout.ts';

/**
 * A diagnostic about one compiled object: names the cluster, kind, namespace and name, and the
 * policy that produced it when the object carries its label.
 */
export function aboutObject(
  placed: PlacedObject,
  d: Pick<Diagnostic, 'code' | 'message' | 'hint'> & { severity?: Diagnostic['severity'] },
): Diagnostic {
  const metadata = (placed.object.metadata ?? {}) as { name?: string; namespace?: string; labels?: Record<string, string> };
  return {
    severity: 'error',
    declaration: metadata.labels?.['restorable.dev/policy'] ?? placed.cluster,
    object: {
      apiVersion: String(placed.object.apiVersion),
      kind: String(placed.object.kind),
      namespace: metadata.namespace,
      name: String(metadata.name),
    },
    ...d,
    message: `${placed.cluster}: ${String(placed.object.kind)} ${metadata.namespace ? `${metadata.namespace}/` : ''}${String(metadata.name)}: ${d.message}`,
  };
}
