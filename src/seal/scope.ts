import { CLUSTER_WIDE_ANNOTATION, NAMESPACE_WIDE_ANNOTATION } from './annotations.ts';

/** The sealing scopes of Bitnami Sealed Secrets, from most to least restrictive. */
export const SEALING_SCOPES = ['strict', 'namespace-wide', 'cluster-wide'] as const;

/**
 * Where a sealed value may be decrypted: `strict` only as this name in this namespace,
 * `namespace-wide` under any name in this namespace, `cluster-wide` anywhere.
 */
export type SealingScope = (typeof SEALING_SCOPES)[number];

/** The object a value is sealed for; the scope decides which parts bind the ciphertext. */
export interface SealTarget {
  /** Sealing scope. */
  readonly scope: SealingScope;
  /** Namespace of the Secret. */
  readonly namespace: string;
  /** Name of the Secret. */
  readonly name: string;
}

/**
 * The RSA-OAEP label that binds a ciphertext to its scope, as the controller computes it.
 *
 * @example
 * sealingLabel({ scope: 'strict', namespace: 'velero', name: 'creds' }).toString(); // 'velero/creds'
 */
export function sealingLabel(target: SealTarget): Buffer {
  switch (target.scope) {
    case 'strict':
      return Buffer.from(`${target.namespace}/${target.name}`, 'utf8');
    case 'namespace-wide':
      return Buffer.from(target.namespace, 'utf8');
    case 'cluster-wide':
      return Buffer.alloc(0);
  }
}

/** The scope annotations a SealedSecret and its template carry; none for strict scope. */
export function scopeAnnotations(scope: SealingScope): Record<string, string> {
  switch (scope) {
    case 'strict':
      return {};
    case 'namespace-wide':
      return { [NAMESPACE_WIDE_ANNOTATION]: 'true' };
    case 'cluster-wide':
      return { [CLUSTER_WIDE_ANNOTATION]: 'true' };
  }
}

/**
 * The scope the controller reads from a SealedSecret's annotations. Like the controller,
 * cluster-wide wins over namespace-wide, and anything but `"true"` means strict.
 */
export function scopeFromAnnotations(annotations: Readonly<Record<string, unknown>> | undefined): SealingScope {
  if (annotations?.[CLUSTER_WIDE_ANNOTATION] === 'true') return 'cluster-wide';
  if (annotations?.[NAMESPACE_WIDE_ANNOTATION] === 'true') return 'namespace-wide';
  return 'strict';
}

/** Whether a string names a sealing scope. */
export function isSealingScope(value: string): value is SealingScope {
  return (SEALING_SCOPES as readonly string[]).includes(value);
}
