/**
 * The Markdown report, for a pull-request comment: a summary line, one table per cluster (shared
 * storage and guardrails last), and a Mermaid chart of how far back each changed policy can
 * restore, before and after.
 */
import { restoreWindowChart } from './mermaid.ts';
import { CHANGE_CLASSES, type Change, type ChangeClass, type DiffReport, type DiffSide, type JsonValue } from './types.ts';

const BADGE: Readonly<Record<ChangeClass, string>> = { risk: '🔴 risk', review: '🟡 review', safe: '🟢 safe' };

/** Renders the report as GitHub/GitLab-flavoured Markdown. */
export function renderMarkdown(report: DiffReport): string {
  const lines: string[] = [];
  const { summary } = report;
  const counts = CHANGE_CLASSES.map((cls) => `${summary[cls]} ${cls}`).join(', ');
  lines.push(`### restorable diff: ${summary.total === 0 ? 'no protection changes' : counts}`, '');
  // Errors in the policies come first: the comparison below is of what resolved, not of what was meant.
  const errors = report.notes.filter(isErrorNote);
  for (const note of errors) lines.push(`> ❌ **Errors:** ${escapeCell(note)}`, '');
  lines.push(`Base ${sideText(report.base)}, head ${sideText(report.head)}.`, '');
  for (const note of report.notes.filter((n) => !isErrorNote(n))) lines.push(`> **Note:** ${escapeCell(note)}`, '');
  const groups = new Map<string | null, Change[]>();
  for (const c of report.changes) groups.set(c.cluster, [...(groups.get(c.cluster) ?? []), c]);
  for (const [cluster, changes] of groups) {
    lines.push(cluster === null ? '#### Shared: storage, guardrails, exemptions for every cluster' : `#### Cluster \`${cluster}\``, '');
    lines.push('| class | what | change | before | after |', '|---|---|---|---|---|');
    for (const c of changes) {
      const what = `${subjectText(c)}${c.field ? ` \`${c.field}\`` : ''}${c.file ? `<br>${c.file}${c.line ? `:${c.line}` : ''}` : ''}`;
      lines.push(`| ${BADGE[c.class]} | ${what} | ${escapeCell(c.message)} | ${valueText(c.before)} | ${valueText(c.after)} |`);
    }
    lines.push('');
  }
  const chart = restoreWindowChart(report);
  if (chart) {
    lines.push('#### How far back each policy can restore', '', chart, '');
  } else if (report.restorePoints.length > 0) {
    // The chart tracks only how far back a policy reaches; fewer points within that reach are a loss too.
    const cut = report.changes.filter((c) => c.kind === 'policy.retention' && c.class === 'risk');
    if (cut.length > 0) lines.push(`No policy reaches less far back, but ${cut.map((c) => `${c.name} keeps fewer ${c.field?.replace('retention.', '')} restore points`).join(', ')} (see above).`, '');
    else lines.push('No policy keeps fewer restore points or can restore less far back than before.', '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** Notes that report errors in a side's policies (see snapshot.ts). */
const isErrorNote = (note: string): boolean => / error\(s\) in the policies/.test(note);

function sideText(side: DiffSide): string {
  if (side.ref === null) return 'working tree';
  return `\`${side.ref}\` (${side.commit?.slice(0, 12) ?? 'unknown'})`;
}

const SUBJECT_TEXT: Readonly<Record<Change['subject'], string>> = {
  cluster: 'cluster',
  storage: 'storage',
  policy: 'policy',
  namespace: 'namespace',
  restorePlan: 'restore plan',
  guardrails: 'guardrails',
  exemption: 'exemption',
  preSyncBackup: 'pre-sync backup',
};

const subjectText = (c: Change): string => `${SUBJECT_TEXT[c.subject]} **${escapeCell(c.name)}**`;

/** Table cells cannot hold `|` or line breaks. */
function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** A value for a table cell: plain for scalars, `key: value` pairs for objects, `—` for nothing. */
function valueText(value: JsonValue): string {
  const plain = (v: JsonValue): string => {
    if (v === null) return '—';
    if (Array.isArray(v)) return v.length === 0 ? '(none)' : v.map(plain).join(', ');
    if (typeof v === 'object') {
      const entries = Object.entries(v as Record<string, JsonValue>).filter(([, inner]) => inner !== null);
      if (entries.length === 0) return '—';
      return entries.map(([k, inner]) => `${k}: ${typeof inner === 'object' ? JSON.stringify(inner) : plain(inner)}`).join('; ');
    }
    return String(v);
  };
  const text = plain(value);
  // Long values (steps, hooks) belong in the JSON report; the table shows their start.
  return escapeCell(text.length > 120 ? `${text.slice(0, 117)}...` : text);
}
