import { humanDuration } from '../model/duration.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { Model } from '../model/types.ts';
import { simulatePolicy } from '../model/restore-points.ts';
import { sameMinuteRuns } from '../model/simulation.ts';
import { oldestRestorePoint } from '../model/tiers.ts';
import type { Rule } from './rule.ts';

/** The longest duration Go (and so Velero) can parse: about 2,562,047 hours. */
export const MAX_GO_DURATION_SECONDS = 9_223_372_036;

/**
 * RET001: the oldest restore point a policy keeps is at least as old as its RPO.
 * RET005: no tier's TTL exceeds what Velero can parse (Go's maximum duration, about 292 years).
 * RET006 (warning): no two tiers create a backup in the same minute, as Velero runs the Schedules
 * (src/model/simulation.ts). The compiler never makes them meet; a schedule override can, and a
 * one-minute base tier leaves no minute free.
 */
export const retentionRule: Rule = {
  family: 'retention',
  check(model: Model): Diagnostic[] {
    const found: Diagnostic[] = [];
    for (const policy of model.policies) {
      for (const schedule of policy.schedules.filter((s) => s.ttl.seconds > MAX_GO_DURATION_SECONDS)) {
        found.push({
          code: 'RET005',
          severity: 'error',
          message: `the ${schedule.tier} tier keeps backups for ${Math.round(schedule.ttl.seconds / 31_557_600)} years, longer than Velero can express (about 292 years)`,
          hint: `lower retention.${schedule.tier}`,
          declaration: policy.name,
          path: `retention.${schedule.tier}`,
          source: policy.source,
        });
      }
      found.push(...sameMinuteDiagnostics(policy));
      const oldest = oldestRestorePoint(policy.schedules);
      if (!oldest || !Number.isFinite(policy.rpo.seconds) || oldest.seconds >= policy.rpo.seconds) continue;
      found.push({
        code: 'RET001',
        severity: 'error',
        message: `retention keeps restore points for ${humanDuration(oldest.seconds)}, shorter than the RPO of ${policy.rpo.text}: some of the time no backup inside the RPO exists`,
        hint: `keep restore points for at least ${policy.rpo.text} (add a coarser tier), or lower the RPO`,
        declaration: policy.name,
        path: 'retention',
        source: policy.source,
      });
    }
    return found;
  },
};

function sameMinuteDiagnostics(policy: Model['policies'][number]): Diagnostic[] {
  if (policy.schedules.length < 2) return [];
  return sameMinuteRuns(simulatePolicy(policy.schedules).runs).map(({ first, second, at, count }) => {
    const a = policy.schedules[first]!;
    const b = policy.schedules[second]!;
    const when = new Date(at).toISOString().slice(0, 16).replace('T', ' ');
    return {
      code: 'RET006',
      severity: 'warning',
      message: `the ${a.tier} and ${b.tier} tiers both start a backup at ${when} UTC (${count} time${count === 1 ? '' : 's'} in the simulated ${Math.round(simulatePolicy(policy.schedules).horizonSeconds / 86_400)} days): Velero takes two backups of the same data that minute`,
      hint: policy.scheduleOverride
        ? `make the schedule "${policy.scheduleOverride}" leave out the minute the ${b.tier} tier runs at (${b.cron})`
        : 'raise the RPO to 2m or more, so the coarser tiers get a minute the base tier does not use',
      declaration: policy.name,
      path: policy.scheduleOverride ? 'schedule' : 'rpo',
      source: policy.source,
    };
  });
}
