import { humanDuration } from '../model/duration.ts';
import type { Diagnostic } from '../model/diagnostic.ts';
import type { Model } from '../model/types.ts';
import { oldestRestorePoint } from '../model/tiers.ts';
import type { Rule } from './rule.ts';

/** RET001: the oldest restore point a policy keeps is at least as old as its RPO. */
export const retentionRule: Rule = {
  family: 'retention',
  check(model: Model): Diagnostic[] {
    const found: Diagnostic[] = [];
    for (const policy of model.policies) {
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
