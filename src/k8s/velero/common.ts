/** Pieces shared by several Velero kinds. */
import { bool, type JsonSchema, obj, str } from '../schema.ts';

/** apiVersion of every Velero kind restorable emits. */
export const VELERO_API_VERSION = 'velero.io/v1';

/**
 * A Go `time.Duration` string as Velero parses it (`720h`, `1h30m`, `10m0s`). Stricter than the CRD,
 * which takes any string: a day unit such as `30d` is a common slip that Velero only rejects at run time.
 */
export function goDuration(): JsonSchema {
  return str({ pattern: '^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$' });
}

/** A key of a Secret in the Velero namespace (corev1.SecretKeySelector). */
export interface ISecretKeySelector {
  /** Secret name. */
  name?: string;
  /** Key inside the Secret. */
  key: string;
  /** Whether the Secret or key may be missing. */
  optional?: boolean;
}

/** Schema of {@link ISecretKeySelector}. */
export const secretKeySelectorSchema: JsonSchema = obj({ name: str(), key: str({ minLength: 1 }), optional: bool() }, [
  'key',
]);
