/**
 * The simulation's walks over runs (longestGap without building the merged list, sameMinuteRuns
 * looking a coarse tier's few runs up in a fine one) against the plain walks they replace, on
 * random sorted run lists: lopsided and even lengths, shared instants, and several runs of one
 * list in the same minute.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeRuns } from '../../src/model/cron.ts';
import { longestGap, type SameMinute, sameMinuteRuns } from '../../src/model/simulation.ts';

/** The reference: merge every list, then the largest difference between neighbours. */
function referenceLongestGap(runs: readonly (readonly number[])[]): number {
  const all = [...new Set(runs.flat())].sort((a, b) => a - b);
  if (all.length < 2) return Number.POSITIVE_INFINITY;
  let longest = 0;
  for (let i = 1; i < all.length; i++) longest = Math.max(longest, all[i]! - all[i - 1]!);
  return longest / 1000;
}

/** The reference: every pair walked side by side, minute by minute. */
function referenceSameMinute(runs: readonly (readonly number[])[]): SameMinute[] {
  const found: SameMinute[] = [];
  const minuteOf = (at: number): number => Math.floor(at / 60_000);
  for (let a = 0; a < runs.length; a++) {
    for (let b = a + 1; b < runs.length; b++) {
      const first = runs[a]!;
      const second = runs[b]!;
      let at: number | undefined;
      let count = 0;
      for (let i = 0, j = 0; i < first.length && j < second.length; ) {
        const x = minuteOf(first[i]!);
        const y = minuteOf(second[j]!);
        if (x < y) i++;
        else if (y < x) j++;
        else {
          at ??= second[j];
          count++;
          i++;
          j++;
        }
      }
      if (at !== undefined) found.push({ first: a, second: b, at, count });
    }
  }
  return found;
}

const START = Date.UTC(2026, 0, 5);
/** A sorted run list: a few runs or thousands, on whole minutes or on seconds (several in one minute). */
const runList = fc
  .tuple(fc.integer({ min: 0, max: 3000 }), fc.constantFrom(60_000, 15 * 60_000, 1000, 20_000), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 50 }))
  .map(([length, unit, every, offset]) => Array.from({ length }, (_, i) => START + (offset + i * every) * unit));
const sparse = fc.uniqueArray(fc.integer({ min: 0, max: 200_000 }), { maxLength: 40 }).map((minutes) => minutes.sort((a, b) => a - b).map((m) => START + m * 60_000));
const runs = fc.array(fc.oneof(runList, sparse), { minLength: 0, maxLength: 5 });

describe('the simulation walks over runs', () => {
  it('longestGap equals the gap of the merged runs', () => {
    fc.assert(
      fc.property(runs, (lists) => {
        expect(longestGap(lists)).toBe(referenceLongestGap(lists));
      }),
      { numRuns: 300 },
    );
  });

  it('mergeRuns lists every run once, in order', () => {
    fc.assert(
      fc.property(runs, (lists) => {
        expect(mergeRuns(lists)).toEqual([...new Set(lists.flat())].sort((a, b) => a - b));
      }),
      { numRuns: 200 },
    );
  });

  it('sameMinuteRuns finds the same pairs, first minutes and counts as walking every pair', () => {
    fc.assert(
      fc.property(runs, (lists) => {
        expect(sameMinuteRuns(lists)).toEqual(referenceSameMinute(lists));
      }),
      { numRuns: 300 },
    );
  });

  it('GIVEN a yearly run among 15-minute runs, and two runs of one list in that minute WHEN compared THEN the lookup counts the pairs the walk counts', () => {
    const fine = Array.from({ length: 40_000 }, (_, i) => START + i * 15 * 60_000);
    const coarse = [START + 96 * 15 * 60_000, START + 96 * 15 * 60_000 + 30_000, START + 200 * 15 * 60_000 + 60_000];
    expect(sameMinuteRuns([fine, coarse])).toEqual(referenceSameMinute([fine, coarse]));
    expect(sameMinuteRuns([coarse, fine])).toEqual(referenceSameMinute([coarse, fine]));
    expect(sameMinuteRuns([fine, coarse])[0]?.count).toBe(1);
  });
});
