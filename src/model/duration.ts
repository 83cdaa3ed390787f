/** A parsed duration: the text the user wrote and its length in seconds. */
export interface Duration {
  readonly text: string;
  readonly seconds: number;
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const DURATION = /^(\d+)([smhdw])$/;

/** Parses `'15m'`, `'1h'`, `'7d'`, `'2w'`; undefined when the text is not one whole number and one unit. */
export function parseDuration(text: unknown): Duration | undefined {
  if (typeof text !== 'string') return undefined;
  const match = DURATION.exec(text);
  if (!match) return undefined;
  const [, amount = '', unit = ''] = match;
  const seconds = Number(amount) * (UNIT_SECONDS[unit] ?? Number.NaN);
  return Number.isSafeInteger(seconds) && seconds > 0 ? { text, seconds } : undefined;
}

/** A duration from seconds, written with the largest unit that divides it. */
export function durationOf(seconds: number): Duration {
  for (const [unit, size] of [
    ['w', 604_800],
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds % size === 0) return { text: `${seconds / size}${unit}`, seconds };
  }
  return { text: `${seconds}s`, seconds };
}

/** Go's `time.Duration` format, as Velero writes durations back: `720h0m0s`, `10m0s`, `30s`. */
export function goDuration(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) return `${hours}h${minutes}m${rest}s`;
  return minutes > 0 ? `${minutes}m${rest}s` : `${rest}s`;
}

/** A short human form for reports: `1h`, `36h`, `7d`, `1y 2d`. */
export function humanDuration(seconds: number): string {
  if (seconds >= 86_400 && seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  // Hours, minutes and seconds together (`23h24m`, never `1404m`); Prometheus reads the same form.
  const parts = [
    [Math.floor(seconds / 3600), 'h'],
    [Math.floor((seconds % 3600) / 60), 'm'],
    [seconds % 60, 's'],
  ] as const;
  const shown = parts.filter(([value]) => value > 0).map(([value, unit]) => `${value}${unit}`).join('');
  return shown === '' ? '0s' : shown;
}
