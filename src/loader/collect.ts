import { type Declaration, isDeclaration } from '../dsl/declaration.ts';

/**
 * Declarations a module exports, plus every declaration they reference (a storage used only
 * inside a cluster still counts). De-duplicated by identity: a cluster imported by ten team files
 * is one cluster.
 */
export function collectDeclarations(exportsOfModules: readonly Readonly<Record<string, unknown>>[]): Declaration[] {
  const seen = new Set<Declaration>();
  const ordered: Declaration[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (depth > 8 || value === null || typeof value !== 'object') return;
    if (isDeclaration(value)) {
      if (seen.has(value)) return;
      seen.add(value);
      ordered.push(value);
      visit(value.props, depth + 1);
      return;
    }
    for (const item of Array.isArray(value) ? value : Object.values(value)) visit(item, depth + 1);
  };
  for (const moduleExports of exportsOfModules) {
    for (const name of Object.keys(moduleExports).sort()) visit(moduleExports[name], 0);
  }
  return ordered;
}
