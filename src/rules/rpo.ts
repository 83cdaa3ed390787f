import { isAppProfile } from '../model/app-profile.ts';
import { humanDuration } from '../model/duration.ts';
import { dumpSeconds } from '../model/dump.ts';
import { formatQuantity, parseQuantity } from '../model/quantity.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import { policyLongestGap } from '../model/restore-points.ts';
import type { Model } from '../model/types.ts';
import type { Rule } from './rule.ts';

/**
 * RPO001: the longest gap between any two backups of a policy (all tiers together) is within its
 * RPO, with runs as Velero makes them (src/model/simulation.ts): in a zone with daylight saving time
 * a daily run is 25 hours after the last on the day clocks go back, and a run in the hour skipped
 * when they go forward does not happen that day.
 * RPO002: the dumps of the policy's database profiles can finish within its RPO.
 */
export const rpoRule: Rule = {
  family: 'rpo',
  check(model: Model): Diagnostic[] {
    const found: Diagnostic[] = [];
    for (const policy of model.policies) {
      if (policy.schedules.length === 0 || !Number.isFinite(policy.rpo.seconds)) continue;
      const gap = policyLongestGap(policy.schedules);
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
    return [...found, ...model.policies.flatMap(dumpsWithinRpo)];
  },
};

/**
 * RPO002: the policy's dumps (run one after the other, in each backup) can finish within its RPO.
 * A longer backup holds the next one back: Velero creates no Backup while one of the same Schedule
 * is in progress, so backups end up further apart than the RPO.
 */
function dumpsWithinRpo(policy: Model['policies'][number]): Diagnostic[] {
  if (!Number.isFinite(policy.rpo.seconds)) return [];
  const dumps = policy.apps.flatMap((app, index) => {
    const seconds = isAppProfile(app) ? dumpSeconds(app) : undefined;
    return seconds === undefined ? [] : [{ app, index, seconds }];
  });
  const total = dumps.reduce((sum, d) => sum + d.seconds, 0);
  if (dumps.length === 0 || total <= policy.rpo.seconds) return [];
  const described = dumps
    .map((d) => `${d.app.name} (${formatQuantity(parseQuantity(d.app.dump?.dataSize) ?? 0)} at ${formatQuantity(d.app.dump?.bytesPerSecond ?? 0)}/s)`)
    .join(', ');
  const [first] = dumps;
  return [
    {
      code: 'RPO002',
      severity: 'error',
      message: `the dump${dumps.length === 1 ? '' : 's'} of ${described} ${dumps.length === 1 ? 'takes' : 'take'} about ${humanDuration(Math.ceil(total / 60) * 60)}, longer than the RPO of ${policy.rpo.text}: each backup runs past the next one, which Velero holds back until it ends`,
      hint: `raise the RPO to at least ${humanDuration(Math.ceil(total / 60) * 60)}, or capture the database's volume without a dump (consistency 'crash' with execHooks)`,
      declaration: policy.name,
      path: dumps.length === 1 && first ? `apps[${first.index}].dataSize` : 'rpo',
      source: policy.source,
    },
  ];
}
