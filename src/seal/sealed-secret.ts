import type { KeyObject } from 'node:crypto';
import { FINGERPRINTED_KEYS, SEALED_WITH_CERT_ANNOTATION, VALUE_FINGERPRINT_ANNOTATION_PREFIX } from './annotations.ts';
import { valueFingerprint } from './value-fingerprint.ts';
import { parseCertificate, sealingPublicKey } from './certificate.ts';
import { SealError } from './errors.ts';
import { assertDnsLabel, assertSecretKey, assertSecretName } from './names.ts';
import { type SealingScope, scopeAnnotations } from './scope.ts';
import { seal } from './seal.ts';

/** API version of the SealedSecret kind. */
export const SEALED_SECRET_API_VERSION = 'bitnami.com/v1alpha1';

/** Kind name of a SealedSecret. */
export const SEALED_SECRET_KIND = 'SealedSecret';

/** Metadata of a SealedSecret or of its Secret template. */
export interface SealedSecretMetadata {
  /** Object name. */
  readonly name: string;
  /** Object namespace. */
  readonly namespace: string;
  /** Annotations; scope annotations live here. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Labels. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A SealedSecret (`bitnami.com/v1alpha1`), as plain data ready to serialise. */
export interface SealedSecret {
  /** Always `bitnami.com/v1alpha1`. */
  readonly apiVersion: typeof SEALED_SECRET_API_VERSION;
  /** Always `SealedSecret`. */
  readonly kind: typeof SEALED_SECRET_KIND;
  /** Name, namespace, scope and attestation annotations. */
  readonly metadata: SealedSecretMetadata;
  /** Sealed values and the template of the Secret the controller creates. */
  readonly spec: {
    /** Base64 ciphertext per data key, keys sorted. */
    readonly encryptedData: Readonly<Record<string, string>>;
    /** The Secret the controller creates. */
    readonly template?: {
      /** Metadata copied onto the Secret. */
      readonly metadata?: SealedSecretMetadata;
      /** Secret type. */
      readonly type?: string;
      /** Whether the Secret is immutable. */
      readonly immutable?: boolean;
    };
  };
}

/** What to seal into a SealedSecret. */
export interface BuildSealedSecretProps {
  /** Secret name (RFC 1123 subdomain). */
  readonly name: string;
  /** Secret namespace (RFC 1123 label). */
  readonly namespace: string;
  /**
   * Sealing scope.
   * @default 'strict'
   */
  readonly scope?: SealingScope;
  /** Plaintext per data key; at least one key. Never stored. */
  readonly data: Readonly<Record<string, Buffer>>;
  /** The controller's PEM certificate. */
  readonly certificate: string | Buffer;
  /**
   * Secret type, e.g. `kubernetes.io/dockerconfigjson`.
   * @default 'Opaque'
   */
  readonly type?: string;
}

/**
 * Seal every value and wrap them in a SealedSecret, the way `kubeseal` does: scope
 * annotations on the object and on its template, plus an attestation of the certificate.
 *
 * @throws SealError SEAL001/SEAL002 for an unusable certificate, SEAL101 for invalid names
 * @example
 * const obj = buildSealedSecret({
 *   name: 'velero-repo-credentials', namespace: 'velero',
 *   data: { 'repository-password': Buffer.from(password) }, certificate: pem,
 * });
 */
export function buildSealedSecret(props: BuildSealedSecretProps): SealedSecret {
  const scope = props.scope ?? 'strict';
  assertSecretName(props.name);
  assertDnsLabel(props.namespace, 'namespace');
  const keys = Object.keys(props.data).sort();
  if (keys.length === 0) throw new SealError('SEAL101', 'nothing to seal: give at least one data key');
  keys.forEach(assertSecretKey);

  const publicKey: KeyObject = sealingPublicKey(props.certificate);
  const { fingerprintSha256 } = parseCertificate(props.certificate);
  const target = { scope, namespace: props.namespace, name: props.name };
  const encryptedData: Record<string, string> = {};
  for (const key of keys) {
    encryptedData[key] = seal(props.data[key]!, publicKey, target);
  }

  const scoped = scopeAnnotations(scope);
  const templateMetadata: SealedSecretMetadata = {
    name: props.name,
    namespace: props.namespace,
    ...(Object.keys(scoped).length > 0 ? { annotations: scoped } : {}),
  };
  return {
    apiVersion: SEALED_SECRET_API_VERSION,
    kind: SEALED_SECRET_KIND,
    metadata: {
      name: props.name,
      namespace: props.namespace,
      annotations: {
        ...scoped,
        [SEALED_WITH_CERT_ANNOTATION]: fingerprintSha256,
        ...Object.fromEntries(
          keys
            .filter((key) => FINGERPRINTED_KEYS.includes(key))
            .map((key) => [`${VALUE_FINGERPRINT_ANNOTATION_PREFIX}${key}`, valueFingerprint(props.name, key, props.data[key]!)]),
        ),
      },
    },
    spec: {
      encryptedData,
      template: { metadata: templateMetadata, type: props.type ?? 'Opaque' },
    },
  };
}
