import { describe, expect, it } from 'vitest';
import { formatBytes, quantityBytes } from '../../src/inventory/quantity.ts';

describe('quantityBytes', () => {
  it.each([
    ['10Gi', 10 * 2 ** 30],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['1.1Gi', Math.ceil(1.1 * 2 ** 30)],
    ['512Mi', 512 * 2 ** 20],
    ['1Ki', 1024],
    ['2Ti', 2 * 2 ** 40],
    ['1Pi', 2 ** 50],
    ['100G', 100e9],
    ['500M', 500e6],
    ['250k', 250_000],
    ['1T', 1e12],
    ['1e9', 1e9],
    ['1E3', 1000],
    ['12e-1', 2],
    ['1500m', 2],
    ['1000m', 1],
    ['.5Gi', 2 ** 29],
    ['5.', 5],
    ['+7', 7],
    ['0', 0],
    ['-0', 0],
    ['1073741824', 1_073_741_824],
  ])('GIVEN %s WHEN parsed THEN it is %d bytes, rounded up', (text, bytes) => {
    expect(quantityBytes(text)).toBe(bytes);
  });

  it.each(['', '10 Gi', '10GB', 'Gi', '-1Gi', '1.2.3', '1e', '10gi', '8Ei', '1e400', 'abc'])('GIVEN %j WHEN parsed THEN it is not a storage size', (text) => {
    expect(quantityBytes(text)).toBeUndefined();
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [1536, '1.5 KiB'],
    [10 * 2 ** 30, '10 GiB'],
    [2 ** 40 + 2 ** 39, '1.5 TiB'],
  ])('GIVEN %d bytes WHEN formatted THEN %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
