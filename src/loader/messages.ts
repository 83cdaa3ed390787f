import type { SourceLocation } from '../dsl/source.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { Model } from '../model/types.ts';

/** What the main thread asks the policy worker to load. */
export interface LoadRequest {
  readonly files: readonly string[];
}

/** A policy module that could not be loaded. */
export interface LoadFailure {
  readonly file: string;
  readonly message: string;
  readonly location?: SourceLocation;
  readonly stack?: string;
}

/** The worker's answer: the resolved model, or the modules that failed. */
export type LoadResult =
  | { readonly ok: true; readonly model: Model; readonly diagnostics: readonly Diagnostic[]; readonly emptyFiles: readonly string[] }
  | { readonly ok: false; readonly failures: readonly LoadFailure[] };
