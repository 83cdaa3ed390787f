import { describe, expect, it } from 'vitest';
import { humanDuration } from '../../src/model/duration.ts';
import { formatQuantity, parseQuantity } from '../../src/model/quantity.ts';

describe('durations and sizes as people read them', () => {
  it.each([
    [84_240, '23h24m'],
    [5_460, '1h31m'],
    [3_600, '1h'],
    [90, '1m30s'],
    [86_400 * 7, '7d'],
    [90_000, '25h'],
    [0, '0s'],
  ])('GIVEN %i seconds WHEN shown THEN %s, never minutes in the thousands', (seconds, shown) => {
    expect(humanDuration(seconds)).toBe(shown);
  });

  it.each([
    ['200Gi', '200Gi'],
    ['1536Gi', '1.5Ti'],
    ['512', '512'],
    ['100G', '93.1Gi'],
  ])('GIVEN %s WHEN shown THEN %s, never raw bytes', (quantity, shown) => {
    expect(formatQuantity(parseQuantity(quantity)!)).toBe(shown);
  });
});
