/**
 * The checks every emitted kind must pass, shared by the per-group test files: realistic examples are
 * accepted by the project's schema, the model, the run-time registry AND the real CRD; misspelt fields
 * and wrong types are rejected by all of them; and the project's schema allows nothing the CRD lacks.
 */
import { describe, expect, it } from 'vitest';
import { validateObject } from '../../src/k8s/schema-registry.ts';
import type { JsonSchema } from '../../src/k8s/schema.ts';
import { validationErrors } from '../../src/k8s/validation.ts';
import { loadCrdSchema, loadCrdValidator, uncoveredPaths } from '../support/crd.ts';

/** Deep copy so a test can break one field without touching the shared example. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** A copy of `obj` with the value at a dotted path replaced (the parent must exist). */
export function setAt(obj: unknown, dotted: string, value: unknown): unknown {
  const copy = clone(obj);
  const keys = dotted.split('.');
  const last = keys.pop() as string;
  let cur = copy as Record<string, unknown>;
  for (const k of keys) cur = cur[k] as Record<string, unknown>;
  cur[last] = value;
  return copy;
}

/** One kind under test. */
export interface KindCase {
  /** Kind name, for test titles. */
  readonly kind: string;
  /** Reference CRD file as `<project>/<file name>` (see referenceCrdPath in ../support/crd.ts). */
  readonly crdFile: string;
  /** The project's schema of the kind. */
  readonly schema: JsonSchema;
  /** Realistic examples; the first one is broken by the negative tests. */
  readonly examples: readonly unknown[];
  /** Builds the model from an example and runs its validate(). */
  readonly modelValidate: (obj: unknown) => void;
  /** An object path in the example, and a misspelt field name to add there. */
  readonly misspelt: { readonly parent: string; readonly field: string };
  /** A dotted path to a string field of the example, to be given a number. */
  readonly stringField: string;
}

/** Registers the shared checks for each case. */
export function describeKinds(group: string, cases: readonly KindCase[]): void {
  describe.each(cases)(`${group} $kind`, (c) => {
    const crd = loadCrdValidator(c.crdFile);
    const example = c.examples[0];

    it('GIVEN realistic full examples WHEN validated THEN the project schema, the model, the registry and the real CRD accept them', () => {
      for (const ex of c.examples) {
        expect(validationErrors(c.schema, ex)).toEqual([]);
        expect(validateObject(ex)).toEqual([]);
        expect(crd(ex)).toEqual([]);
        expect(() => c.modelValidate(ex)).not.toThrow();
      }
    });

    it('GIVEN a misspelt field WHEN validated THEN both the project schema and the CRD reject it as unknown', () => {
      const bad = setAt(example, `${c.misspelt.parent}.${c.misspelt.field}`, 'x');
      const sentence = `${c.misspelt.parent}: unknown field "${c.misspelt.field}"`;
      expect(validationErrors(c.schema, bad)).toContain(sentence);
      expect(validateObject(bad)).toContain(sentence);
      expect(crd(bad)).toContain(sentence);
      expect(() => c.modelValidate(bad)).toThrow(sentence);
    });

    it('GIVEN a number in a string field WHEN validated THEN both reject the type', () => {
      const bad = setAt(example, c.stringField, 42);
      const sentence = `${c.stringField}: expected string, got number`;
      expect(validationErrors(c.schema, bad)).toContain(sentence);
      expect(crd(bad)).toContain(sentence);
    });

    it('GIVEN an unknown metadata field WHEN validated THEN both reject it', () => {
      const bad = setAt(example, 'metadata.labelz', { a: 'b' });
      expect(validationErrors(c.schema, bad)).toContain('metadata: unknown field "labelz"');
      expect(crd(bad)).toContain('metadata: unknown field "labelz"');
    });

    it('GIVEN the project schema WHEN walked next to the real CRD THEN every allowed path exists in the CRD', () => {
      expect(uncoveredPaths(c.schema, loadCrdSchema(c.crdFile))).toEqual([]);
    });
  });
}
