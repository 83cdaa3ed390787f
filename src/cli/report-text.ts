import type { Diagnostic } from '../model/diagnostic.ts';

/** One diagnostic, compiler style: `file:line: declaration.path: message (CODE)` and an indented hint. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.source ? `${d.source.file}:${d.source.line}: ` : '';
  const field = d.declaration ? `${d.declaration}${d.path ? `.${d.path}` : ''}: ` : '';
  const severity = d.severity === 'warning' ? 'warning: ' : '';
  const lines = [`${where}${severity}${field}${d.message} (${d.code})`];
  if (d.hint) lines.push(`    hint: ${d.hint}`);
  return lines.join('\n');
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
