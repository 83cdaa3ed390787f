/** TYPE001 for NaN and Infinity anywhere in a declaration's props. */
import { type Declaration, isDeclaration } from '../../dsl/declaration.ts';
import type { Diagnostic } from '../diagnostic.ts';
import { nonFiniteNumbers } from '../values.ts';
import { at } from './fields.ts';

/**
 * TYPE001 for every NaN or Infinity in a declaration's props that no other error already reports at
 * its field or around it (RET002 for a retention count, say): written into a manifest, it would stop
 * synth with an internal error instead of a diagnostic.
 */
export function reportNonFiniteNumbers(declaration: Declaration, diagnostics: Diagnostic[]): void {
  const name = String(declaration.name);
  const reported = diagnostics
    .filter((d) => d.severity === 'error' && d.declaration === name && d.source === declaration.source && d.path !== undefined)
    .map((d) => d.path as string);
  const related = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
  for (const { path, value } of nonFiniteNumbers(declaration.props, isDeclaration)) {
    if (reported.some((r) => related(path, r) || related(r, path))) continue;
    diagnostics.push(
      at(declaration, path, {
        code: 'TYPE001',
        message: `expected a value a manifest can hold, got ${value}`,
        hint: 'write a string or a whole number here (NaN and Infinity come from arithmetic on a missing or non-numeric value)',
      }),
    );
  }
}
