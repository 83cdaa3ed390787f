import { readFile } from 'node:fs/promises';
import yaml from 'js-yaml';
import { VALUE_FINGERPRINT_ANNOTATION_PREFIX } from './annotations.ts';
import { readSealedSecretAttestation } from './certificate.ts';
import { SealError } from './errors.ts';
import { type SealingScope, scopeFromAnnotations } from './scope.ts';
import { SEALED_SECRET_API_VERSION, SEALED_SECRET_KIND, type SealedSecret } from './sealed-secret.ts';

/** A SealedSecret read from `policies/sealed/`, with what the compiler needs up front. */
export interface SealedFile {
  /** `metadata.name`. */
  readonly name: string;
  /** `metadata.namespace`. */
  readonly namespace: string;
  /** Scope from the annotations, read as the controller reads it. */
  readonly scope: SealingScope;
  /** Data keys of `spec.encryptedData`, sorted. */
  readonly keys: string[];
  /** Certificate fingerprint the file claims it was sealed with, if annotated. */
  readonly fingerprint?: string;
  /** Fingerprints of sealed values by key (only keys holding random secrets have one). */
  readonly valueFingerprints: Readonly<Record<string, string>>;
  /** The object itself, to copy into the output unchanged. */
  readonly object: SealedSecret;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Check that a parsed value is a usable SealedSecret and summarise it.
 *
 * @param value - a parsed YAML/JSON document
 * @param source - where it came from, for messages
 * @throws SealError SEAL104 naming the first problem
 */
export function parseSealedSecret(value: unknown, source: string): SealedFile {
  const fail = (why: string): SealError => new SealError('SEAL104', `${source}: ${why}`);
  if (!isRecord(value)) throw fail('expected a SealedSecret object');
  if (value.apiVersion !== SEALED_SECRET_API_VERSION || value.kind !== SEALED_SECRET_KIND) {
    throw fail(
      `expected apiVersion ${SEALED_SECRET_API_VERSION} and kind ${SEALED_SECRET_KIND}, found ${String(value.apiVersion)} ${String(value.kind)}`,
    );
  }
  const { metadata, spec } = value;
  if (!isRecord(metadata)) throw fail('metadata is missing');
  if (typeof metadata.name !== 'string' || metadata.name === '') throw fail('metadata.name is missing');
  if (typeof metadata.namespace !== 'string' || metadata.namespace === '') throw fail('metadata.namespace is missing');
  if (metadata.annotations !== undefined) {
    if (!isRecord(metadata.annotations) || Object.values(metadata.annotations).some((v) => typeof v !== 'string')) {
      throw fail('metadata.annotations must map names to strings');
    }
  }
  if (!isRecord(spec) || !isRecord(spec.encryptedData)) throw fail('spec.encryptedData is missing');
  const keys = Object.keys(spec.encryptedData).sort();
  if (keys.length === 0) throw fail('spec.encryptedData is empty');
  for (const key of keys) {
    const sealed = spec.encryptedData[key];
    if (typeof sealed !== 'string' || !BASE64.test(sealed)) {
      throw fail(`spec.encryptedData.${key} is not base64 ciphertext`);
    }
  }
  const fingerprint = readSealedSecretAttestation(value);
  const annotations = (metadata.annotations ?? {}) as Record<string, unknown>;
  const valueFingerprints = Object.fromEntries(
    Object.entries(annotations)
      .filter(([key, v]) => key.startsWith(VALUE_FINGERPRINT_ANNOTATION_PREFIX) && typeof v === 'string')
      .map(([key, v]) => [key.slice(VALUE_FINGERPRINT_ANNOTATION_PREFIX.length), v as string]),
  );
  return {
    valueFingerprints,
    name: metadata.name,
    namespace: metadata.namespace,
    scope: scopeFromAnnotations(metadata.annotations),
    keys,
    ...(fingerprint === undefined ? {} : { fingerprint }),
    // The checks above cover every field the compiler reads; the rest is copied as is.
    object: value as unknown as SealedSecret,
  };
}

/**
 * Load a SealedSecret file (one YAML document) and check it.
 *
 * @throws SealError SEAL106 when the file cannot be read, SEAL104 when it is not one SealedSecret
 */
export async function readSealedFile(path: string): Promise<SealedFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new SealError('SEAL106', `${path}: cannot read the file (${code})`);
  }
  let documents: unknown[];
  try {
    documents = yaml.loadAll(text).filter((doc) => doc !== null && doc !== undefined);
  } catch (error) {
    const line = error instanceof yaml.YAMLException ? ` at line ${error.mark.line + 1}` : '';
    const reason = error instanceof yaml.YAMLException ? error.reason : 'unreadable';
    throw new SealError('SEAL104', `${path}: not valid YAML${line}: ${reason}`);
  }
  if (documents.length !== 1) {
    throw new SealError('SEAL104', `${path}: expected exactly one SealedSecret document, found ${documents.length}`);
  }
  return parseSealedSecret(documents[0], path);
}
