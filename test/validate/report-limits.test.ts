/**
 * Reports people act on: JUnit has one test case per finding (so a CI test summary lists every
 * uncovered namespace, not one per rule family), and GitHub annotations beyond the platform's
 * per-step limit are counted in one annotation instead of being dropped silently.
 */
import { describe, expect, it } from 'vitest';
import { GITHUB_ANNOTATIONS_PER_SEVERITY, renderReport } from '../../src/cli/report-formats.ts';
import type { Diagnostic } from '../../src/model/diagnostic.ts';

const finding = (code: string, severity: Diagnostic['severity'], n: number): Diagnostic => ({
  code,
  severity,
  message: `namespace ns-${n} on cluster prod-eu holds ${100 - n} GiB that no policy backs up`,
  declaration: 'prod-eu',
  source: { file: 'policies/inventory/prod-eu.json', line: 4 + n, column: 1 },
});

const report = (diagnostics: Diagnostic[]) => ({ diagnostics, declarations: ['prod-eu', 'ledger'], objects: 3 });

describe('JUnit: one test case per finding', () => {
  it('GIVEN three COV001 errors and a warning on one cluster WHEN rendered THEN four cases on the cluster, three failing, each named by code and line, and one passing case for the clean declaration', () => {
    const xml = renderReport(report([finding('COV001', 'error', 1), finding('COV001', 'error', 2), finding('COV001', 'error', 3), finding('COV010', 'warning', 4)]), 'junit');

    const cases = [...xml.matchAll(/<testcase classname="([^"]+)" name="([^"]+)"/g)].map((m) => `${m[1]} / ${m[2]}`);
    expect(cases).toEqual([
      'prod-eu / COV001 (policies/inventory/prod-eu.json:5)',
      'prod-eu / COV001 (policies/inventory/prod-eu.json:6)',
      'prod-eu / COV001 (policies/inventory/prod-eu.json:7)',
      'prod-eu / COV010 (policies/inventory/prod-eu.json:8)',
      'ledger / all rules',
    ]);
    expect(xml).toContain('tests="5" failures="3"');
    expect(xml.match(/<failure /g)).toHaveLength(3);
  });

  it('GIVEN two findings that would share a name WHEN rendered THEN the second is numbered', () => {
    const twin = { ...finding('COV001', 'error', 1), source: undefined };

    expect(renderReport(report([twin, twin]), 'junit')).toMatch(/name="COV001">.*\n.*name="COV001 #2">/);
  });
});

describe('GitHub annotations within the per-step limit', () => {
  const limit = GITHUB_ANNOTATIONS_PER_SEVERITY;

  it('GIVEN as many errors and warnings as the limit WHEN rendered THEN each is annotated and nothing is summarised', () => {
    const out = renderReport(report([...Array.from({ length: limit }, (_, i) => finding('COV001', 'error', i)), ...Array.from({ length: limit }, (_, i) => finding('COV010', 'warning', i))]), 'github');

    expect(out.match(/^::error /gm)).toHaveLength(limit);
    expect(out.match(/^::warning /gm)).toHaveLength(limit);
    expect(out).not.toContain('more findings');
  });

  it('GIVEN 25 errors and 12 warnings WHEN rendered THEN 9 errors, 10 warnings and one error annotation counting the 16 errors and 2 warnings left out', () => {
    const out = renderReport(report([...Array.from({ length: 25 }, (_, i) => finding('COV001', 'error', i)), ...Array.from({ length: 12 }, (_, i) => finding('COV010', 'warning', i))]), 'github');

    expect(out.match(/^::error file=/gm)).toHaveLength(limit - 1);
    expect(out.match(/^::warning file=/gm)).toHaveLength(limit);
    expect(out.match(/^::error title=more findings::.*$/gm)).toEqual([
      '::error title=more findings::16 errors and 2 warnings more not annotated (GitHub shows 10 errors and 10 warnings per step; 25 errors, 12 warnings in all): see the job summary, or run restorable validate --format markdown',
    ]);
    expect(out.match(/^::/gm)).toHaveLength(limit * 2);
  });

  it('GIVEN only warnings beyond the limit WHEN rendered THEN the summary is a warning and takes the tenth place', () => {
    const out = renderReport(report(Array.from({ length: 14 }, (_, i) => finding('COV010', 'warning', i))), 'github');

    expect(out.match(/^::warning file=/gm)).toHaveLength(limit - 1);
    expect(out).toMatch(/^::warning title=more findings::5 warnings more not annotated/m);
  });
});
