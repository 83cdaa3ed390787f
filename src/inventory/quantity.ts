/**
 * Kubernetes resource quantities (`10Gi`, `500M`, `1.5Ti`, `1e9`), as the API server accepts them
 * in `spec.resources.requests.storage`. Computed with BigInt so `1.1Gi` is exact, not a float.
 */
import { binaryScale } from '../model/quantity.ts';

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|[mkMGTPE])?$/;

const BINARY: Readonly<Record<string, bigint>> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};

const DECIMAL_EXPONENT: Readonly<Record<string, number>> = { m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/**
 * The number of bytes a quantity stands for, rounded up to a whole byte (as the API server rounds
 * storage requests); undefined when `text` is not a quantity, is negative, or exceeds 2^53 - 1.
 *
 * @example quantityBytes('10Gi') // 10737418240
 */
export function quantityBytes(text: string): number | undefined {
  const match = QUANTITY.exec(text.trim());
  if (!match) return undefined;
  const [, sign = '', number = '', suffix = ''] = match;
  if (sign === '-' && /[1-9]/.test(number)) return undefined;
  const [whole = '', fraction = ''] = number.split('.');
  // The quantity is mantissa / 10^scale * multiplier * 10^exponent.
  const mantissa = BigInt(`${whole}${fraction}` || '0');
  let scale = fraction.length;
  let multiplier = 1n;
  if (suffix in BINARY) multiplier = BINARY[suffix] ?? 1n;
  else if (/^[eE]/.test(suffix)) scale -= Number(suffix.slice(1));
  else scale -= DECIMAL_EXPONENT[suffix] ?? 0;
  let numerator = mantissa * multiplier;
  let denominator = 1n;
  if (scale > 0) denominator = 10n ** BigInt(scale);
  else if (scale < 0) {
    // A huge exponent cannot be a real volume; refuse it before building an enormous BigInt.
    if (-scale > 30) return mantissa === 0n ? 0 : undefined;
    numerator *= 10n ** BigInt(-scale);
  }
  const bytes = (numerator + denominator - 1n) / denominator;
  return bytes <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(bytes) : undefined;
}

/** A byte count for people: binary units with up to one decimal (`1.5 TiB`, `200 GiB`, `512 B`). */
export function formatBytes(bytes: number): string {
  const { value, power } = binaryScale(bytes);
  const shown = power === 0 || Number.isInteger(value) ? String(value) : value.toFixed(1).replace(/\.0$/, '');
  return `${shown} ${['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'][power]}`;
}
