import { fileURLToPath } from 'node:url';

/** Where a declaration was written: the policy file and line of the builder call. */
export interface SourceLocation {
  /** Path of the policy file, relative to the working directory, with `/` separators. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

const FRAME = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?$/;

/**
 * The call site of the builder that is running: the first stack frame outside restorable's own `src/`.
 * Captured when a builder runs, so every diagnostic can point at the line that declared the value.
 */
export function captureCallSite(): SourceLocation | undefined {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 20;
  Error.captureStackTrace(holder, captureCallSite);
  Error.stackTraceLimit = limit;
  for (const frame of (holder.stack ?? '').split('\n').slice(1)) {
    const match = FRAME.exec(frame.trim());
    if (!match) continue;
    const [, location = '', line = '0', column = '0'] = match;
    const file = location.startsWith('file://') ? fileURLToPath(location) : location;
    if (isOwnSource(file) || file.startsWith('node:')) continue;
    return { file: relativeToCwd(file), line: Number(line), column: Number(column) };
  }
  return undefined;
}

const OWN_SOURCE = fileURLToPath(new URL('..', import.meta.url));

function isOwnSource(file: string): boolean {
  return file.startsWith(OWN_SOURCE) || file.includes('/node_modules/');
}

/** An absolute file as diagnostics name it: relative to the working directory when inside it. */
export function relativeToCwd(file: string): string {
  const cwd = `${process.cwd()}/`;
  return file.startsWith(cwd) ? file.slice(cwd.length) : file;
}
