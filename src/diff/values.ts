/** Small helpers shared by the comparisons: equality of plain data, orders of words, records of changes. */
import type { Frequency } from '../dsl/duration.ts';
import type { SourceLocation } from '../dsl/source.ts';
import type { Change, ChangeClass, JsonValue, Subject } from './types.ts';

/** Plain data as comparable JSON text: keys sorted, undefined dropped. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]));
  });
}

/** True when two plain values are the same data. */
export const same = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

/** A plain value as report JSON (undefined becomes null). */
export function json(value: unknown): JsonValue {
  return value === undefined ? null : (JSON.parse(canonical(value)) as JsonValue);
}

/** Seconds for people, largest units first: `7d 4h`, `1h`, `90m` stays `1h 30m`; undefined is null. */
export function duration(seconds: number | undefined): string | null {
  if (seconds === undefined) return null;
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.length > 0 ? parts.join(' ') : '0s';
}

const FREQUENCY_DAYS: Readonly<Record<Frequency, number>> = { day: 1, week: 7, month: 31, quarter: 92 };

/** Days between two occurrences of a frequency, for comparing how often something happens. */
export const frequencyDays = (frequency: Frequency): number => FREQUENCY_DAYS[frequency];

/** Where a declaration is, for a change (paths made repository-relative by the caller). */
export type Locate = (source: SourceLocation | undefined) => { file: string | null; line: number | null };

/** What identifies the thing a change is about. */
export interface Target {
  readonly cluster: string | null;
  readonly subject: Subject;
  readonly name: string;
  readonly file: string | null;
  readonly line: number | null;
}

/** Builds a change record. */
export function change(target: Target, cls: ChangeClass, kind: string, field: string | null, before: unknown, after: unknown, message: string): Change {
  return {
    class: cls,
    kind,
    cluster: target.cluster,
    subject: target.subject,
    name: target.name,
    field,
    before: json(before),
    after: json(after),
    message,
    file: target.file,
    line: target.line,
  };
}

/**
 * One `review` change listing the fields of two declarations that differ, other than `handled`
 * (compared elsewhere) and `source`: so a field added to the model later still shows up in review.
 */
export function otherFields(target: Target, kind: string, before: object, after: object, handled: readonly string[]): Change[] {
  const skip = new Set([...handled, 'source']);
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !skip.has(k) && !same(b[k], a[k])).sort();
  if (keys.length === 0) return [];
  const pick = (o: Record<string, unknown>) => Object.fromEntries(keys.map((k) => [k, o[k] ?? null]));
  return [change(target, 'review', kind, keys.join(', '), pick(b), pick(a), `${keys.join(', ')} changed`)];
}
