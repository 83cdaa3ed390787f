import type { Diagnostic } from '../model/diagnostic.ts';

/**
 * One diagnostic, compiler style: `file:line: declaration.path: message (CODE)` and an indented hint.
 * Control characters (a name with a newline) are escaped, so every diagnostic stays one line and
 * a declaration can never print a line that looks like another diagnostic.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.source ? `${d.source.file}:${d.source.line}: ` : '';
  const field = d.declaration ? `${d.declaration}${d.path ? `.${d.path}` : ''}: ` : '';
  const severity = d.severity === 'warning' ? 'warning: ' : '';
  const lines = [oneLine(`${where}${severity}${field}${d.message} (${d.code})`)];
  if (d.hint) lines.push(`    hint: ${oneLine(d.hint)}`);
  return lines.join('\n');
}

const ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with control characters written as escapes (`\n`, `\u001b`). */
export function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Diagnostics grouped by file (sorted), errors before warnings, then by line. */
export function formatDiagnostics(diagnostics: readonly Diagnostic[]): string {
  const sorted = [...diagnostics].sort(
    (a, b) =>
      compare(a.source?.file ?? '', b.source?.file ?? '') ||
      (a.source?.line ?? 0) - (b.source?.line ?? 0) ||
      compare(a.code, b.code) ||
      compare(a.path ?? '', b.path ?? ''),
  );
  return sorted.map(formatDiagnostic).join('\n');
}

/** `2 errors, 1 warning`. */
export function summarize(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  return `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
