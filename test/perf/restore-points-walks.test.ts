/**
 * The restore-point counts (ttlsKeepingCounts, fewestRestorePoints) over merged columns against the
 * object-per-point sort they replace, on random tiers: stand-ins, equal instants in several
 * tiers, tiers counting time, and lists of every length.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CountedTier, fewestRestorePoints, ttlsKeepingCounts } from '../../src/model/simulation.ts';

interface Point {
  readonly at: number;
  readonly owner: number;
}

function referencePoints(index: number, tiers: readonly CountedTier[], runs: readonly (readonly number[])[]): Point[] {
  const points: Point[] = [];
  for (const owner of [index, ...tiers[index]!.standIns]) for (const at of runs[owner] ?? []) points.push({ at, owner });
  return points.sort((a, b) => a.at - b.at || a.owner - b.owner);
}

function referenceTtls(tiers: readonly CountedTier[], runs: readonly (readonly number[])[], marginSeconds: number): number[] {
  const needed = tiers.map(() => 0);
  tiers.forEach((tier, index) => {
    if (!tier.countsRuns || tier.keep <= 0) return;
    const points = referencePoints(index, tiers, runs);
    for (let i = 0; i + tier.keep < points.length; i++) {
      const point = points[i]!;
      needed[point.owner] = Math.max(needed[point.owner]!, (points[i + tier.keep]!.at - point.at) / 1000 + marginSeconds);
    }
  });
  return needed;
}

function referenceFewest(tiers: readonly CountedTier[], runs: readonly (readonly number[])[], horizonEnd: number): (number | undefined)[] {
  return tiers.map((tier, index) => {
    if (!tier.countsRuns || tier.keep <= 0) return undefined;
    const points = referencePoints(index, tiers, runs);
    const expiry = points.map((p) => p.at + tiers[p.owner]!.ttlSeconds * 1000);
    let fewest: number | undefined;
    for (let i = 0; i < points.length; i++) {
      const t = expiry[i]!;
      if (t > horizonEnd) continue;
      let newest = -1;
      for (let j = 0; j < points.length && points[j]!.at <= t; j++) newest = j;
      if (newest + 1 < tier.keep) continue;
      let alive = 0;
      for (let j = newest - tier.keep + 1; j <= newest; j++) if (expiry[j]! > t) alive++;
      fewest = Math.min(fewest ?? tier.keep, alive);
    }
    return fewest;
  });
}

const HOUR = 3_600_000;
/** Sorted runs on whole hours (so tiers share instants), a few to a few hundred. */
const runList = fc.uniqueArray(fc.integer({ min: 0, max: 2000 }), { maxLength: 300 }).map((hours) => hours.sort((a, b) => a - b).map((h) => h * HOUR));
const scenario = fc.integer({ min: 1, max: 4 }).chain((count) =>
  fc.record({
    runs: fc.array(runList, { minLength: count, maxLength: count }),
    tiers: fc.array(
      fc.record({
        keep: fc.integer({ min: 0, max: 30 }),
        ttlSeconds: fc.integer({ min: 0, max: 400 * 3600 }),
        standIns: fc.uniqueArray(fc.integer({ min: 0, max: count - 1 }), { maxLength: count - 1 }),
        countsRuns: fc.boolean(),
      }),
      { minLength: count, maxLength: count },
    ),
  }).map(({ runs, tiers }) => ({ runs, tiers: tiers.map((t, i) => ({ ...t, standIns: t.standIns.filter((j) => j !== i) })) })),
);

describe('restore points counted over merged runs', () => {
  it('ttlsKeepingCounts equals the count over sorted point objects', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 7200 }), ({ runs, tiers }, margin) => {
        expect(ttlsKeepingCounts(tiers, runs, margin)).toEqual(referenceTtls(tiers, runs, margin));
      }),
      { numRuns: 300 },
    );
  });

  it('fewestRestorePoints equals the count over sorted point objects', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 2200 }), ({ runs, tiers }, endHours) => {
        expect(fewestRestorePoints(tiers, runs, endHours * HOUR)).toEqual(referenceFewest(tiers, runs, endHours * HOUR));
      }),
      { numRuns: 300 },
    );
  });
});
