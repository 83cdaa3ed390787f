import path from 'node:path';
import { discoverPolicyFiles } from '../loader/discover.ts';
import type { Diagnostic } from '../model/diagnostic.ts';

/**
 * TypeScript's own errors in the policy files, as diagnostics (`TS2322` and so on), so a policy
 * that does not type-check fails `validate` with the same file:line format as every rule. Uses the
 * compiler options of the nearest tsconfig.json and reports only files under `policiesDir`.
 * TypeScript is loaded only here: synth never needs it.
 */
export async function typeCheckPolicies(policiesDir: string): Promise<Diagnostic[]> {
  const ts = (await import('typescript')).default;
  const configPath = ts.findConfigFile(path.resolve(policiesDir), ts.sys.fileExists, 'tsconfig.json');
  if (!configPath) return [];
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, path.dirname(configPath));
  const root = path.resolve(policiesDir) + path.sep;
  const program = ts.createProgram(await discoverPolicyFiles(policiesDir), { ...parsed.options, noEmit: true });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && path.resolve(d.file.fileName).startsWith(root))
    .map((d) => {
      const { line, character } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      return {
        code: `TS${d.code}`,
        severity: 'error' as const,
        message: ts.flattenDiagnosticMessageText(d.messageText, ' '),
        hint: 'fix the type error; your editor shows it too',
        source: { file: path.relative(process.cwd(), d.file!.fileName).split(path.sep).join('/'), line: line + 1, column: character + 1 },
      };
    });
}
