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

/**
 * The worker's answer: the resolved model and every local file the policies imported (absolute
 * paths), or the modules that failed.
 */
export type LoadResult =
  | {
      readonly ok: true;
      readonly model: Model;
      readonly diagnostics: readonly Diagnostic[];
      readonly emptyFiles: readonly string[];
      readonly imports?: readonly string[];
    }
  | { readonly ok: false; readonly failures: readonly LoadFailure[] };

/** Sent by the worker after each policy module, before its answer. */
export interface LoadProgress {
  readonly progress: { readonly loaded: number; readonly total: number };
}
