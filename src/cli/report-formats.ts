import type { Diagnostic } from '../model/diagnostic.ts';
import { formatDiagnostics, summarize } from './report-text.ts';

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
}

/** Renders a validation report in one of the formats. */
export function renderReport(report: ValidationReport, format: ReportFormat): string {
  switch (format) {
    case 'text':
      return `${formatDiagnostics(report.diagnostics)}${report.diagnostics.length > 0 ? '\n' : ''}${notesOf(report).map((n) => `note: ${n}\n`).join('')}validate: ${report.objects} objects, ${summarize(report.diagnostics)}\n`;
    case 'json':
      return `${JSON.stringify(jsonReport(report), null, 2)}\n`;
    case 'junit':
      return junitReport(report);
    case 'markdown':
      return markdownReport(report);
    case 'github':
      return report.diagnostics.map(githubAnnotation).join('') + notesOf(report).map((n) => `::notice title=coverage::${n.replaceAll('%', '%25')}\n`).join('');
  }
}

/**
 * The JSON shape (version 1, stable): `{ version, ok, objects, errors, warnings, diagnostics: [{ code,
 * severity, message, hint?, declaration?, path?, file?, line?, object? }] }`.
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
  };
}

const escapeXml = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** Rule family of a code: its letters (`RPO001` -> `RPO`). */
const familyOf = (code: string): string => code.replace(/\d+$/, '');

/** JUnit XML: one test case per declaration and rule family with findings, one passing case per clean declaration. */
function junitReport(report: ValidationReport): string {
  const cases: string[] = [];
  const groups = new Map<string, Diagnostic[]>();
  for (const d of report.diagnostics) {
    const key = `${d.declaration ?? '(files)'}\u0000${familyOf(d.code)}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  let failures = 0;
  for (const [key, found] of [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [declaration = '', family = ''] = key.split('\u0000');
    const errors = found.filter((d) => d.severity === 'error');
    const body = errors
      .map((d) => `<failure type="${d.code}" message="${escapeXml(d.message)}">${escapeXml(formatDiagnostics([d]))}</failure>`)
      .join('');
    if (errors.length > 0) failures += 1;
    const out = found.filter((d) => d.severity === 'warning');
    const warnings = out.length > 0 ? `<system-out>${escapeXml(formatDiagnostics(out))}</system-out>` : '';
    cases.push(`    <testcase classname="${escapeXml(declaration)}" name="${escapeXml(family)}">${body}${warnings}</testcase>`);
  }
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

const notesOf = (report: ValidationReport): readonly string[] => report.notes ?? [];

function markdownReport(report: ValidationReport): string {
  const lines = [`### restorable validate: ${summarize(report.diagnostics)} (${report.objects} objects)`, ''];
  for (const note of notesOf(report)) lines.push(`> ${note}`, '');
  if (report.diagnostics.length === 0) return `${lines.join('\n')}All policies and restore plans pass every check.\n`;
  lines.push('| | code | where | finding | fix |', '|---|---|---|---|---|');
  const cell = (text: string | undefined): string => (text ?? '').replaceAll('|', '\\|').replaceAll('\n', ' ');
  for (const d of report.diagnostics) {
    const where = [d.source ? `${d.source.file}:${d.source.line}` : '', d.declaration ? `\`${d.declaration}${d.path ? `.${d.path}` : ''}\`` : '']
      .filter(Boolean)
      .join(' ');
    lines.push(`| ${d.severity === 'error' ? '❌' : '⚠️'} | ${d.code} | ${cell(where)} | ${cell(d.message)} | ${cell(d.hint)} |`);
  }
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
