/**
 * Progress on stderr for long runs: the stage, and counts where there are some (policy files
 * loaded, files written, objects validated).
 *
 * - On a terminal (stderr is a TTY) it is on unless `--no-progress`: one line, redrawn in place,
 *   appearing only once the run has taken a second, and erased at the end, so short runs and the
 *   final output look exactly as without it.
 * - Elsewhere (CI logs, pipes) it is off unless `--progress`: then plain lines, one per stage and
 *   at most one a second per stage for counts, and no escape codes.
 */

/** Where progress goes: stderr, or a stand-in in tests. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** Options of a progress reporter. */
export interface ProgressOptions {
  /** `--progress` (true), `--no-progress` (false) or neither (undefined: on for a terminal). */
  readonly flag?: boolean;
  readonly stream?: ProgressStream;
  /** Prefix of every line, e.g. `synth`. */
  readonly label: string;
  /** How long a terminal run must take before progress shows. @default 1000 ms */
  readonly delayMs?: number;
  /** The clock, in ms. @default performance.now */
  readonly clock?: () => number;
}

/** Reports the stages of one run; every method is cheap enough to call per file. */
export interface Progress {
  /** Starts a stage, optionally with a count (`done` of `total` `unit`). */
  stage(name: string, count?: { readonly done: number; readonly total: number; readonly unit: string }): void;
  /** Updates the count of the current stage. */
  count(done: number, total: number): void;
  /** Erases the terminal line, so that other output (diagnostics) can be written; the next update redraws it. */
  clear(): void;
  /** Ends the run: erases the terminal line; further calls do nothing. */
  done(): void;
}

/** The line a stage shows, e.g. `synth: writing 1200/9914 files (3.2 s)`. */
export function progressLine(label: string, stage: string, count: { done: number; total: number; unit: string } | undefined, elapsedMs: number): string {
  const counted = count ? ` ${count.done}/${count.total} ${count.unit}` : '';
  return `${label}: ${stage}${counted} (${(elapsedMs / 1000).toFixed(1)} s)`;
}

const silent: Progress = { stage: () => undefined, count: () => undefined, clear: () => undefined, done: () => undefined };

/** A reporter for one run, or one that prints nothing when progress is off. */
export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  if (options.flag === false || (!tty && options.flag !== true)) return silent;
  const clock = options.clock ?? (() => performance.now());
  const started = clock();
  const delay = options.delayMs ?? 1000;
  let stage = 'starting';
  let count: { done: number; total: number; unit: string } | undefined;
  let drawn = false;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let finished = false;

  const draw = (force: boolean): void => {
    if (finished) return;
    const now = clock();
    if (tty) {
      if (now - started < delay || (!force && now - lastDraw < 100)) return;
      stream.write(`\r\u001b[2K${progressLine(options.label, stage, count, now - started)}`);
      drawn = true;
    } else {
      if (!force && now - lastDraw < 1000) return;
      stream.write(`${progressLine(options.label, stage, count, now - started)}\n`);
    }
    lastDraw = now;
  };
  // A terminal line also appears during a long stage without counts.
  const timer = tty ? setInterval(() => draw(false), 250) : undefined;
  timer?.unref();

  return {
    stage(name, initial) {
      if (finished) return;
      if (!tty && count && count.done !== count.total) draw(true);
      stage = name;
      count = initial ? { ...initial } : undefined;
      draw(true);
    },
    count(done, total) {
      if (finished || !count) return;
      count.done = done;
      count.total = total;
      draw(!tty && done === total);
    },
    clear() {
      if (drawn) stream.write('\r\u001b[2K');
      drawn = false;
    },
    done() {
      if (finished) return;
      finished = true;
      if (timer) clearInterval(timer);
      if (drawn) stream.write('\r\u001b[2K');
      drawn = false;
    },
  };
}
