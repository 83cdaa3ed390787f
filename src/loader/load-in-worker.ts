import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { isDeclaration } from '../dsl/declaration.ts';
import { resolve } from '../model/resolve.ts';
import { collectDeclarations } from './collect.ts';
import { importedFiles } from './imports.ts';
import type { LoadFailure, LoadProgress, LoadRequest, LoadResult } from './messages.ts';

process.setSourceMapsEnabled(true);

async function load(request: LoadRequest): Promise<LoadResult> {
  const failures: LoadFailure[] = [];
  const modules: Record<string, unknown>[] = [];
  const emptyFiles: string[] = [];
  for (const [index, file] of request.files.entries()) {
    try {
      const exported = (await import(pathToFileURL(path.resolve(file)).href)) as Record<string, unknown>;
      if (!Object.values(exported).some(exportsDeclaration)) emptyFiles.push(file);
      modules.push(exported);
    } catch (error) {
      failures.push(describeFailure(file, error));
    }
    parentPort?.postMessage({ progress: { loaded: index + 1, total: request.files.length } } satisfies LoadProgress);
  }
  if (failures.length > 0) return { ok: false, failures };
  const { model, diagnostics } = resolve(collectDeclarations(modules));
  return { ok: true, model, diagnostics, emptyFiles, imports: await importedFiles() };
}

function exportsDeclaration(value: unknown): boolean {
  if (isDeclaration(value)) return true;
  return Array.isArray(value) || (typeof value === 'object' && value !== null)
    ? Object.values(value).some(isDeclaration)
    : false;
}

function describeFailure(file: string, error: unknown): LoadFailure {
  const message = error instanceof Error ? error.message : `threw ${JSON.stringify(error)}`;
  const stack = error instanceof Error ? error.stack : undefined;
  const absolute = path.resolve(file);
  const frame = stack
    ?.split('\n')
    .map((line) => /((?:file:\/\/)?\/[^():\s]+):(\d+):(\d+)/.exec(line))
    .find((match) => match && (match[1] === absolute || match[1] === pathToFileURL(absolute).href));
  return {
    file,
    message: withoutJsonInput(message).split(pathToFileURL(process.cwd()).href + '/').join('').split(process.cwd() + '/').join(''),
    location: frame ? { file, line: Number(frame[2]), column: Number(frame[3]) } : undefined,
    stack,
  };
}

/**
 * V8 quotes the start of the text JSON.parse rejects (`Unexpected token 'p', "password=h"... is not
 * valid JSON`): a policy that parses a credentials file by mistake must not print it.
 */
function withoutJsonInput(message: string): string {
  return message.replace(/, ".*"(\.\.\.)? is not valid JSON/s, ' is not valid JSON (its text is not shown)');
}

parentPort?.postMessage(await load(workerData as LoadRequest));
