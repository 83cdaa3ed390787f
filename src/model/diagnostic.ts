import type { SourceLocation } from '../dsl/source.ts';

/** How bad a finding is: errors stop the build, warnings are reported (and fail with `--strict`). */
export type Severity = 'error' | 'warning';

/** The generated object a diagnostic is about, when it is about one. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/**
 * One finding of the resolver or a rule. Plain data: printed as text, JSON, JUnit or Markdown.
 * `declaration` and `path` together name the field: `ledger` + `retention.daily`.
 */
export interface Diagnostic {
  /** Stable code, e.g. `RPO001`; documented in README and tested one by one. */
  readonly code: string;
  readonly severity: Severity;
  /** What is wrong, naming what was expected and what was found. */
  readonly message: string;
  /** How to fix it. */
  readonly hint?: string;
  /** Name of the declaration (policy, cluster, storage, plan, guardrails) the finding is about. */
  readonly declaration?: string;
  /** Field path inside the declaration, e.g. `retention.daily`. */
  readonly path?: string;
  /** Where the declaration was written. */
  readonly source?: SourceLocation;
  readonly object?: ObjectRef;
}

/** Builds a diagnostic; a small helper so rules read as data. */
export function diagnostic(d: Diagnostic): Diagnostic {
  return d;
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
