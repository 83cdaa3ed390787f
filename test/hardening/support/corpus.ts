/**
 * The bad-input corpus (`test/corpus/bad/<case>/`): each case is a folder holding `case.json` (what
 * the mistake is and what synth must report) and a `policies/` overlay laid over a copy of the
 * example organisation plus the corpus base (`test/corpus/base/policies/`).
 *
 * Overlay files keep their target name with `.txt` appended (`teams/orders.ts.txt`), or `.bin`
 * for files that must keep bytes that are not UTF-8: the corpus is data, so neither the type
 * checker nor the linter reads it. `{{SECRET}}` in a `.txt` file is replaced by a fresh fake secret
 * per run, which no output may ever contain.
 */
import { randomBytes } from 'node:crypto';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot, type TempProject } from '../../support/temp.ts';

export const corpusRoot = path.join(repoRoot, 'test', 'corpus');
export const badCorpusDir = path.join(corpusRoot, 'bad');
export const corpusBaseDir = path.join(corpusRoot, 'base', 'policies');

/** A text replacement in a file of the example organisation; `find` must occur exactly once. */
export interface CasePatch {
  readonly file: string;
  readonly find: string;
  readonly replace: string;
}

/** A file of the example organisation copied over another (both relative to `policies/`). */
export interface CaseCopy {
  readonly from: string;
  readonly to: string;
}

/** One mistake and what synth must say about it. */
export interface CorpusCase {
  /** The case folder's name. */
  readonly id: string;
  /** What the user got wrong, and why it matters. */
  readonly why: string;
  /** The diagnostic code; null for a policy file that fails to load (those carry no code). */
  readonly code: string | null;
  /** `<declaration>.<field path>` as printed before the message; null when the report names no field. */
  readonly path: string | null;
  /** File (relative to `policies/`) named on the reporting line. */
  readonly file: string;
  /** Text on the reported line of `file`; without it any line number is accepted. */
  readonly line?: string;
  /** A regular expression the report must match. */
  readonly message?: string;
  /** Other codes this mistake rightly raises too (a week-long RPO also breaks the production maximum). */
  readonly also: readonly string[];
  /** A warning the case must raise as well (file relative to `policies/`). */
  readonly warning?: { readonly code: string; readonly file: string };
  readonly env: Readonly<Record<string, string>>;
  readonly patches: readonly CasePatch[];
  readonly copies: readonly CaseCopy[];
  /** Overlay files: the source in the case folder and the target relative to `policies/`. */
  readonly files: readonly { readonly source: string; readonly target: string }[];
  /**
   * Must run in a process of its own: it changes shared files, sets the environment, stops loading,
   * or (`"alone": true`) needs a model without errors to reach the later checks.
   */
  readonly alone: boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function fail(id: string, why: string): never {
  throw new Error(`test/corpus/bad/${id}/case.json: ${why}`);
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(id: string, value: Json | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail(id, `${field} must be a string`);
  return value;
}

function stringOrNull(id: string, value: Json | undefined, field: string): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') fail(id, `${field} must be a string or null`);
  return value;
}

function objects(id: string, value: Json | undefined, field: string): { [key: string]: Json }[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isObject)) fail(id, `${field} must be a list of objects`);
  return value as { [key: string]: Json }[];
}

function requiredString(id: string, value: Json | undefined, field: string): string {
  if (typeof value !== 'string' || value === '') fail(id, `${field} must be a non-empty string`);
  return value;
}

const KNOWN_KEYS = new Set(['why', 'code', 'path', 'file', 'line', 'message', 'also', 'warning', 'env', 'patch', 'copy', 'alone']);

/** Every file under `dir`, relative, `/` separators, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

/** The name an overlay file is installed under: without its `.txt` or `.bin` suffix. */
export function targetOf(source: string): string {
  return source.replace(/\.(txt|bin)$/, '');
}

/** Reads and checks one case folder. */
export async function readCase(id: string): Promise<CorpusCase> {
  const dir = path.join(badCorpusDir, id);
  const raw = JSON.parse(await readFile(path.join(dir, 'case.json'), 'utf8')) as Json;
  if (!isObject(raw)) fail(id, 'expected an object');
  for (const key of Object.keys(raw)) if (!KNOWN_KEYS.has(key)) fail(id, `unknown key "${key}"`);
  const files = (await filesUnder(path.join(dir, 'policies'))).map((source) => ({ source: `policies/${source}`, target: targetOf(source) }));
  const code = stringOrNull(id, raw.code, 'code');
  if (code !== null && !/^[A-Z]+\d{3}$/.test(code)) fail(id, `code "${code}" is not a diagnostic code`);
  const also = raw.also === undefined ? [] : raw.also;
  if (!Array.isArray(also) || !also.every((c) => typeof c === 'string')) fail(id, 'also must be a list of codes');
  const env = raw.env === undefined ? {} : raw.env;
  if (!isObject(env) || !Object.values(env).every((v) => typeof v === 'string')) fail(id, 'env must map names to strings');
  const warning = raw.warning === undefined ? undefined : raw.warning;
  if (warning !== undefined && !isObject(warning)) fail(id, 'warning must be an object');
  const patches = objects(id, raw.patch, 'patch').map((p) => ({
    file: requiredString(id, p.file, 'patch.file'),
    find: requiredString(id, p.find, 'patch.find'),
    replace: typeof p.replace === 'string' ? p.replace : fail(id, 'patch.replace must be a string'),
  }));
  const copies = objects(id, raw.copy, 'copy').map((c) => ({ from: requiredString(id, c.from, 'copy.from'), to: requiredString(id, c.to, 'copy.to') }));
  const file = optionalString(id, raw.file, 'file') ?? (files.length === 1 ? files[0]?.target : undefined) ?? fail(id, 'file is required with no or several overlay files');
  if (raw.alone !== undefined && typeof raw.alone !== 'boolean') fail(id, 'alone must be true or false');
  return {
    id,
    why: requiredString(id, raw.why, 'why'),
    code,
    path: stringOrNull(id, raw.path, 'path'),
    file,
    line: optionalString(id, raw.line, 'line'),
    message: optionalString(id, raw.message, 'message'),
    also: also as string[],
    warning: warning && { code: requiredString(id, warning.code, 'warning.code'), file: requiredString(id, warning.file, 'warning.file') },
    env: env as Record<string, string>,
    patches,
    copies,
    files,
    alone: raw.alone === true || code === null || patches.length > 0 || copies.length > 0 || Object.keys(env).length > 0,
  };
}

/** Every case of the corpus, by folder name. */
export async function readCorpus(): Promise<CorpusCase[]> {
  const ids = (await readdir(badCorpusDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(ids.map(readCase));
}

/**
 * A fake secret: 24 random hex digits, then a marker. Hex, so the credential scanner rightly ignores
 * it; random part first, so a message quoting the first characters of a file that holds it leaks.
 */
export function fakeSecret(): string {
  return `${randomBytes(12).toString('hex')}-corpus-fake-secret`;
}

/** Pieces of a secret long enough to count as a leak: every 8-character window of its random part. */
export function secretPieces(secret: string): string[] {
  const random = secret.replace(/-corpus-fake-secret$/, '');
  return Array.from({ length: random.length - 7 }, (_, i) => random.slice(i, i + 8));
}

/** The example organisation plus the corpus base: a `corpus` cluster in `staging`, reading the prod-eu sealed files. */
export async function installBase(project: TempProject): Promise<void> {
  for (const source of await filesUnder(corpusBaseDir)) {
    await project.writePolicy(targetOf(source), await readFile(path.join(corpusBaseDir, source), 'utf8'));
  }
  await cp(path.join(project.policiesDir, 'sealed', 'prod-eu'), path.join(project.policiesDir, 'sealed', 'corpus'), { recursive: true });
}

/** The files a case owns once installed: what it adds, patches or overwrites (relative to `policies/`). */
export function ownedFiles(c: CorpusCase): string[] {
  return [...c.files.map((f) => f.target), ...c.patches.map((p) => p.file), ...c.copies.map((cp) => cp.to)];
}

/** Lays a case over the project; `.ts` overlays get the secret in a trailing comment, `{{SECRET}}` is replaced. */
export async function installCase(project: TempProject, c: CorpusCase, secret: string): Promise<void> {
  const dir = path.join(badCorpusDir, c.id);
  for (const file of c.files) {
    const bytes = await readFile(path.join(dir, file.source));
    if (file.source.endsWith('.bin')) {
      await project.writePolicy(file.target, '');
      await writeFile(path.join(project.policiesDir, file.target), bytes);
      continue;
    }
    let text = bytes.toString('utf8').replaceAll('{{SECRET}}', secret);
    if (/\.m?ts$/.test(file.target)) text += `\n// a credential pasted by mistake, never to be printed: ${secret}\n`;
    await project.writePolicy(file.target, text);
  }
  for (const patch of c.patches) {
    const target = path.join(project.policiesDir, patch.file);
    const source = await readFile(target, 'utf8');
    const count = source.split(patch.find).length - 1;
    if (count !== 1) throw new Error(`${c.id}: "${patch.find}" occurs ${count} times in ${patch.file}, expected once`);
    await writeFile(target, source.replace(patch.find, patch.replace));
  }
  for (const copy of c.copies) await cp(path.join(project.policiesDir, copy.from), path.join(project.policiesDir, copy.to));
}

/** Line number (1-based) of the first line of `source` containing `needle`. */
export function lineOf(source: string, needle: string): number {
  const index = source.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`"${needle}" is not in the case source`);
  return index + 1;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A diagnostic line of the text report: `[file:line: ][warning: ]<field and message> (CODE)`. */
export interface ReportedLine {
  readonly file?: string;
  readonly warning: boolean;
  readonly code: string;
  readonly text: string;
}

/** The diagnostic lines of synth's stderr (hints, summaries and load failures are not diagnostics). */
export function reportedLines(stderr: string): ReportedLine[] {
  const found: ReportedLine[] = [];
  for (const text of stderr.split('\n')) {
    const match = /^(?!\s)(?!error: )(?!synth failed)(?:(\S+?):(\d+): )?(warning: )?.*\(([A-Z]+\d{3})\)$/.exec(text);
    if (match) found.push({ file: match[1], warning: match[3] !== undefined, code: match[4] ?? '', text });
  }
  return found;
}
