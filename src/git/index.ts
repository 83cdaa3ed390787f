/**
 * Committing and pushing synth output with isomorphic-git.
 * `commitGenerated` commits what changed under `generated/`; `pushBranch`
 * pushes the branch over smart HTTP with a token from the environment.
 */
export {
  type CommitGeneratedOptions,
  type CommitGeneratedResult,
  type CommittedResult,
  commitGenerated,
  DEFAULT_LOCK_TIMEOUT_MS,
  DEFAULT_OUT_DIR,
  type UnchangedResult,
} from './commit-generated.ts';
export { errnoCode, isRestorableGitError, RestorableGitError, type RestorableGitErrorCode } from './errors.ts';
export { FAILPOINT_ENV } from './failpoint.ts';
export type { CommitTime, Identity } from './identity.ts';
export { MANIFEST_PATH } from './manifest.ts';
export {
  DEFAULT_USERNAME,
  NON_FAST_FORWARD_MESSAGE,
  type PushBranchOptions,
  type PushBranchResult,
  pushBranch,
  TOKEN_ENV,
  USERNAME_ENV,
} from './push.ts';
export { redactSecrets } from './redact.ts';
export type { ChangeCounts, FileChange } from './summary.ts';
