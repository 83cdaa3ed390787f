/**
 * Progress on stderr: on a terminal only after a second and erased at the end; elsewhere only
 * with --progress, as plain lines; never with --no-progress.
 */
import { describe, expect, it } from 'vitest';
import { createProgress, type ProgressStream, progressLine } from '../../src/cli/progress.ts';
import { runCli, runSynth } from '../support/run-cli.ts';
import { makeTempProject } from '../support/temp.ts';

function fakeStream(isTTY: boolean): ProgressStream & { text: () => string } {
  const chunks: string[] = [];
  return { isTTY, write: (text: string) => chunks.push(text), text: () => chunks.join('') };
}

function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('progress reporter', () => {
  it('GIVEN a terminal WHEN the run takes under a second THEN nothing is written', () => {
    const stream = fakeStream(true);
    const clock = fakeClock();
    const progress = createProgress({ label: 'synth', stream, clock: clock.now });
    progress.stage('loading policies', { done: 0, total: 10, unit: 'files' });
    clock.advance(500);
    progress.count(10, 10);
    progress.done();
    expect(stream.text()).toBe('');
  });

  it('GIVEN a terminal WHEN the run takes longer THEN one line is redrawn in place with stage and counts, and erased at the end', () => {
    const stream = fakeStream(true);
    const clock = fakeClock();
    const progress = createProgress({ label: 'synth', stream, clock: clock.now });
    progress.stage('loading policies', { done: 0, total: 500, unit: 'files' });
    clock.advance(1200);
    progress.count(250, 500);
    clock.advance(200);
    progress.stage('writing', { done: 0, total: 9000, unit: 'files' });
    clock.advance(200);
    progress.count(4500, 9000);
    progress.done();
    const text = stream.text();
    expect(text).toContain(`\r\u001b[2K${progressLine('synth', 'loading policies', { done: 250, total: 500, unit: 'files' }, 1200)}`);
    expect(text).toContain('synth: writing 4500/9000 files (1.6 s)');
    expect(text).not.toContain('\n');
    expect(text.endsWith('\r\u001b[2K')).toBe(true);
  });

  it('GIVEN no terminal and no --progress WHEN anything happens THEN nothing is written', () => {
    const stream = fakeStream(false);
    const progress = createProgress({ label: 'synth', stream });
    progress.stage('writing', { done: 0, total: 3, unit: 'files' });
    progress.count(3, 3);
    progress.done();
    expect(stream.text()).toBe('');
  });

  it('GIVEN no terminal and --progress WHEN a run goes through its stages THEN plain lines: each stage, counts at most once a second, and each final count', () => {
    const stream = fakeStream(false);
    const clock = fakeClock();
    const progress = createProgress({ label: 'synth', flag: true, stream, clock: clock.now });
    progress.stage('loading policies', { done: 0, total: 3, unit: 'files' });
    progress.count(1, 3);
    clock.advance(1500);
    progress.count(2, 3);
    progress.count(3, 3);
    progress.stage('checking and compiling');
    progress.done();
    expect(stream.text().split('\n')).toEqual([
      'synth: loading policies 0/3 files (0.0 s)',
      'synth: loading policies 2/3 files (1.5 s)',
      'synth: loading policies 3/3 files (1.5 s)',
      'synth: checking and compiling (1.5 s)',
      '',
    ]);
    expect(stream.text()).not.toContain('\u001b');
  });

  it('GIVEN a terminal and --no-progress WHEN the run is long THEN nothing is written', () => {
    const stream = fakeStream(true);
    const clock = fakeClock();
    const progress = createProgress({ label: 'synth', flag: false, stream, clock: clock.now });
    clock.advance(5000);
    progress.stage('writing', { done: 1, total: 2, unit: 'files' });
    progress.done();
    expect(stream.text()).toBe('');
  });

  it('GIVEN the CLI without a terminal WHEN synth runs with and without --progress THEN stdout is the same and only --progress adds stderr lines', async () => {
    const project = await makeTempProject({ copyExamplePolicies: true });
    try {
      const env = { RESTORABLE_NO_CACHE: '1' };
      const plain = await runSynth(project.policiesDir, project.outDir, { env });
      expect(plain.code, plain.stderr).toBe(0);
      expect(plain.stderr).toBe('');
      const shown = await runCli(['synth', '--progress', '--policies', `${project.rel}/policies`, '--out', `${project.rel}/out2`], { env });
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout.replace('out2', 'out')).toBe(plain.stdout);
      expect(shown.stderr).toMatch(/^synth: loading policies \d+\/\d+ files/m);
      expect(shown.stderr).toMatch(/^synth: writing \d+\/\d+ files/m);
    } finally {
      await project.cleanup();
    }
  });
});
