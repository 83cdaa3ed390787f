/**
 * `npm run bench [-- --sizes 100,1000,5000] [--runs 3] [--json FILE]`: synth, no-op synth,
 * validate and commit on synthetic organisations, each as a fresh process, side by side with a
 * plain cdk8s App writing the same objects, a js-yaml floor and the git CLI. Prints a table with
 * medians, peak RSS and the ratios the performance targets are stated in.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { changeOnePolicy, type GeneratedOrg, generateOrg, type OrgSpec } from './generate.ts';
import { MEASUREMENTS, type Measurement, type MeasurementName, measureOk, median, type Sample, usesGnuTime } from './measure.ts';
import { formatReport, ratiosOf, type SizeReport, TARGETS } from './report.ts';

/** The repository root (this file is bench/main.ts). */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(REPO, 'bin', 'restorable.mjs');
const NODE = process.execPath;
const TSX = ['--import', 'tsx/esm'];

interface Options {
  readonly sizes: number[];
  readonly runs: number;
  readonly json?: string;
  readonly keep: boolean;
  /** Where the fresh trees of the cold synth, the cdk8s baseline and the floor are written. */
  readonly scratch: string;
}

function parseArgs(argv: readonly string[]): Options {
  let sizes = [100, 1000, 5000];
  let runs = 3;
  let json: string | undefined;
  let keep = false;
  let scratch = DEFAULT_SCRATCH;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--sizes') sizes = value().split(',').map((s) => Number.parseInt(s, 10));
    else if (arg === '--runs') runs = Number.parseInt(value(), 10);
    else if (arg === '--json') json = value();
    else if (arg === '--keep') keep = true;
    else if (arg === '--scratch') scratch = path.resolve(value());
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write('usage: npm run bench -- [--sizes 100,1000,5000] [--runs 3] [--json FILE] [--keep] [--scratch DIR]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new Error('--sizes: positive whole numbers, comma separated');
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs: a whole number >= 1');
  return { sizes, runs, keep, scratch, ...(json === undefined ? {} : { json }) };
}

/** The organisation measured at a size: 20 clusters from 1,000 policies on, fewer below. */
export function specFor(policies: number): OrgSpec {
  return { policies, clusters: policies >= 1000 ? 20 : Math.max(2, Math.ceil(policies / 20)) };
}

const log = (message: string): void => {
  process.stderr.write(`bench: ${message}\n`);
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const rel = (p: string): string => path.relative(REPO, p);
/**
 * Fresh trees go to tmpfs when there is one: creating a file costs the same kernel work whatever
 * writes it, and on some machines (this benchmark's own, see README) it costs 20 times more in the
 * repository's file system than in memory, which would measure the file system, not the programs.
 */
const DEFAULT_SCRATCH = path.join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), `restorable-bench-${process.pid}`);
/** A path as given to a child run from the repository root: relative inside it, absolute outside. */
const inRepo = (p: string): string => (rel(p).startsWith('..') ? p : rel(p));

/** Generates the organisation, synthesises it once (warming tsx's cache), dumps its objects, makes it a git repository. */
async function prepare(policies: number): Promise<{ org: GeneratedOrg; files: number }> {
  const started = Date.now();
  const root = path.join(REPO, '.tmp', 'bench', `org-${policies}`);
  log(`${policies} policies: generating ${rel(root)}`);
  const org = await generateOrg(REPO, root, specFor(policies));
  await writeFile(path.join(root, '.gitignore'), ['/objects.json', '/out-*/', '/.out-*', '/.generated.*', ''].join('\n'));
  await measureOk(NODE, [CLI, 'synth', '--policies', rel(org.policiesDir), '--out', rel(path.join(root, 'generated'))], { cwd: REPO });
  const dumped = await measureOk(NODE, [...TSX, 'bench/children/dump-objects.ts', rel(org.policiesDir), rel(path.join(root, 'objects.json'))], { cwd: REPO });
  const { files } = JSON.parse(dumped.stdout) as { files: number };
  git(root, 'init', '-q', '-b', 'main');
  for (const [key, value] of [
    ['user.name', 'Bench'],
    ['user.email', 'bench@example.invalid'],
    ['gc.auto', '0'],
    ['commit.gpgsign', 'false'],
  ] as const) {
    git(root, 'config', key, value);
  }
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'synthetic organisation');
  log(`${policies} policies: prepared in ${Math.round((Date.now() - started) / 1000)} s (${files} files)`);
  return { org, files };
}

async function sameOutput(a: string, b: string): Promise<boolean> {
  const manifest = (dir: string) => readFile(path.join(dir, '.restorable', 'manifest.json'), 'utf8').catch(() => 'missing');
  return (await manifest(a)) === (await manifest(b));
}

/** Every measurement at one size, `runs` times each, interleaved so machine noise hits all of them alike. */
async function measureSize(policies: number, runs: number, scratchRoot: string): Promise<SizeReport> {
  const { org, files } = await prepare(policies);
  const root = org.root;
  const scratch = path.join(scratchRoot, `org-${policies}`);
  await mkdir(scratch, { recursive: true });
  const generated = path.join(root, 'generated');
  const results = Object.fromEntries(MEASUREMENTS.map((m): [MeasurementName, Measurement] => [m, { ms: [], rssKb: [], cpuMs: [] }])) as Record<MeasurementName, Measurement>;
  const record = (name: MeasurementName, sample: Sample, ms = sample.ms, cpuMs = sample.cpuMs): void => {
    results[name].ms.push(ms);
    if (sample.rssKb !== undefined) results[name].rssKb.push(sample.rssKb);
    if (cpuMs !== undefined) results[name].cpuMs.push(cpuMs);
  };
  const synthArgs = (out: string) => [CLI, 'synth', '--policies', rel(org.policiesDir), '--out', inRepo(out)];
  for (let run = 1; run <= runs; run++) {
    log(`${policies} policies: run ${run}/${runs}`);
    const cold = path.join(scratch, 'out-cold');
    await rm(cold, { recursive: true, force: true });
    const coldSample = await measureOk(NODE, synthArgs(cold), { cwd: REPO });
    if (!coldSample.stdout.includes('wrote') || !(await sameOutput(cold, generated))) throw new Error('cold synth did not write the expected tree');
    record('synthCold', coldSample);
    await rm(cold, { recursive: true, force: true });

    const noop = await measureOk(NODE, synthArgs(generated), { cwd: REPO });
    if (!noop.stdout.includes('up to date')) throw new Error(`no-op synth wrote files: ${noop.stdout}`);
    record('synthNoop', noop);

    const baselineOut = path.join(scratch, 'out-cdk8s');
    await rm(baselineOut, { recursive: true, force: true });
    record('cdk8sBaseline', await measureOk(NODE, [...TSX, 'bench/children/cdk8s-baseline.ts', rel(path.join(root, 'objects.json')), inRepo(baselineOut)], { cwd: REPO }));
    await rm(baselineOut, { recursive: true, force: true });

    const floorOut = path.join(scratch, 'out-floor');
    await rm(floorOut, { recursive: true, force: true });
    record('floor', await measureOk(NODE, [...TSX, 'bench/children/floor.ts', rel(path.join(root, 'objects.json')), inRepo(floorOut)], { cwd: REPO }));
    await rm(floorOut, { recursive: true, force: true });

    record('validate', await measureOk(NODE, [CLI, 'validate', '--policies', rel(org.policiesDir), '--out', rel(generated)], { cwd: REPO }));

    // One policy changes; synth rewrites the output; then the same tree is committed three ways.
    await changeOnePolicy(org, run);
    const changed = await measureOk(NODE, synthArgs(generated), { cwd: REPO });
    if (!changed.stdout.includes('wrote')) throw new Error(`synth after a change wrote nothing: ${changed.stdout}`);
    record('synthChanged', changed);
    const commit = await measureOk(NODE, [CLI, 'commit', '--message', 'bench: one policy changed'], { cwd: root });
    if (!commit.stdout.startsWith('committed')) throw new Error(`restorable commit: ${commit.stdout}`);
    record('commitProcess', commit);
    git(root, 'reset', '-q', '--mixed', 'HEAD~1');
    const inProcess = await measureOk(NODE, [...TSX, path.join(REPO, 'bench/children/commit-in-process.ts'), root], { cwd: REPO });
    const reported = JSON.parse(inProcess.stdout) as { ms: number; cpuMs: number; status: string };
    if (reported.status !== 'committed') throw new Error('in-process commit committed nothing');
    record('commitInProcess', inProcess, reported.ms, reported.cpuMs);
    git(root, 'reset', '-q', '--mixed', 'HEAD~1');
    record('gitCli', await measureOk('sh', ['-c', 'git add -A && git commit -q -m "bench: one policy changed"'], { cwd: root }));
  }
  return { policies, clusters: org.spec.clusters, files, measurements: results };
}

/** The machine the figures come from. */
function machine(): Record<string, string | number> {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const info = execFileSync('sh', ['-c', "grep -m1 'model name' /proc/cpuinfo"], { encoding: 'utf8' });
    cpu = info.split(':')[1]?.trim() || cpu;
  } catch {
    // not Linux: keep os.cpus()
  }
  let nproc = cpus().length;
  try {
    nproc = Number.parseInt(execFileSync('nproc', { encoding: 'utf8' }), 10) || nproc;
  } catch {
    // no nproc
  }
  return { nproc, cpu, node: process.version, platform: `${process.platform}-${process.arch}`, peakRss: usesGnuTime ? '/usr/bin/time -v' : 'process.resourceUsage().maxRSS' };
}

/** Runs the benchmark; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const options = parseArgs(argv);
  const started = Date.now();
  const sizes: SizeReport[] = [];
  await mkdir(path.join(REPO, '.tmp', 'bench'), { recursive: true });
  for (const policies of options.sizes) {
    sizes.push(await measureSize(policies, options.runs, options.scratch));
    if (!options.keep) await rm(path.join(REPO, '.tmp', 'bench', `org-${policies}`), { recursive: true, force: true });
    await rm(path.join(options.scratch, `org-${policies}`), { recursive: true, force: true });
  }
  if (options.scratch === DEFAULT_SCRATCH) await rm(DEFAULT_SCRATCH, { recursive: true, force: true });
  const scratch = options.scratch === DEFAULT_SCRATCH ? path.dirname(DEFAULT_SCRATCH) : rel(options.scratch).startsWith('..') ? 'a folder outside the repository' : rel(options.scratch);
  const report = { machine: machine(), runs: options.runs, scratch, seconds: Math.round((Date.now() - started) / 1000), targets: TARGETS, sizes };
  process.stdout.write(formatReport(report));
  if (options.json) {
    const summary = sizes.map((s) => ({
      policies: s.policies,
      clusters: s.clusters,
      files: s.files,
      medians: Object.fromEntries(MEASUREMENTS.map((m) => [m, { ms: median(s.measurements[m].ms), cpuMs: median(s.measurements[m].cpuMs), rssKb: median(s.measurements[m].rssKb) }])),
      ratios: ratiosOf(s),
      cpuRatios: ratiosOf(s, 'cpuMs'),
    }));
    await writeFile(options.json, `${JSON.stringify({ ...report, summary }, null, 2)}\n`);
  }
  return 0;
}
