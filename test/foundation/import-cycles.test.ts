/**
 * No import cycles in the compiler or the benchmark. A cycle makes a module's exports undefined
 * while the other one is still loading (the order depends on which file is imported first) and ties
 * two modules that should each have one job; two such cycles (bench/main.ts with bench/report.ts,
 * src/rules/argocd.ts with src/rules/objects.ts) were broken and must stay broken.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/temp.ts';

/** Every TypeScript file under a folder of the repository, relative to the repository root. */
function sources(folder: string): string[] {
  return readdirSync(path.join(repoRoot, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.relative(repoRoot, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

/**
 * Relative imports and re-exports of a file that exist at run time (static and dynamic), as
 * repository paths. `import type` and `export type` are erased before Node.js runs the file, so a
 * cycle made only of them cannot leave an export undefined; `import { type X }` stays an import.
 */
function importsOf(file: string, text: string): string[] {
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s(?!type\s)[^'";]*?\sfrom\s+['"](\.{1,2}\/[^'"]+)['"]/gm),
    ...text.matchAll(/^\s*import\s+['"](\.{1,2}\/[^'"]+)['"]/gm),
    ...text.matchAll(/\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g),
  ].map((match) => match[1] as string);
  return [...new Set(specifiers.map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(file), s))))].sort();
}

/** The cycles of a graph (strongly connected components of more than one file, or a file importing itself), each sorted. */
function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file) as number);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file) as number, index.get(next) as number));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || graph.get(file)?.includes(file)) cycles.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return cycles;
}

describe('import cycles', () => {
  it('GIVEN two modules that import each other WHEN the graph is checked THEN the cycle is found (so the check below means something)', () => {
    const graph = new Map([
      ['bench/main.ts', importsOf('bench/main.ts', "import { formatReport } from './report.ts';\nimport type { X } from './measure.ts';")],
      ['bench/report.ts', importsOf('bench/report.ts', "import {\n  main,\n} from './main.ts';")],
      ['bench/measure.ts', importsOf('bench/measure.ts', "import type { Report } from './report.ts';\nexport type { Y } from './main.ts';")],
    ]);
    // measure.ts reaches report.ts and main.ts only through types, which are erased.
    expect(cyclesOf(graph)).toEqual([['bench/main.ts', 'bench/report.ts']]);
  });

  it('GIVEN src and bench WHEN every relative import is followed THEN no file reaches itself', () => {
    const files = [...sources('src'), ...sources('bench')];
    const graph = new Map(files.map((file) => [file, importsOf(file, readFileSync(path.join(repoRoot, file), 'utf8'))]));
    expect(files.length).toBeGreaterThan(100);
    expect(cyclesOf(graph)).toEqual([]);
  });
});
