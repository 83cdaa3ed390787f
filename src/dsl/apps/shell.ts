/**
 * Quotes one argument for a POSIX shell: single quotes, with embedded single quotes closed,
 * escaped and reopened. Hooks run without a shell; profiles that need one (redirections, `&&`)
 * wrap their script in `/bin/sh -c` and build it only from quoted arguments.
 */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** `["/bin/sh", "-c", script]`: the script is a fixed template whose every variable part was quoted. */
export function sh(script: string): string[] {
  return ['/bin/sh', '-c', script];
}
