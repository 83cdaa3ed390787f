/**
 * The synth cache: recognises a synth whose inputs have not changed since the last successful
 * synth into the same output folder, so that nothing is loaded, compiled or written.
 *
 * A hit needs all of:
 * - the same compiler: restorable's version, every file of its `src/`, its lockfile and the
 *   versions of its dependencies, and the Node.js version;
 * - the same inputs: every file under the policies folder (modules, sealed credentials,
 *   certificates, inventories, anything else) and every other local file the policy modules
 *   imported, byte for byte;
 * - the output still exactly as that synth wrote it: its manifest, and every file with the sha256
 *   the manifest records, nothing more (checked under the output lock);
 * - the same verdicts from the rules that read the clock: rules are pure functions of the model
 *   and the clock (`RuleEnv.now`), so the cache notes which rules read it and runs those again on
 *   the stored model with the current clock; an expiring certificate is noticed on the next run;
 *   and every guardrail exception still holding, or still not, as when the entry was stored.
 *
 * Entries live in `node_modules/.cache/restorable/` (the nearest `node_modules` above the output
 * folder, else the system temp folder), one per policies and output folder pair, written by
 * rename. `RESTORABLE_NO_CACHE=1` turns the cache off. The assumption it rests on: policy modules
 * are deterministic functions of the files they import (no clock, no environment variables, no
 * files read at load time outside the policies folder).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { Model } from '../model/types.ts';
import { acquireLock } from '../output/lock.ts';
import { isActive } from '../rules/guardrail-exceptions.ts';
import { manifestOf, type OutputManifest, serializeManifest } from '../output/manifest.ts';
import { swapPaths, verifyTree } from '../output/writer.ts';
import type { ClockVerdict } from './clock-rules.ts';
import { lastLoadedImports } from './load.ts';

/** Bumped whenever the entry's shape or meaning changes. */
const FORMAT = 2;

/** The compiler's package root (this file is src/loader/synth-cache.ts). */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What a successful synth leaves for the next one. */
interface CacheEntry {
  readonly format: number;
  readonly compiler: string;
  /** sha256 of every file under the policies folder, by relative path. */
  readonly inputs: string;
  /** Imported files outside the policies folder and the compiler: absolute path to sha256. */
  readonly imports: Readonly<Record<string, string>>;
  /** The output manifest's text, as synth wrote it. */
  readonly manifest: string;
  readonly diagnostics: readonly Diagnostic[];
  /** Rules that read the clock, with what they found at `now`. */
  readonly clockRules: readonly ClockVerdict[];
  /** The model, v8-serialised, when a rule reads the clock. */
  readonly model?: Buffer;
  /**
   * The end day of every guardrail exception and whether it held when the entry was stored:
   * applying exceptions reads the clock too (an ended one is GRD010), outside any rule.
   */
  readonly exceptions: readonly { readonly until: string; readonly active: boolean }[];
}

/** What a successful compilation hands to the cache. */
export interface CompiledForCache {
  readonly model: Model;
  readonly diagnostics: readonly Diagnostic[];
  readonly files: ReadonlyMap<string, string>;
  /** The rules that read the clock while the model was checked, with what they found. */
  readonly clockRules: readonly ClockVerdict[];
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * Every file under `dir` (relative posix path to absolute path), sorted, following symbolic links
 * (once per real folder) and skipping `node_modules` and `.git`.
 */
async function filesUnder(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const seen = new Set<string>();
  const walk = async (absolute: string, relative: string): Promise<void> => {
    const real = await realpath(absolute).catch(() => absolute);
    if (seen.has(real)) return;
    seen.add(real);
    for (const entry of await readdir(absolute, { withFileTypes: true }).catch(() => [])) {
      if (entry.name === 'node_modules' || entry.name === '.git') continue;
      const childAbsolute = path.join(absolute, entry.name);
      const childRelative = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const kind = entry.isSymbolicLink() ? await stat(childAbsolute).catch(() => undefined) : entry;
      if (kind?.isDirectory()) await walk(childAbsolute, childRelative);
      else if (kind?.isFile()) files.set(childRelative, childAbsolute);
    }
  };
  await walk(dir, '');
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** One hash over the relative paths and contents of every file under `dir`. */
async function hashTree(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const [relative, absolute] of await filesUnder(dir)) {
    hash.update(`${relative}\0${sha256(readFileSync(absolute))}\n`);
  }
  return hash.digest('hex');
}

function hashFile(file: string): string {
  try {
    return sha256(readFileSync(file));
  } catch {
    return 'missing';
  }
}

let compilerHash: Promise<string> | undefined;

/** The compiler's identity: format, Node.js version, package files, dependency versions and all of `src/`. */
function compilerIdentity(): Promise<string> {
  compilerHash ??= (async () => {
    const hash = createHash('sha256').update(`${FORMAT}\0${process.version}\n`);
    const packageJson = readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8');
    for (const file of ['package-lock.json', 'tsconfig.json']) hash.update(`${file}\0${hashFile(path.join(PACKAGE_ROOT, file))}\n`);
    hash.update(`package.json\0${sha256(packageJson)}\n`);
    const { dependencies = {} } = JSON.parse(packageJson) as { dependencies?: Record<string, string> };
    for (const name of Object.keys(dependencies).sort()) hash.update(`${name}\0${dependencyVersion(name)}\n`);
    hash.update(`src\0${await hashTree(path.join(PACKAGE_ROOT, 'src'))}\n`);
    return hash.digest('hex');
  })();
  return compilerHash;
}

/** The installed version of a dependency, found the way Node finds packages (nearest node_modules up). */
function dependencyVersion(name: string): string {
  for (let dir = PACKAGE_ROOT; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) return (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version ?? 'unknown';
    if (path.dirname(dir) === dir) return 'missing';
  }
}

/**
 * Where restorable keeps caches: `node_modules/.cache/restorable` nearest above `from`, else the
 * temp folder; `RESTORABLE_CACHE_DIR` overrides it.
 */
export function cacheFolder(from: string, env: NodeJS.ProcessEnv): string {
  if (env.RESTORABLE_CACHE_DIR) return path.resolve(env.RESTORABLE_CACHE_DIR);
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'node_modules'))) return path.join(dir, 'node_modules', '.cache', 'restorable');
    if (path.dirname(dir) === dir) return path.join(tmpdir(), 'restorable-cache');
  }
}

/** True for files whose content the compiler identity or the policies hash already covers. */
function coveredElsewhere(file: string, policiesDir: string): boolean {
  const inside = (dir: string) => !path.relative(dir, file).startsWith('..');
  return inside(policiesDir) || inside(path.join(PACKAGE_ROOT, 'src')) || inside(path.join(PACKAGE_ROOT, 'node_modules'));
}

/** How many entries (policies and output folder pairs) the cache keeps; the least recently written go first. */
const MAX_ENTRIES = 64;

async function pruneEntries(folder: string): Promise<void> {
  const names = (await readdir(folder)).filter((name) => /^synth-[0-9a-f]+\.bin$/.test(name));
  if (names.length <= MAX_ENTRIES) return;
  const dated = await Promise.all(names.map(async (name) => ({ name, mtime: (await stat(path.join(folder, name))).mtimeMs })));
  dated.sort((a, b) => b.mtime - a.mtime);
  for (const { name } of dated.slice(MAX_ENTRIES)) await rm(path.join(folder, name), { force: true });
}

/** The cache for one policies folder and one output folder; see the module comment. */
export class SynthCache {
  private constructor(
    private readonly entryPath: string | undefined,
    private readonly policiesDir: string,
    private readonly outDir: string,
    private readonly inputsBefore: Promise<string> | undefined,
  ) {}

  /** Opens the cache for a synth of `policiesDir` into `outDir`; starts hashing the inputs. */
  static open(options: { readonly policiesDir: string; readonly outDir: string; readonly env?: NodeJS.ProcessEnv }): SynthCache {
    const env = options.env ?? process.env;
    const policiesDir = path.resolve(options.policiesDir);
    const outDir = path.resolve(options.outDir);
    if (env.RESTORABLE_NO_CACHE === '1' || env.RESTORABLE_NO_CACHE === 'true') return new SynthCache(undefined, policiesDir, outDir, undefined);
    const name = `synth-${sha256(`${policiesDir}\0${outDir}`).slice(0, 24)}.bin`;
    const inputs = hashTree(policiesDir);
    inputs.catch(() => undefined);
    return new SynthCache(path.join(cacheFolder(path.dirname(outDir), env), name), policiesDir, outDir, inputs);
  }

  /**
   * The diagnostics and file count of the last synth when nothing changed since and the output is
   * intact (then the caller reports it up to date), or undefined: compile and write as usual.
   */
  async lookup(now: Date): Promise<{ readonly diagnostics: readonly Diagnostic[]; readonly files: number } | undefined> {
    if (!this.entryPath || !this.inputsBefore) return undefined;
    const entry = await this.readEntry();
    if (!entry || entry.format !== FORMAT || entry.compiler !== (await compilerIdentity())) return undefined;
    if (entry.inputs !== (await this.inputsBefore)) return undefined;
    for (const [file, hash] of Object.entries(entry.imports)) if (hashFile(file) !== hash) return undefined;
    if (!(await this.sameVerdictsAt(entry, now))) return undefined;
    if (entry.exceptions.some((e) => isActive(e, now) !== e.active)) return undefined;
    // Leftovers of an interrupted swap are the writer's to clean up.
    const { next, prev, lock } = swapPaths(this.outDir);
    if (!existsSync(this.outDir) || existsSync(next) || existsSync(prev)) return undefined;
    const release = await acquireLock(lock);
    try {
      if (!(await verifyTree(this.outDir, entry.manifest))) return undefined;
      return { diagnostics: entry.diagnostics, files: Object.keys((JSON.parse(entry.manifest) as { files: object }).files).length };
    } finally {
      await release();
    }
  }

  /**
   * Records a successful synth whose output is now on disk. Nothing is stored when an input
   * changed while it compiled; a failure to store is ignored (the cache is only an optimisation).
   */
  async store(compiled: CompiledForCache, now: Date, manifest: OutputManifest = manifestOf(compiled.files)): Promise<void> {
    if (!this.entryPath || !this.inputsBefore) return;
    try {
      const inputs = await this.inputsBefore;
      if ((await hashTree(this.policiesDir)) !== inputs) return;
      // Imported modules and certificates outside the policies folder are inputs too.
      const certificates = compiled.model.certificates.map((c) => path.resolve(this.policiesDir, c.path));
      const imports = Object.fromEntries(
        [...lastLoadedImports(), ...certificates]
          .filter((file) => !coveredElsewhere(file, this.policiesDir))
          .map((file) => [file, hashFile(file)]),
      );
      const { clockRules } = compiled;
      const entry: CacheEntry = {
        format: FORMAT,
        compiler: await compilerIdentity(),
        inputs,
        imports,
        manifest: serializeManifest(manifest),
        diagnostics: compiled.diagnostics,
        clockRules,
        ...(clockRules.length > 0 ? { model: v8.serialize(compiled.model) } : {}),
        exceptions: compiled.model.guardrailExceptions.map((e) => ({ until: e.until, active: isActive(e, now) })),
      };
      await mkdir(path.dirname(this.entryPath), { recursive: true });
      const temporary = `${this.entryPath}.${process.pid}.tmp`;
      await writeFile(temporary, v8.serialize(entry));
      await rename(temporary, this.entryPath);
      await pruneEntries(path.dirname(this.entryPath));
    } catch {
      await rm(`${this.entryPath}.${process.pid}.tmp`, { force: true }).catch(() => undefined);
    }
  }

  private async readEntry(): Promise<CacheEntry | undefined> {
    if (!this.entryPath) return undefined;
    try {
      return v8.deserialize(await readFile(this.entryPath)) as CacheEntry;
    } catch {
      return undefined;
    }
  }

  /** True when every rule that read the clock finds the same at `now` on the stored model. */
  private async sameVerdictsAt(entry: CacheEntry, now: Date): Promise<boolean> {
    if (entry.clockRules.length === 0) return true;
    if (!entry.model) return false;
    const { RULES } = await import('../rules/index.ts');
    const model = v8.deserialize(entry.model) as Model;
    return entry.clockRules.every(({ index, family, found }) => {
      const rule = RULES[index];
      return rule?.family === family && JSON.stringify(rule.check(model, { now })) === found;
    });
  }
}
