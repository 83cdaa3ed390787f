import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { discoverPolicyFiles } from '../loader/discover.ts';
import { cacheFolder } from '../loader/synth-cache.ts';
import type { Diagnostic } from '../model/diagnostic.ts';

/** Options of {@link typeCheckPolicies}. */
export interface TypeCheckOptions {
  /** Environment: `RESTORABLE_NO_CACHE=1` checks from scratch, `RESTORABLE_CACHE_DIR` moves the cache. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Writes through a temp file and a rename, so a concurrent or killed run never leaves half a file. */
function writeAtomically(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

/**
 * TypeScript's own errors in the policy files, as diagnostics (`TS2322` and so on), so a policy
 * that does not type-check fails `validate` with the same file:line format as every rule. Uses the
 * compiler options of the nearest tsconfig.json and reports only files under `policiesDir`.
 * TypeScript is loaded only here: synth never needs it.
 *
 * The check is incremental, as `tsc --incremental` is: TypeScript's build info (each file's hash
 * and diagnostics) is kept in restorable's cache folder, per policies folder and tsconfig, so a
 * validate after a one-file change re-checks that file and what depends on it. TypeScript decides
 * what to re-check from file hashes, compiler options and its own version; the cache only saves
 * work, never changes the answer.
 */
export async function typeCheckPolicies(policiesDir: string, options: TypeCheckOptions = {}): Promise<Diagnostic[]> {
  const env = options.env ?? process.env;
  const ts = (await import('typescript')).default;
  const configPath = ts.findConfigFile(path.resolve(policiesDir), ts.sys.fileExists, 'tsconfig.json');
  if (!configPath) return [];
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, path.dirname(configPath));
  const root = path.resolve(policiesDir) + path.sep;
  const noCache = env.RESTORABLE_NO_CACHE === '1' || env.RESTORABLE_NO_CACHE === 'true';
  const key = createHash('sha256').update(`${root}\0${path.resolve(configPath)}`).digest('hex').slice(0, 24);
  const compilerOptions = noCache
    ? { ...parsed.options, noEmit: true, incremental: false }
    : { ...parsed.options, noEmit: true, incremental: true, tsBuildInfoFile: path.join(cacheFolder(policiesDir, env), `typecheck-${key}.tsbuildinfo`) };
  const host = ts.createIncrementalCompilerHost(compilerOptions, { ...ts.sys, writeFile: (file, text) => writeAtomically(file, text) });
  const program = ts.createIncrementalProgram({ rootNames: await discoverPolicyFiles(policiesDir), options: compilerOptions, host });
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...program.getSemanticDiagnostics(),
  ];
  // With noEmit this writes only the build info.
  if (!noCache) program.emit();
  return ts
    .sortAndDeduplicateDiagnostics(diagnostics)
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
