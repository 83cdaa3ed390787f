/**
 * Validation against the real upstream CRDs vendored in test/fixtures/schemas/<project>/<version>/,
 * made strict the way `kubectl apply --validate=strict` is: unknown fields are errors instead of being
 * silently pruned. Tests use it to prove that what restorable emits would be accepted by a cluster, and
 * that the project's own (shipped) schemas never allow a field the real CRD does not know.
 *
 * What "strict" means here:
 * - every object schema with `properties` gets `additionalProperties: false`, unless it already says
 *   something about additional properties or has `x-kubernetes-preserve-unknown-fields: true`;
 * - `x-kubernetes-int-or-string` becomes `type: [integer, string]`; other `x-kubernetes-*` keywords
 *   (list/map types, CEL `x-kubernetes-validations`) are dropped, so CEL rules are NOT checked;
 * - `apiVersion` and `kind` must equal the CRD's group/version and kind;
 * - `metadata`, which CRDs leave as a bare `type: object`, is checked against the real Kubernetes
 *   ObjectMeta schema (the vendored Kubernetes OpenAPI document), as the API server does.
 *
 * This module is also the one place that knows where the vendored upstream data is: every test
 * takes those paths from here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import yaml from 'js-yaml';
import { formatAjvErrors } from '../../src/k8s/errors.ts';

/** A JSON Schema node as parsed from YAML/JSON. */
export type SchemaNode = Record<string, unknown>;

/** Validates one object; returns one sentence per problem, empty when valid. */
export type CrdValidator = (obj: unknown) => string[];

/** The repository root (this file is test/support/crd.ts). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Schemas used by the tests: restorable's own report schemas, and vendored upstream ones in subfolders. */
export const schemaFixturesDir = path.join(repoRoot, 'test', 'fixtures', 'schemas');

/**
 * The vendored upstream projects and the folder of the version each test uses, relative to
 * {@link schemaFixturesDir}. `test/fixtures/schemas/refresh.sh` names the same versions.
 */
export const VENDORED = {
  velero: 'velero/v1.18.1',
  'argo-cd': 'argo-cd/v3.5.1',
  'sealed-secrets': 'sealed-secrets/v0.36.6',
  'external-snapshotter': 'external-snapshotter/v8.6.0',
  'prometheus-operator': 'prometheus-operator/v0.82.2',
  kubernetes: 'kubernetes/v1.33.0',
} as const;

/** A vendored upstream project. */
export type VendoredProject = keyof typeof VENDORED;

/** The projects whose folders hold CRDs. */
const CRD_PROJECTS: readonly VendoredProject[] = ['velero', 'argo-cd', 'sealed-secrets', 'external-snapshotter', 'prometheus-operator'];

/** Absolute path of the vendored folder of a project. */
export function vendoredDir(project: VendoredProject): string {
  return path.join(schemaFixturesDir, VENDORED[project]);
}

/** The Kubernetes API schema (OpenAPI v2) that supplies ObjectMeta. */
export const kubernetesOpenApiFile = path.join(vendoredDir('kubernetes'), 'swagger.json');

/** Sealed Secrets test vectors and their throwaway key pair (made for the tests, not upstream files). */
export const sealedSecretsVectorsDir = path.join(repoRoot, 'test', 'fixtures', 'sealed-secrets-vectors');

/**
 * Absolute path of a reference CRD file. `file` is `<project>/<file name>`, e.g.
 * `velero/velero.io_schedules.yaml`: the version comes from {@link VENDORED}, so tests do not name it.
 */
export function referenceCrdPath(file: string): string {
  const slash = file.indexOf('/');
  const project = file.slice(0, slash) as VendoredProject;
  if (slash < 0 || !CRD_PROJECTS.includes(project)) {
    throw new Error(`${file}: a reference CRD is named <project>/<file>, project one of ${CRD_PROJECTS.join(', ')}`);
  }
  return path.join(vendoredDir(project), file.slice(slash + 1));
}

/** One served version of a reference CRD. */
export interface CrdVersionRef {
  /** File as {@link referenceCrdPath} takes it, e.g. `velero/velero.io_schedules.yaml`. */
  readonly file: string;
  /** `group/version`. */
  readonly apiVersion: string;
  /** Kind name. */
  readonly kind: string;
  /** Version name, e.g. `v1`. */
  readonly version: string;
}

function isRecord(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(node: unknown, ...keys: string[]): unknown {
  let cur = node;
  for (const key of keys) cur = isRecord(cur) ? cur[key] : undefined;
  return cur;
}

interface ParsedCrd {
  readonly group: string;
  readonly kind: string;
  readonly versions: readonly { readonly name: string; readonly served: boolean; readonly storage: boolean; readonly schema: SchemaNode }[];
}

const crdCache = new Map<string, ParsedCrd>();

/** Reads and parses a CRD file once. */
function readCrd(file: string): ParsedCrd {
  const cached = crdCache.get(file);
  if (cached !== undefined) return cached;
  const docs = yaml.loadAll(fs.readFileSync(referenceCrdPath(file), 'utf8'));
  const doc = docs.find((d) => field(d, 'kind') === 'CustomResourceDefinition');
  const group = field(doc, 'spec', 'group');
  const kind = field(doc, 'spec', 'names', 'kind');
  const versions = field(doc, 'spec', 'versions');
  if (typeof group !== 'string' || typeof kind !== 'string' || !Array.isArray(versions)) {
    throw new Error(`${file} is not a CustomResourceDefinition`);
  }
  const parsed: ParsedCrd = {
    group,
    kind,
    versions: versions.map((v: unknown) => {
      const schema = field(v, 'schema', 'openAPIV3Schema');
      const name = field(v, 'name');
      if (!isRecord(schema) || typeof name !== 'string') throw new Error(`${file}: version without a schema`);
      return { name, served: field(v, 'served') === true, storage: field(v, 'storage') === true, schema };
    }),
  };
  crdCache.set(file, parsed);
  return parsed;
}

/** Keywords whose value is a single sub-schema. */
const SUBSCHEMA_KEYWORDS = new Set(['items', 'additionalProperties', 'not']);
/** Keywords whose value is a list of sub-schemas. */
const SUBSCHEMA_LIST_KEYWORDS = new Set(['anyOf', 'allOf', 'oneOf']);

/**
 * Makes a structural CRD schema strict (see the file comment). `resolveRef` inlines `$ref`s, which only
 * the Kubernetes core definitions use.
 */
export function strictify(node: unknown, resolveRef: (ref: string) => unknown = unresolvable): unknown {
  if (!isRecord(node)) return node;
  if (typeof node['$ref'] === 'string') return strictify(resolveRef(node['$ref']), resolveRef);
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-kubernetes-')) continue;
    if (key === 'properties' && isRecord(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, strictify(sub, resolveRef)]));
    } else if (SUBSCHEMA_KEYWORDS.has(key)) {
      out[key] = typeof value === 'boolean' ? value : strictify(value, resolveRef);
    } else if (SUBSCHEMA_LIST_KEYWORDS.has(key) && Array.isArray(value)) {
      out[key] = value.map((sub: unknown) => strictify(sub, resolveRef));
    } else {
      out[key] = value;
    }
  }
  if (node['x-kubernetes-int-or-string'] === true) {
    delete out['anyOf'];
    delete out['oneOf'];
    out['type'] = ['integer', 'string'];
  }
  if (out['properties'] !== undefined && out['additionalProperties'] === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    out['additionalProperties'] = false;
  }
  return out;
}

function unresolvable(ref: string): never {
  throw new Error(`unexpected $ref ${ref} in a CRD schema`);
}

let objectMetaSchema: unknown;

/** The real ObjectMeta schema, strict, with its `$ref`s inlined. */
function strictObjectMeta(): unknown {
  if (objectMetaSchema === undefined) {
    const definitions = field(JSON.parse(fs.readFileSync(kubernetesOpenApiFile, 'utf8')), 'definitions');
    const resolve = (ref: string): unknown => {
      const def = field(definitions, ref.replace('#/definitions/', ''));
      if (def === undefined) throw new Error(`unknown $ref ${ref}`);
      return def;
    };
    objectMetaSchema = strictify({ $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }, resolve);
  }
  return objectMetaSchema;
}

function pickVersion(crd: ParsedCrd, file: string, version: string | undefined): ParsedCrd['versions'][number] {
  const found =
    version === undefined ? (crd.versions.find((v) => v.storage) ?? crd.versions[0]) : crd.versions.find((v) => v.name === version);
  if (found === undefined) throw new Error(`${file} has no version ${version ?? '(any)'}`);
  return found;
}

const schemaCache = new Map<string, SchemaNode>();

/**
 * The strict schema of one version of a reference CRD (default: the storage version), with apiVersion
 * and kind pinned and metadata checked as ObjectMeta.
 */
export function loadCrdSchema(file: string, version?: string): SchemaNode {
  const crd = readCrd(file);
  const v = pickVersion(crd, file, version);
  const key = `${file}@${v.name}`;
  const cached = schemaCache.get(key);
  if (cached !== undefined) return cached;
  const strict = strictify(v.schema);
  if (!isRecord(strict) || !isRecord(strict['properties'])) throw new Error(`${key}: the schema has no properties`);
  const properties: SchemaNode = { ...strict['properties'] };
  properties['apiVersion'] = { type: 'string', const: `${crd.group}/${v.name}` };
  properties['kind'] = { type: 'string', const: crd.kind };
  const bareMetadata = properties['metadata'];
  if (isRecord(bareMetadata) && bareMetadata['properties'] === undefined) properties['metadata'] = strictObjectMeta();
  const required = Array.isArray(strict['required']) ? strict['required'] : [];
  const schema: SchemaNode = { ...strict, properties, required: [...new Set(['apiVersion', 'kind', ...required])] };
  schemaCache.set(key, schema);
  return schema;
}

/**
 * Go regular expressions in CRD patterns may start with inline flags such as `(?i)`, which JavaScript
 * does not understand; turn a leading `(?i)` into the `i` flag.
 */
const goRegExp = Object.assign(
  (pattern: string, flags: string): RegExp => {
    const inline = /^(\^?)\(\?i\)/.exec(pattern);
    return inline === null ? new RegExp(pattern, flags) : new RegExp(inline[1] + pattern.slice(inline[0].length), `${flags}i`);
  },
  { code: 'goRegExp' },
);

let ajv: Ajv | undefined;

function crdAjv(): Ajv {
  if (ajv === undefined) {
    // strictTypes off: upstream CRDs put `required`/`nullable` next to types in ways Ajv's linting flags
    // although they are valid; unknown keywords still fail compilation (strictSchema).
    ajv = new Ajv({ allErrors: true, verbose: true, strictSchema: true, strictTypes: false, allowUnionTypes: true, code: { regExp: goRegExp } });
    ajvFormats.default(ajv);
  }
  return ajv;
}

const validatorCache = new Map<string, ValidateFunction>();

/**
 * A strict validator for one version of a reference CRD (`file` as {@link referenceCrdPath} takes it,
 * e.g. `velero/velero.io_schedules.yaml`; default version: the storage one).
 * Compiled once and cached.
 */
export function loadCrdValidator(file: string, version?: string): CrdValidator {
  // Key by the resolved version so that "default" and its explicit name share one compiled validator.
  const resolved = pickVersion(readCrd(file), file, version).name;
  const key = `${file}@${resolved}`;
  let fn = validatorCache.get(key);
  if (fn === undefined) {
    fn = crdAjv().compile(loadCrdSchema(file, resolved));
    validatorCache.set(key, fn);
  }
  const compiled = fn;
  return (obj) => (compiled(obj) ? [] : formatAjvErrors(compiled.errors));
}

/** Every vendored CRD file, as `<project>/<file name>`. */
export function referenceCrdFiles(): string[] {
  return CRD_PROJECTS.flatMap((project) =>
    fs
      .readdirSync(vendoredDir(project))
      .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
      .map((f) => `${project}/${f}`),
  ).sort();
}

let crdIndex: Map<string, CrdVersionRef> | undefined;

/** Every served version of every reference CRD, keyed by `apiVersion kind`. */
export function referenceCrdIndex(): ReadonlyMap<string, CrdVersionRef> {
  if (crdIndex === undefined) {
    crdIndex = new Map();
    for (const file of referenceCrdFiles()) {
      const crd = readCrd(file);
      for (const v of crd.versions.filter((x) => x.served)) {
        const apiVersion = `${crd.group}/${v.name}`;
        crdIndex.set(`${apiVersion} ${crd.kind}`, { file, apiVersion, kind: crd.kind, version: v.name });
      }
    }
  }
  return crdIndex;
}

/** Validates an object against the reference CRD chosen by its apiVersion and kind. */
export function validateAgainstReferenceCrds(obj: unknown): string[] {
  const apiVersion = field(obj, 'apiVersion');
  const kind = field(obj, 'kind');
  const ref = referenceCrdIndex().get(`${String(apiVersion)} ${String(kind)}`);
  if (ref === undefined) return [`no reference CRD for apiVersion ${JSON.stringify(apiVersion)} kind ${JSON.stringify(kind)}`];
  return loadCrdValidator(ref.file, ref.version)(obj);
}

function typesOf(node: SchemaNode): string[] | undefined {
  const t = node['type'];
  if (typeof t === 'string') return t === 'integer' ? ['integer'] : [t];
  return Array.isArray(t) ? t.map(String) : undefined;
}

/**
 * Walks the project's schema next to a strict CRD schema and lists every place where the project
 * allows something the CRD does not: a property the CRD does not define, a map where the CRD has fixed
 * fields, or a type the CRD rejects. Empty means the project's schema is covered by the CRD.
 */
export function uncoveredPaths(project: unknown, crd: unknown, at = ''): string[] {
  if (!isRecord(project) || !isRecord(crd)) return [];
  const problems: string[] = [];
  const projectTypes = typesOf(project);
  const crdTypes = typesOf(crd);
  if (projectTypes !== undefined && crdTypes !== undefined) {
    // An integer is also a number, so `integer` in the project is fine where the CRD says `number`.
    const bad = projectTypes.filter((t) => !crdTypes.includes(t) && !(t === 'integer' && crdTypes.includes('number')));
    if (bad.length > 0) problems.push(`${at || '(root)'}: type ${bad.join('|')} where the CRD has ${crdTypes.join('|')}`);
  }
  const crdProps = isRecord(crd['properties']) ? crd['properties'] : {};
  const crdExtra = crd['additionalProperties'];
  // Without `additionalProperties: false` the CRD keeps unknown fields here (preserve-unknown-fields or
  // a free-form object), so nothing below this point can be unknown to it.
  const crdIsOpen = crdExtra === undefined || crdExtra === true;
  if (isRecord(project['properties'])) {
    for (const [name, sub] of Object.entries(project['properties'])) {
      const crdSub = crdProps[name] ?? (isRecord(crdExtra) ? crdExtra : undefined);
      if (crdSub !== undefined) problems.push(...uncoveredPaths(sub, crdSub, `${at}.${name}`));
      else if (!crdIsOpen) problems.push(`${at}.${name}: not in the CRD`);
    }
  }
  const projectExtra = project['additionalProperties'];
  if (projectExtra !== undefined && projectExtra !== false) {
    if (isRecord(crdExtra)) problems.push(...uncoveredPaths(projectExtra, crdExtra, `${at}{}`));
    else if (!crdIsOpen) problems.push(`${at}{}: the project allows any key, the CRD does not`);
  }
  if (project['items'] !== undefined) {
    if (crd['items'] !== undefined) problems.push(...uncoveredPaths(project['items'], crd['items'], `${at}[]`));
    else if (crdTypes !== undefined && !crdTypes.includes('array')) problems.push(`${at}[]: not an array in the CRD`);
  }
  return problems;
}
