/**
 * A policy's tiers through the one simulation (src/model/simulation.ts): computed once per policy
 * for RPO001, the retention checks and `diff`.
 */
import { ANALYSIS_START_MS } from './cron.ts';
import { type CountedTier, fewestRestorePoints, longestGap, simulateRuns, simulationHorizonSeconds } from './simulation.ts';
import { TIER_PERIOD_SECONDS } from './tiers.ts';
import type { TierSchedule } from './types.ts';

/** A policy's tiers simulated: the horizon, where it ends, and the runs of each tier (in the tiers' order). */
export interface PolicySimulation {
  readonly horizonSeconds: number;
  readonly end: number;
  readonly runs: readonly (readonly number[])[];
}

const simulated = new WeakMap<readonly TierSchedule[], PolicySimulation>();

/** The simulation of a policy's tier Schedules, computed once for the rules and `diff` that read it. */
export function simulatePolicy(schedules: readonly TierSchedule[]): PolicySimulation {
  let found = simulated.get(schedules);
  if (!found) {
    const horizonSeconds = simulationHorizonSeconds(schedules.map((s) => s.interval.seconds));
    const runs = simulateRuns(
      schedules.map((s) => s.cron),
      { horizonSeconds },
    );
    found = { horizonSeconds, end: ANALYSIS_START_MS + horizonSeconds * 1000, runs };
    simulated.set(schedules, found);
  }
  return found;
}

/** The restore points each tier of a policy holds at the fewest (see `fewestRestorePoints`). */
export function policyRestorePoints(schedules: readonly TierSchedule[], scheduleOverride?: string): (number | undefined)[] {
  const simulation = simulatePolicy(schedules);
  const tiers: CountedTier[] = schedules.map((s, i) => ({
    keep: s.keep,
    ttlSeconds: s.ttl.seconds,
    standIns: schedules.flatMap((other, j) => (other.replaces.includes(s.tier) ? [j] : [])),
    // An override, or a base tier running more often than its period, keeps `keep` periods of runs, not `keep` runs.
    countsRuns: !(i === 0 && (scheduleOverride !== undefined || s.interval.seconds < TIER_PERIOD_SECONDS[s.tier])),
  }));
  return fewestRestorePoints(tiers, simulation.runs, simulation.end);
}

/**
 * The longest time, in seconds, between two backups of a policy as Velero runs its Schedules: the
 * union of every tier's runs (a coarser run standing in for a finer one fills its gap), with time
 * zones and changes of the clocks. Infinite for a policy that never backs up twice.
 */
export function policyLongestGap(schedules: readonly TierSchedule[]): number {
  return longestGap(simulatePolicy(schedules).runs);
}
