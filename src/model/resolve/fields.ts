/**
 * Reading a declaration's fields as the resolver does: tolerant of what plain JavaScript can pass,
 * and reporting what it cannot use as a diagnostic at the field, never as a thrown error.
 */
import type { Declaration } from '../../dsl/declaration.ts';
import type { SealedRef } from '../../dsl/sealed.ts';
import type { Diagnostic } from '../diagnostic.ts';
import { type Duration, parseDuration } from '../duration.ts';
import type { SealedRefModel } from '../types.ts';

/** A diagnostic about one field of one declaration (an error unless `d.severity` says otherwise). */
export function at(declaration: Declaration, path: string, d: Omit<Diagnostic, 'severity'> & { severity?: Diagnostic['severity'] }): Diagnostic {
  return { severity: 'error', declaration: String(declaration.name), path, source: declaration.source, ...d };
}

/** Whether a value is a plain object (not null, not a list). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A list field as written: a copy of the list, nothing when absent, and a single value (one
 * namespace written as a string) as a list of that value, never spread into its characters.
 */
export function listOf<T>(value: readonly T[] | T | undefined): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}

/** A value as a diagnostic message names it: a declaration by its kind, an import mistake as such. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined (an import that is not exported, or a circular import?)';
  if (value === null) return 'null';
  if (typeof value === 'object') {
    const kind = (value as { kind?: unknown }).kind;
    return typeof kind === 'string' ? `a ${kind} declaration` : 'an object';
  }
  return JSON.stringify(value);
}

/** A duration field, parsed; DUR001 when it is written but is not a duration. */
export function duration(declaration: Declaration, path: string, value: unknown, diagnostics: Diagnostic[]): Duration | undefined {
  if (value === undefined) return undefined;
  const parsed = parseDuration(value);
  if (!parsed) {
    diagnostics.push(
      at(declaration, path, {
        code: 'DUR001',
        message: `expected a duration such as '15m', '1h', '7d' or '2w', got ${JSON.stringify(value)}`,
        hint: 'write a whole number above zero followed by one unit: s, m, h, d or w',
      }),
    );
  }
  return parsed;
}

/** A sealed reference as the model holds it: the SealedSecret's name and the key in it. */
export function sealedRef(ref: SealedRef | undefined): SealedRefModel | undefined {
  return ref ? { name: ref.sealedSecret, key: ref.key } : undefined;
}

/**
 * The declaration as the resolver reads it: props that are not an object (a builder called without
 * them, from plain JavaScript) become `{}`, so every field is reported as missing instead of crashing.
 */
export function readable<D extends Declaration>(declaration: D): D {
  if (isRecord(declaration.props)) return declaration;
  return Object.assign(Object.create(Object.getPrototypeOf(declaration) as object) as D, declaration, { props: {} });
}
