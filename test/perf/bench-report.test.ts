/** The benchmark's report: wall-time ratios against the targets, and the same ratios in CPU time. */
import { describe, expect, it } from 'vitest';
import { MEASUREMENTS, type Measurement, type MeasurementName } from '../../bench/measure.ts';
import { formatReport, ratiosOf, type SizeReport, TARGETS } from '../../bench/report.ts';

const sample = (ms: number, cpuMs: number): Measurement => ({ ms: [ms, ms * 2, ms], rssKb: [1024], cpuMs: [cpuMs, cpuMs, cpuMs * 3] });
const wall: Record<MeasurementName, [number, number]> = {
  synthCold: [4000, 2000],
  synthNoop: [500, 400],
  synthChanged: [4200, 2100],
  cdk8sBaseline: [2000, 1600],
  floor: [1000, 800],
  validate: [4400, 2600],
  commitProcess: [800, 400],
  commitInProcess: [300, 200],
  gitCli: [100, 80],
};
const size: SizeReport = {
  policies: 1000,
  clusters: 20,
  files: 10_000,
  measurements: Object.fromEntries(MEASUREMENTS.map((m) => [m, sample(...wall[m])])) as Record<MeasurementName, Measurement>,
};

describe('the benchmark report', () => {
  it('GIVEN wall and CPU times WHEN the ratios are computed THEN each is a ratio of medians, in wall time or in CPU time', () => {
    expect(ratiosOf(size).synthFloor).toBe(4);
    expect(ratiosOf(size, 'cpuMs').synthFloor).toBe(2.5);
    expect(ratiosOf(size, 'cpuMs').commitGitProcess).toBe(5);
  });

  it('GIVEN a run at 1,000 policies WHEN formatted THEN every target shows its wall-time verdict and the CPU-time ratio beside it', () => {
    const text = formatReport({ machine: { nproc: 2 }, runs: 3, scratch: '/dev/shm', seconds: 60, targets: TARGETS, sizes: [size] });
    expect(text).toContain('synth/floor           4.00 (target <= 3: MISSED; 2.50 in CPU time)');
    expect(text).toContain('commit/git-cli (in-process)    3.00 (target <= 3: met; 2.50 in CPU time)');
    expect(text).toMatch(/synth, cold \(fresh output\) +4\.00 \(4\.00-8\.00\) +2\.00 +1\n/);
  });
});
