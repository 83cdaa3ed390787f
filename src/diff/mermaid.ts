/**
 * A Mermaid gantt chart of restore points: for each policy whose restore points changed, one bar per
 * tier before and after, from the oldest restore point the tier keeps to now, named with the count
 * it holds. Gantt rather than a bar chart because the reader asks "from when can I restore, and how
 * many points in between?", which is a span of dates ending at the run's clock.
 */
import { TIERS, type Tier } from '../dsl/retention.ts';
import type { DiffReport, RestorePointsChange, TierRestorePoints } from './types.ts';
import { duration } from './values.ts';

/** Most policies a chart shows; a pull request changing more is read in the tables. */
export const CHART_LIMIT = 40;

/** The chart in a fenced `mermaid` block, or undefined when no policy's restore points changed. */
export function restoreWindowChart(report: DiffReport): string | undefined {
  const changed = report.restorePoints.filter((p) => p.changed);
  if (changed.length === 0) return undefined;
  const now = new Date(report.now);
  const lines = [
    '```mermaid',
    'gantt',
    '  title Restore points per policy and tier, before and after',
    '  dateFormat YYYY-MM-DD HH:mm',
    '  axisFormat %Y-%m-%d',
    '  todayMarker off',
  ];
  changed.slice(0, CHART_LIMIT).forEach((entry, index) => {
    lines.push(`  section ${label(entry)}`);
    tierRows(entry).forEach(({ tier, before, after }, row) => {
      if (before) lines.push(bar(`${tier} before ${count(before)}`, 'done', `b${index}_${row}`, before.ttlSeconds, now));
      else lines.push(bar(`${tier} before none`, 'done', `b${index}_${row}`, 0, now));
      if (after) lines.push(bar(`${tier} after ${count(after)}`, before && after.points < before.points ? 'crit' : 'active', `a${index}_${row}`, after.ttlSeconds, now));
      else lines.push(bar(`${tier} after none${entry.after ? '' : ' (policy removed)'}`, 'crit', `a${index}_${row}`, 0, now));
    });
  });
  lines.push('```');
  if (changed.length > CHART_LIMIT) lines.push('', `(${changed.length - CHART_LIMIT} more policies changed; see the tables.)`);
  return lines.join('\n');
}

/** One tier of a policy on both sides; a side without the tier (or the policy) has none. */
export interface TierRow {
  readonly tier: Tier;
  readonly before: TierRestorePoints | undefined;
  readonly after: TierRestorePoints | undefined;
}

/** Every tier either side of a policy has, finest first. */
export function tierRows(entry: RestorePointsChange): TierRow[] {
  const tiers = new Set([...(entry.before?.tiers ?? []), ...(entry.after?.tiers ?? [])].map((t) => t.tier));
  return TIERS.filter((tier) => tiers.has(tier)).map((tier) => ({ tier, before: entry.before?.tiers.find((t) => t.tier === tier), after: entry.after?.tiers.find((t) => t.tier === tier) }));
}

/** `7 points, 7d 4h` for a tier: what it holds and how far back. */
const count = (t: TierRestorePoints): string => `${t.points} point${t.points === 1 ? '' : 's'}, ${duration(t.ttlSeconds)}`;

/** Section and task names cannot hold `:`, `;` or `#` in Mermaid's gantt syntax. */
const clean = (text: string): string => text.replace(/[:;#]/g, ' ');

const label = (entry: RestorePointsChange): string => clean(`${entry.cluster} / ${entry.policy}`);

/** A bar from `seconds` before `now` to `now`, at least one minute long so Mermaid draws it. */
function bar(name: string, tag: string, id: string, seconds: number, now: Date): string {
  const start = new Date(now.getTime() - Math.max(seconds, 60) * 1000);
  return `    ${clean(name)} :${tag}, ${id}, ${stamp(start)}, ${stamp(now)}`;
}

/** `YYYY-MM-DD HH:mm` in UTC, the chart's dateFormat. */
function stamp(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}
