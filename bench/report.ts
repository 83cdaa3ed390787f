/** The benchmark's table, ratios and targets. */
import { MEASUREMENTS, type Measurement, type MeasurementName, median } from './measure.ts';

/** Every measurement at one organisation size. */
export interface SizeReport {
  readonly policies: number;
  readonly clusters: number;
  /** Files synth writes (manifest excluded). */
  readonly files: number;
  readonly measurements: Readonly<Record<MeasurementName, Measurement>>;
}

/** The whole run. */
export interface Report {
  readonly machine: Readonly<Record<string, string | number>>;
  readonly runs: number;
  /** Where the cold synth, the baseline and the floor wrote their fresh trees. */
  readonly scratch: string;
  readonly seconds: number;
  readonly targets: typeof TARGETS;
  readonly sizes: readonly SizeReport[];
}

const LABELS: Readonly<Record<MeasurementName, string>> = {
  synthCold: 'synth, cold (fresh output)',
  synthNoop: 'synth, nothing changed',
  synthChanged: 'synth, one policy changed',
  cdk8sBaseline: 'cdk8s baseline (app.synth)',
  floor: 'floor (js-yaml + write)',
  validate: 'validate',
  commitProcess: 'restorable commit (process)',
  commitInProcess: 'restorable commit (in-process)',
  gitCli: 'git add -A && git commit',
};

/** The performance targets: ratios at 1,000 policies, growth 1,000 -> 5,000, peak RSS at 5,000. */
export const TARGETS = {
  synthFloor: 3.0,
  synthCdk8s: 1.0,
  noopSynth: 0.25,
  validateSynth: 1.2,
  commitGitInProcess: 3.0,
  commitGitProcess: 6.0,
  growth: 5.5,
  peakRssMiB: 1024,
} as const;

const RESTORABLE: readonly MeasurementName[] = ['synthCold', 'synthNoop', 'synthChanged', 'validate', 'commitProcess'];

const med = (size: SizeReport, name: MeasurementName, of: 'ms' | 'cpuMs' = 'ms'): number => median(size.measurements[name][of]);

/** The ratios of one size, of wall time (`ms`, what the targets are stated in) or of CPU time (`cpuMs`). */
export function ratiosOf(size: SizeReport, of: 'ms' | 'cpuMs' = 'ms'): Record<string, number> {
  const med = (s: SizeReport, name: MeasurementName): number => median(s.measurements[name][of]);
  return {
    synthFloor: med(size, 'synthCold') / med(size, 'floor'),
    synthCdk8s: med(size, 'synthCold') / med(size, 'cdk8sBaseline'),
    noopSynth: med(size, 'synthNoop') / med(size, 'synthCold'),
    validateSynth: med(size, 'validate') / med(size, 'synthCold'),
    commitGitInProcess: med(size, 'commitInProcess') / med(size, 'gitCli'),
    commitGitProcess: med(size, 'commitProcess') / med(size, 'gitCli'),
  };
}

/** Peak RSS (MiB) over every restorable process of a size. */
export function peakRssMiB(size: SizeReport): number {
  return Math.max(...RESTORABLE.flatMap((m) => size.measurements[m].rssKb)) / 1024;
}

const seconds = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : '-');
const mib = (kb: number): string => (Number.isFinite(kb) ? String(Math.round(kb / 1024)) : '-');

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const verdict = (value: number, target: number, cpu?: number): string =>
  Number.isFinite(value) ? `${value.toFixed(2)} (target <= ${target}: ${value <= target ? 'met' : 'MISSED'}${cpu !== undefined && Number.isFinite(cpu) ? `; ${cpu.toFixed(2)} in CPU time` : ''})` : '-';

/** The report as text: medians in seconds with min-max, peak RSS, ratios, growth, targets. */
export function formatReport(report: Report): string {
  const header = ['', ...report.sizes.flatMap((s) => [`${s.policies} pol. (s, min-max)`, 'CPU s', 'RSS MiB'])];
  const rows = MEASUREMENTS.map((m) => [
    LABELS[m],
    ...report.sizes.flatMap((s) => {
      const { ms, rssKb, cpuMs } = s.measurements[m];
      return [`${seconds(median(ms))} (${seconds(Math.min(...ms))}-${seconds(Math.max(...ms))})`, seconds(median(cpuMs)), mib(median(rssKb))];
    }),
  ]);
  const ratioNames = ['synthFloor', 'synthCdk8s', 'noopSynth', 'validateSynth', 'commitGitInProcess', 'commitGitProcess'];
  const ratioLabels: Record<string, string> = {
    synthFloor: 'synth/floor',
    synthCdk8s: 'synth/cdk8s-baseline',
    noopSynth: 'noop/synth',
    validateSynth: 'validate/synth',
    commitGitInProcess: 'commit/git-cli (in-process)',
    commitGitProcess: 'commit/git-cli (whole process)',
  };
  const ratioRows = ratioNames.map((r) => [ratioLabels[r]!, ...report.sizes.flatMap((s) => [ratiosOf(s)[r]!.toFixed(2), ratiosOf(s, 'cpuMs')[r]!.toFixed(2)])]);
  const lines = [
    `machine: ${Object.entries(report.machine).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `median of ${report.runs} runs, each a fresh process; ${report.seconds} s in all; fresh trees (cold, baseline, floor) written to ${report.scratch}`,
    '',
    table([header, ...rows, ['files written', ...report.sizes.flatMap((s) => [String(s.files), '', ''])]]),
    '',
    table([['ratio', ...report.sizes.flatMap((s) => [`${s.policies} pol.`, 'CPU time'])], ...ratioRows]),
    '',
  ];
  const at = (n: number) => report.sizes.find((s) => s.policies === n);
  const thousand = at(1000);
  const fiveThousand = at(5000);
  if (thousand) {
    const r = ratiosOf(thousand);
    const c = ratiosOf(thousand, 'cpuMs');
    lines.push(
      'targets at 1,000 policies (wall time; CPU time beside it):',
      `  synth/floor           ${verdict(r.synthFloor!, TARGETS.synthFloor, c.synthFloor)}`,
      `  synth/cdk8s-baseline  ${verdict(r.synthCdk8s!, TARGETS.synthCdk8s, c.synthCdk8s)}`,
      `  noop/synth            ${verdict(r.noopSynth!, TARGETS.noopSynth, c.noopSynth)}`,
      `  validate/synth        ${verdict(r.validateSynth!, TARGETS.validateSynth, c.validateSynth)}`,
      `  commit/git-cli (in-process)    ${verdict(r.commitGitInProcess!, TARGETS.commitGitInProcess, c.commitGitInProcess)}`,
      `  commit/git-cli (whole process) ${verdict(r.commitGitProcess!, TARGETS.commitGitProcess, c.commitGitProcess)}`,
    );
  }
  if (thousand && fiveThousand) {
    lines.push('growth 1,000 -> 5,000 policies:');
    for (const m of ['synthCold', 'synthNoop', 'validate', 'commitProcess'] as const) {
      const growth = med(fiveThousand, m) / med(thousand, m);
      lines.push(`  ${LABELS[m].padEnd(30)} ${m === 'synthCold' ? verdict(growth, TARGETS.growth) : growth.toFixed(2)}`);
    }
  }
  if (fiveThousand) lines.push(`peak RSS at 5,000 policies: ${verdict(peakRssMiB(fiveThousand), TARGETS.peakRssMiB)} MiB`);
  return `${lines.join('\n')}\n`;
}
