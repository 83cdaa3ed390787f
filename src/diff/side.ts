import type { Model } from '../model/types.ts';
import type { Locate } from './values.ts';

/** One side of a comparison: a resolved model and how to name its source files. */
export interface Side {
  readonly model: Model;
  /** Maps a declaration's source location to a repository-relative file and line. */
  readonly locate: Locate;
}

/** A model with nothing declared: the side of a ref that has no policies. */
export const EMPTY_MODEL: Model = {
  clusters: [],
  storages: [],
  policies: [],
  restorePlans: [],
  guardrails: [],
  preSyncBackups: [],
  exemptions: [],
  guardrailExceptions: [],
  sealedSecrets: [],
  certificates: [],
};
