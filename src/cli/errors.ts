import { PolicyLoadError } from '../loader/load.ts';
import { LockBusyError } from '../output/lock.ts';

/** A mistake of the user (bad input, bad flags): printed as a message, never with a stack. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/**
 * Prints an error the way a compiler does and returns the exit code. User mistakes show no stack
 * trace unless `verbose`; anything else is an internal error, printed with its stack, exit 2.
 */
export function reportError(error: unknown, verbose: boolean, write: (text: string) => void): number {
  if (error instanceof PolicyLoadError) {
    write(`error: ${error.message}`);
    for (const failure of error.failures) {
      write(`${failure.file}${failure.line ? `:${failure.line}` : ''}: ${failure.message}`);
      if (verbose && failure.stack) write(failure.stack);
    }
    return 1;
  }
  if (error instanceof UserError || error instanceof LockBusyError) {
    write(`error: ${error.message}`);
    if (verbose && error.stack) write(error.stack);
    return error instanceof UserError ? error.exitCode : 1;
  }
  write(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return 2;
}
