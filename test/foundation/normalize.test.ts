import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { normalize } from '../../src/output/normalize.ts';
import { toYaml } from '../../src/output/yaml.ts';

/** The normalized value, which these tests always expect to be an object. */
function normalized(value: unknown): Record<string, unknown> {
  const result = normalize(value);
  if (typeof result !== 'object' || result === null || Array.isArray(result)) throw new Error(`not an object: ${JSON.stringify(result)}`);
  return result;
}

describe('normalize: absent values', () => {
  it('GIVEN null and undefined fields WHEN normalized THEN they are dropped, at any depth', () => {
    expect(normalize({ a: 1, b: null, c: undefined, d: { e: null, f: 'x' } })).toEqual({ a: 1, d: { f: 'x' } });
  });

  it('GIVEN empty optional lists and maps WHEN normalized THEN they are dropped, and so are maps left empty by that', () => {
    expect(normalize({ spec: { includedResources: [], config: {}, labelSelector: { matchLabels: {} } }, keep: 'x' })).toEqual({ keep: 'x' });
  });

  it('GIVEN null items in a list WHEN normalized THEN the items are dropped and the rest keep their order', () => {
    expect(normalize({ list: ['b', null, 'a', undefined, 'c'] })).toEqual({ list: ['b', 'a', 'c'] });
  });

  it('GIVEN falsy values that mean something (false, 0, empty string) WHEN normalized THEN they are kept', () => {
    expect(normalize({ default: false, replicas: 0, value: '' })).toEqual({ default: false, replicas: 0, value: '' });
  });

  it('GIVEN nothing left at all WHEN normalized THEN the result is undefined', () => {
    expect(normalize({ a: null, b: [], c: {} })).toBeUndefined();
    expect(normalize(null)).toBeUndefined();
  });
});

describe('normalize: empty values that mean something', () => {
  it('GIVEN emptyDir: {} WHEN normalized THEN it is kept', () => {
    const pod = { spec: { volumes: [{ name: 'scratch', emptyDir: {} }] } };
    expect(normalize(pod)).toEqual(pod);
  });

  it('GIVEN podSelector: {} and namespaceSelector: {} WHEN normalized THEN they are kept (they select everything)', () => {
    const policy = { spec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] } };
    expect(normalize(policy)).toEqual(policy);
  });

  it('GIVEN apiGroups: [""] (the core group) WHEN normalized THEN the empty string is kept', () => {
    const role = { rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] };
    expect(normalize(role)).toEqual(role);
  });

  it('GIVEN a NetworkPolicy with ingress: [{}] (allow all) WHEN normalized THEN the empty rule is kept, not turned into deny-all', () => {
    const allowAll = { spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] } };
    expect(normalize(allowAll)).toEqual(allowAll);
    // A rule whose fields are all absent or empty is the same rule: from every source, on every port.
    expect(normalize({ spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [], ports: undefined }] } })).toEqual(allowAll);
    expect(toYaml(normalize(allowAll) ?? null)).toContain('ingress:\n    - {}\n');
  });
});

describe('normalize: key order', () => {
  it('GIVEN keys in any order WHEN normalized THEN apiVersion, kind and metadata come first, then the rest sorted', () => {
    const object = normalized({ spec: { b: 1, a: 2 }, metadata: { name: 'x', labels: { z: '1', a: '2' } }, kind: 'Schedule', status: {}, apiVersion: 'velero.io/v1', data: 'd' });
    expect(Object.keys(object)).toEqual(['apiVersion', 'kind', 'metadata', 'data', 'spec']);
    expect(Object.keys(object.spec as object)).toEqual(['a', 'b']);
    expect(Object.keys(object.metadata as object)).toEqual(['labels', 'name']);
    expect(Object.keys((object.metadata as { labels: object }).labels)).toEqual(['a', 'z']);
  });

  it('GIVEN keys that differ only in case WHEN normalized THEN they sort by code point, whatever the locale', () => {
    expect(Object.keys(normalized({ b: 1, B: 2, a: 3, A: 4, ı: 5, i: 6, I: 7 }))).toEqual(['A', 'B', 'I', 'a', 'b', 'i', 'ı']);
  });

  it('GIVEN a list WHEN normalized THEN its order is kept, not sorted', () => {
    expect(normalize({ includedNamespaces: ['zeta', 'alpha', 'mid'] })).toEqual({ includedNamespaces: ['zeta', 'alpha', 'mid'] });
  });

  it('GIVEN the same object built in two key orders WHEN normalized and dumped THEN the YAML is byte for byte the same', () => {
    const a = { kind: 'K', apiVersion: 'v1', metadata: { name: 'n', namespace: 'ns' }, spec: { y: [1, 2], x: { q: true, p: false } } };
    const b = { spec: { x: { p: false, q: true }, y: [1, 2] }, metadata: { namespace: 'ns', name: 'n' }, apiVersion: 'v1', kind: 'K' };
    const yamlA = toYaml(normalize(a) ?? null);
    expect(toYaml(normalize(b) ?? null)).toBe(yamlA);
    expect(yamlA.startsWith('apiVersion: v1\nkind: K\nmetadata:\n')).toBe(true);
  });
});

describe('normalize: values a manifest cannot hold', () => {
  it('GIVEN NaN or Infinity WHEN normalized THEN it throws, naming the field', () => {
    expect(() => normalize({ spec: { ttlSeconds: Number.NaN } })).toThrow(/ttlSeconds/);
    expect(() => normalize({ spec: { replicas: Number.POSITIVE_INFINITY } })).toThrow(/replicas/);
  });

  it('GIVEN a function WHEN normalized THEN it throws, naming the field', () => {
    expect(() => normalize({ hook: () => undefined })).toThrow(/hook/);
  });
});

describe('toYaml', () => {
  it('GIVEN strings YAML 1.1 reads as booleans or numbers WHEN dumped THEN they are quoted and read back as strings', () => {
    const labels = { a: 'true', b: 'yes', c: 'on', d: '0755', e: '1e3', f: 'null', g: '~', h: 'plain' };
    const text = toYaml({ labels });
    expect(text).toContain('a: "true"');
    expect(text).toContain('h: plain');
    expect(yaml.load(text, { schema: yaml.DEFAULT_SCHEMA })).toEqual({ labels });
  });

  it('GIVEN strings with underscores between digits (1_000, 0_7) WHEN dumped THEN they are quoted, since YAML 1.1 readers take them for numbers', () => {
    const labels = { build: '1_000', shard: '0_7', ratio: '1_0.5', mask: '0x_1F', signed: '+1_000', trailing: '1_', plain: 'v1_000' };
    const text = toYaml({ labels });
    expect(text).toContain('build: "1_000"');
    expect(text).toContain('shard: "0_7"');
    for (const key of ['ratio', 'mask', 'signed', 'trailing']) expect(text).toContain(`${key}: "${labels[key as keyof typeof labels]}"`);
    expect(text).toContain('plain: v1_000');
    expect(yaml.load(text)).toEqual({ labels });
  });

  it('GIVEN a long string WHEN dumped THEN it is not folded over several lines', () => {
    const command = `pg_dump ${'--option '.repeat(30)}`;
    expect(toYaml({ command }).trim().split('\n')).toHaveLength(1);
  });
});
