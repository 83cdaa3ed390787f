/**
 * A Mermaid gantt chart of restore windows: for each policy whose window changed, a bar from its
 * oldest restore point to now, before and after. Gantt rather than a bar chart because the reader
 * asks "from when can I restore?", which is a span of dates ending at the run's clock.
 */
import type { DiffReport, RestorePointsChange } from './types.ts';
import { duration } from './values.ts';

/** Most policies a chart shows; a pull request changing more is read in the tables. */
export const CHART_LIMIT = 40;

/** The chart in a fenced `mermaid` block, or undefined when no policy's window changed. */
export function restoreWindowChart(report: DiffReport): string | undefined {
  const changed = report.restorePoints.filter((p) => p.changed);
  if (changed.length === 0) return undefined;
  const now = new Date(report.now);
  const lines = [
    '```mermaid',
    'gantt',
    '  title Restore window per policy, before and after',
    '  dateFormat YYYY-MM-DD HH:mm',
    '  axisFormat %Y-%m-%d',
    '  todayMarker off',
  ];
  changed.slice(0, CHART_LIMIT).forEach((entry, index) => {
    lines.push(`  section ${label(entry)}`);
    const before = entry.before?.oldestSeconds;
    const after = entry.after?.oldestSeconds;
    if (before !== undefined) lines.push(bar(`before ${span(before)}${entry.after ? '' : ' (removed)'}`, 'done', `b${index}`, before, now));
    if (after !== undefined) {
      const tag = before === undefined ? 'active' : after < before ? 'crit' : 'active';
      lines.push(bar(`after ${span(after)}${entry.before ? '' : ' (new)'}`, tag, `a${index}`, after, now));
    }
  });
  lines.push('```');
  if (changed.length > CHART_LIMIT) lines.push('', `(${changed.length - CHART_LIMIT} more policies changed; see the tables.)`);
  return lines.join('\n');
}

/** Section and task names cannot hold `:`, `;` or `#` in Mermaid's gantt syntax. */
const clean = (text: string): string => text.replace(/[:;#]/g, ' ');

const label = (entry: RestorePointsChange): string => clean(`${entry.cluster} / ${entry.policy}`);

const span = (seconds: number): string => (seconds === 0 ? 'nothing kept' : (duration(seconds) ?? ''));

/** A bar from `seconds` before `now` to `now`, at least one minute long so Mermaid draws it. */
function bar(name: string, tag: string, id: string, seconds: number, now: Date): string {
  const start = new Date(now.getTime() - Math.max(seconds, 60) * 1000);
  return `    ${clean(name)} :${tag}, ${id}, ${stamp(start)}, ${stamp(now)}`;
}

/** `YYYY-MM-DD HH:mm` in UTC, the chart's dateFormat. */
function stamp(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}
