import { humanDuration } from '../model/duration.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import { simulatePolicy } from '../model/restore-points.ts';
import { longestGap } from '../model/simulation.ts';
import type { Model } from '../model/types.ts';
import type { Rule } from './rule.ts';

/**
 * RPO001: the longest gap between any two backups of a policy (all tiers together) is within its
 * RPO, with runs as Velero makes them (src/model/simulation.ts): in a zone with daylight saving time
 * a daily run is 25 hours after the last on the day clocks go back, and a run in the hour skipped
 * when they go forward does not happen that day.
 */
export const rpoRule: Rule = {
  family: 'rpo',
  check(model: Model): Diagnostic[] {
    const found: Diagnostic[] = [];
    for (const policy of model.policies) {
      if (policy.schedules.length === 0 || !Number.isFinite(policy.rpo.seconds)) continue;
      const gap = longestGap(simulatePolicy(policy.schedules).runs);
      if (gap > policy.rpo.seconds) {
        found.push({
          code: 'RPO001',
          severity: 'error',
          message: `backups can be ${Number.isFinite(gap) ? humanDuration(gap) : 'forever'} apart, longer than the RPO of ${policy.rpo.text}`,
          hint: policy.scheduleOverride
            ? `make the schedule "${policy.scheduleOverride}" run at least every ${policy.rpo.text}, or remove it to derive one from the RPO`
            : `raise the RPO to at least ${humanDuration(gap)}, or add a finer retention tier`,
          declaration: policy.name,
          path: policy.scheduleOverride ? 'schedule' : 'rpo',
          source: policy.source,
        });
      }
    }
    return found;
  },
};
