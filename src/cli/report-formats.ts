import type { Diagnostic } from '../model/diagnostic.ts';
import { formatDiagnostics, oneLine, summarize } from './report-text.ts';

/** Output formats of `restorable validate`. */
export const REPORT_FORMATS = ['text', 'json', 'junit', 'markdown', 'github'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Everything a report shows. */
export interface ValidationReport {
  readonly diagnostics: readonly Diagnostic[];
  /** Declarations checked (policies, clusters, storages, plans), for JUnit's passing cases. */
  readonly declarations: readonly string[];
  readonly objects: number;
  /** What was not checked and why (coverage of a cluster without an inventory). */
  readonly notes?: readonly string[];
  /** Policies excepted from a guardrail: listed so that no waiver goes unseen. @default none */
  readonly exceptions?: readonly ExceptionEntry[];
}

/** A guardrail exception as reports list it. */
export interface ExceptionEntry {
  readonly policy: string;
  readonly guardrail: string;
  readonly reason: string;
  readonly until: string;
  /** False once `until` has passed (GRD010 then reports it). */
  readonly active: boolean;
  readonly file?: string;
  readonly line?: number;
}

/** One exception, one line: `ledger: excepted from drillEvery until 2027-06-30: stateless`. */
function exceptionLine(e: ExceptionEntry): string {
  return `${e.file ? `${e.file}:${e.line}: ` : ''}${e.policy}: excepted from ${e.guardrail} until ${e.until}${e.active ? '' : ' (ended)'}: ${e.reason}`;
}

function exceptionsText(report: ValidationReport): string {
  const exceptions = report.exceptions ?? [];
  return exceptions.length > 0 ? `guardrail exceptions (${exceptions.length}):\n${exceptions.map((e) => `  ${oneLine(exceptionLine(e))}`).join('\n')}\n` : '';
}

/** Renders a validation report in one of the formats. */
export function renderReport(report: ValidationReport, format: ReportFormat): string {
  switch (format) {
    case 'text':
      return `${formatDiagnostics(report.diagnostics)}${report.diagnostics.length > 0 ? '\n' : ''}${notesOf(report).map((n) => `note: ${n}\n`).join('')}${exceptionsText(report)}validate: ${report.objects} objects, ${summarize(report.diagnostics)}\n`;
    case 'json':
      return `${JSON.stringify(jsonReport(report), null, 2)}\n`;
    case 'junit':
      return junitReport(report);
    case 'markdown':
      return markdownReport(report);
    case 'github':
      return githubReport(report);
  }
}

/**
 * The JSON shape (version 1, stable): `{ version, ok, objects, errors, warnings, diagnostics: [{ code,
 * severity, message, hint?, declaration?, path?, file?, line?, object? }], exceptions? }`.
 */
function jsonReport(report: ValidationReport) {
  const errors = report.diagnostics.filter((d) => d.severity === 'error').length;
  return {
    version: 1,
    ok: errors === 0,
    objects: report.objects,
    errors,
    warnings: report.diagnostics.length - errors,
    ...(notesOf(report).length > 0 ? { notes: notesOf(report) } : {}),
    diagnostics: report.diagnostics.map((d) => ({
      code: d.code,
      severity: d.severity,
      message: d.message,
      hint: d.hint,
      declaration: d.declaration,
      path: d.path,
      file: d.source?.file,
      line: d.source?.line,
      object: d.object,
    })),
    ...((report.exceptions ?? []).length > 0 ? { exceptions: report.exceptions } : {}),
  };
}

const escapeXml = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/**
 * JUnit XML: one test case per finding (errors fail, warnings pass with their text in system-out),
 * named by its code, field and source line, and one passing case per clean declaration.
 */
function junitReport(report: ValidationReport): string {
  const cases: string[] = [];
  const names = new Map<string, number>();
  const sorted = [...report.diagnostics].sort((a, b) => compareText(`${a.declaration ?? '(files)'}`, `${b.declaration ?? '(files)'}`));
  for (const d of sorted) {
    const declaration = d.declaration ?? '(files)';
    const base = [d.code, d.path, d.source ? `(${d.source.file}:${d.source.line})` : undefined].filter(Boolean).join(' ');
    const key = `${declaration}\u0000${base}`;
    const seen = (names.get(key) ?? 0) + 1;
    names.set(key, seen);
    const name = seen === 1 ? base : `${base} #${seen}`;
    const body =
      d.severity === 'error'
        ? `<failure type="${d.code}" message="${escapeXml(d.message)}">${escapeXml(formatDiagnostics([d]))}</failure>`
        : `<system-out>${escapeXml(formatDiagnostics([d]))}</system-out>`;
    cases.push(`    <testcase classname="${escapeXml(declaration)}" name="${escapeXml(name)}">${body}</testcase>`);
  }
  const failures = report.diagnostics.filter((d) => d.severity === 'error').length;
  const flagged = new Set(report.diagnostics.map((d) => d.declaration));
  for (const declaration of report.declarations) {
    if (!flagged.has(declaration)) cases.push(`    <testcase classname="${escapeXml(declaration)}" name="all rules"/>`);
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="restorable validate" tests="${cases.length}" failures="${failures}">`,
    `  <testsuite name="restorable" tests="${cases.length}" failures="${failures}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * GitHub shows at most 10 error and 10 warning annotations per step and drops the rest silently.
 * Beyond that, the first ones are annotated and one more annotation counts the others and points
 * at the Markdown report (which validate also writes to the job summary).
 */
export const GITHUB_ANNOTATIONS_PER_SEVERITY = 10;

function githubReport(report: ValidationReport): string {
  const errors = report.diagnostics.filter((d) => d.severity === 'error');
  const warnings = report.diagnostics.filter((d) => d.severity === 'warning');
  const limit = GITHUB_ANNOTATIONS_PER_SEVERITY;
  const summarise = errors.length > limit || warnings.length > limit;
  // The summary is itself an annotation of the most severe kind it hides, so it takes one place.
  const summaryKind = errors.length > limit ? 'error' : 'warning';
  const errorCap = summarise && summaryKind === 'error' ? limit - 1 : limit;
  const warningCap = summarise && summaryKind === 'warning' ? limit - 1 : limit;
  const shown = [...errors.slice(0, errorCap), ...warnings.slice(0, warningCap)];
  const hiddenErrors = errors.length - Math.min(errors.length, errorCap);
  const hiddenWarnings = warnings.length - Math.min(warnings.length, warningCap);
  let out = shown.map(githubAnnotation).join('');
  if (summarise) {
    const counted = [hiddenErrors > 0 ? `${hiddenErrors} error${hiddenErrors === 1 ? '' : 's'}` : '', hiddenWarnings > 0 ? `${hiddenWarnings} warning${hiddenWarnings === 1 ? '' : 's'}` : '']
      .filter(Boolean)
      .join(' and ');
    out += `::${summaryKind} title=more findings::${counted} more not annotated (GitHub shows ${limit} errors and ${limit} warnings per step; ${summarize(report.diagnostics)} in all): see the job summary, or run restorable validate --format markdown\n`;
  }
  return out + notesOf(report).map((n) => `::notice title=coverage::${n.replaceAll('%', '%25')}\n`).join('');
}

const notesOf = (report: ValidationReport): readonly string[] => report.notes ?? [];

function markdownReport(report: ValidationReport): string {
  const lines = [`### restorable validate: ${summarize(report.diagnostics)} (${report.objects} objects)`, ''];
  for (const note of notesOf(report)) lines.push(`> ${note}`, '');
  const cell = (text: string | undefined): string => (text ?? '').replaceAll('|', '\\|').replaceAll('\n', ' ');
  const exceptions = report.exceptions ?? [];
  const exceptionTable =
    exceptions.length > 0
      ? ['', `**Guardrail exceptions (${exceptions.length})**`, '', '| policy | guardrail | until | reason |', '|---|---|---|---|', ...exceptions.map((e) => `| ${cell(e.policy)} | ${cell(e.guardrail)} | ${cell(e.until)}${e.active ? '' : ' (ended)'} | ${cell(e.reason)} |`)]
      : [];
  if (report.diagnostics.length === 0) return `${lines.join('\n')}All policies and restore plans pass every check.\n${exceptionTable.map((l) => `${l}\n`).join('')}`;
  lines.push('| | code | where | finding | fix |', '|---|---|---|---|---|');
  for (const d of report.diagnostics) {
    const where = [d.source ? `${d.source.file}:${d.source.line}` : '', d.declaration ? `\`${d.declaration}${d.path ? `.${d.path}` : ''}\`` : '']
      .filter(Boolean)
      .join(' ');
    lines.push(`| ${d.severity === 'error' ? '❌' : '⚠️'} | ${d.code} | ${cell(where)} | ${cell(d.message)} | ${cell(d.hint)} |`);
  }
  lines.push(...exceptionTable);
  return `${lines.join('\n')}\n`;
}

/** A GitHub Actions workflow command that annotates the policy source line. */
function githubAnnotation(d: Diagnostic): string {
  const escapeData = (text: string): string => text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
  const property = (text: string): string => escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
  const where = d.source ? `file=${property(d.source.file)},line=${d.source.line},` : '';
  const field = d.declaration ? `${d.declaration}${d.path ? `.${d.path}` : ''}: ` : '';
  return `::${d.severity === 'error' ? 'error' : 'warning'} ${where}title=${property(d.code)}::${escapeData(`${field}${d.message}${d.hint ? ` (fix: ${d.hint})` : ''}`)}\n`;
}
