/**
 * A failure the user can act on. The CLI prints only `message` (no stack trace),
 * so the text must say what went wrong and what to do about it.
 */
export class RestorableGitError extends Error {
  /** Stable machine-readable reason, for callers and tests. */
  readonly code: RestorableGitErrorCode;

  /**
   * @param code - stable reason, see {@link RestorableGitErrorCode}
   * @param message - complete, user-facing explanation
   */
  constructor(code: RestorableGitErrorCode, message: string) {
    super(message);
    this.name = 'RestorableGitError';
    this.code = code;
  }
}

/** Why a `restorable commit` or push was refused or failed. */
export type RestorableGitErrorCode =
  | 'not-a-repo'
  | 'unsupported-repo'
  | 'operation-in-progress'
  | 'detached-head'
  | 'no-manifest'
  | 'invalid-manifest'
  | 'hand-edits'
  | 'out-dir-outside-repo'
  | 'locked'
  | 'concurrent-change'
  | 'no-identity'
  | 'invalid-author'
  | 'invalid-date'
  | 'push-rejected'
  | 'push-auth'
  | 'push-failed'
  | 'push-config';

/** True when `error` is a {@link RestorableGitError}, optionally with the given code. */
export function isRestorableGitError(
  error: unknown,
  code?: RestorableGitErrorCode,
): error is RestorableGitError {
  return error instanceof RestorableGitError && (code === undefined || error.code === code);
}

/** The `code` property of a Node.js system error (`ENOENT`, `EEXIST`, ...), if any. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error as { code: unknown };
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
