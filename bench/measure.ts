/**
 * Runs a command as a fresh process and measures its wall time, CPU time (user and system) and
 * peak resident set size: with GNU time (`/usr/bin/time -v`) when present, otherwise, for node
 * processes, with a preload that reports `process.resourceUsage()` on exit. CPU time is what a
 * machine shared with other work distorts least: wall time there includes waiting for a core.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** One measured process. */
export interface Sample {
  /** Wall time from spawn to exit, in milliseconds. */
  readonly ms: number;
  /** Peak resident set size in KiB, when it could be measured. */
  readonly rssKb?: number;
  /** User and system CPU time in milliseconds (its children's included), when it could be measured. */
  readonly cpuMs?: number;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** How a command is run. */
export interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
}

const GNU_TIME = '/usr/bin/time';
const RSS_PRELOAD = fileURLToPath(new URL('./children/report-rss.mjs', import.meta.url));

/** Whether peak RSS comes from GNU time (true) or from the node preload (false). */
export const usesGnuTime = existsSync(GNU_TIME);

function parseGnuTime(report: string): { rssKb?: number; cpuMs?: number } {
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(report);
  const user = /User time \(seconds\): ([\d.]+)/.exec(report);
  const system = /System time \(seconds\): ([\d.]+)/.exec(report);
  return {
    ...(rss ? { rssKb: Number(rss[1]) } : {}),
    ...(user && system ? { cpuMs: (Number(user[1]) + Number(system[1])) * 1000 } : {}),
  };
}

function parsePreload(report: string): { rssKb?: number; cpuMs?: number } {
  const [rss, cpu] = report.trim().split(' ');
  return { ...(rss ? { rssKb: Number(rss) } : {}), ...(cpu ? { cpuMs: Number(cpu) } : {}) };
}

/** Runs `command args` to completion and measures it; never throws for a non-zero exit. */
export async function measure(command: string, args: readonly string[], options: RunOptions): Promise<Sample> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'restorable-bench-'));
  const report = path.join(scratch, 'rss');
  let argv: string[];
  let env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  let file = command;
  if (usesGnuTime) {
    file = GNU_TIME;
    argv = ['-v', '-o', report, command, ...args];
  } else if (command === process.execPath || command === 'node') {
    argv = ['--import', RSS_PRELOAD, ...args];
    env = { ...env, BENCH_RSS_FILE: report };
  } else {
    argv = [...args];
  }
  const started = performance.now();
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(file, argv, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
  });
  const ms = performance.now() - started;
  const text = await readFile(report, 'utf8').catch(() => '');
  await rm(scratch, { recursive: true, force: true });
  return { ms, ...(usesGnuTime ? parseGnuTime(text) : parsePreload(text)), ...result };
}

/** Like measure, but a non-zero exit is an error carrying the command's output. */
export async function measureOk(command: string, args: readonly string[], options: RunOptions): Promise<Sample> {
  const sample = await measure(command, args, options);
  if (sample.code !== 0) {
    throw new Error(`${[command, ...args].join(' ')} exited with ${sample.code}\n${sample.stdout}\n${sample.stderr}`.trim());
  }
  return sample;
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** What the benchmark measures at each size, in report order. */
export const MEASUREMENTS = [
  'synthCold',
  'synthNoop',
  'synthChanged',
  'cdk8sBaseline',
  'floor',
  'validate',
  'commitProcess',
  'commitInProcess',
  'gitCli',
] as const;

/** One measurement's name. */
export type MeasurementName = (typeof MEASUREMENTS)[number];

/** Samples of one measurement at one size. */
export interface Measurement {
  readonly ms: number[];
  readonly rssKb: number[];
  readonly cpuMs: number[];
}
