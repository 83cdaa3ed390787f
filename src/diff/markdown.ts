/**
 * The Markdown report, for a pull-request comment: a summary line, one table per cluster (shared
 * storage and guardrails last), and for each policy whose restore points changed a table of what
 * each tier holds and a Mermaid chart of how far back it reaches, before and after.
 */
import { CHART_LIMIT, restoreWindowChart, tierRows } from './mermaid.ts';
import { CHANGE_CLASSES, type Change, type ChangeClass, type DiffReport, type DiffSide, type GeneratedComparison, type GeneratedDiff, type JsonValue, type PolicyRestorePoints, type TierRestorePoints } from './types.ts';
import { duration } from './values.ts';

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
    lines.push('#### Restore points of the changed policies', '', ...restorePointTable(report), '', chart, '');
  }
  // Never a reassuring footer while a tier holds fewer restore points, even within the same reach.
  const fewer = report.restorePoints.filter((p) => p.fewer.length > 0);
  if (fewer.length > 0) {
    const held = (points: PolicyRestorePoints | null, tier: string) => points?.tiers.find((t) => t.tier === tier)?.points ?? 0;
    const cuts = fewer.flatMap((p) => p.fewer.map((tier) => `${p.policy} ${tier} ${held(p.before, tier)} -> ${held(p.after, tier)}`));
    lines.push(`**Fewer restore points:** ${escapeCell(cuts.join(', '))} (every tier that holds fewer, whether or not the oldest restore point moved).`, '');
  } else if (report.restorePoints.length > 0) {
    lines.push('No policy keeps fewer restore points or can restore less far back than before.', '');
  }
  if (report.generated) lines.push(...generatedSection(report.generated));
  return `${lines.join('\n').trimEnd()}\n`;
}

/** Most objects listed per kind of change; the JSON report lists them all. */
export const OBJECT_LIMIT = 20;

/**
 * What reaches the clusters: the objects the change adds, changes and removes in the generated
 * manifests (those Argo CD leaves behind marked), the notes for live clusters, and what the
 * compiler itself changes.
 */
function generatedSection(generated: GeneratedDiff): string[] {
  const lines = [`#### Generated manifests (\`${generated.folder}/\`)`, ''];
  for (const note of generated.notes) lines.push(`> **Note:** ${escapeCell(note)}`, '');
  const counts = (c: GeneratedComparison) => `${c.added} added, ${c.changed} changed, ${c.removed} removed`;
  if (generated.change) {
    const c = generated.change;
    lines.push(c.objects.length === 0 ? 'No object changes in what the clusters run.' : `What the clusters run changes: ${counts(c)}.`, '');
    if (c.objects.length > 0) lines.push(...objectTable(c), '');
  }
  if (generated.upgradeNotes.length > 0) {
    lines.push('**Upgrade notes for live clusters:**', '');
    for (const note of generated.upgradeNotes) lines.push(`- ${note.replaceAll('\n', ' ')}`);
    lines.push('');
  }
  if (generated.compiler) {
    const c = generated.compiler;
    if (c.objects.length === 0) lines.push(`No change from the compiler itself: the base's committed \`${generated.folder}/\` is what today's compiler makes of the base's policies.`, '');
    else lines.push(`The compiler itself changes ${counts(c)} (the base's policies compiled by today's compiler, against the base's committed \`${generated.folder}/\`):`, '', ...objectTable(c), '');
  }
  return lines;
}

/** A table of the objects that differ, at most `OBJECT_LIMIT` of each kind of change. */
function objectTable(comparison: GeneratedComparison): string[] {
  const rows = ['| change | object | where | detail |', '|---|---|---|---|'];
  for (const change of ['removed', 'changed', 'added'] as const) {
    const objects = comparison.objects.filter((o) => o.change === change);
    for (const o of objects.slice(0, OBJECT_LIMIT)) {
      const name = `${o.kind} \`${o.namespace ? `${o.namespace}/` : ''}${o.name}\``;
      const detail = o.deleteCommand ? `⚠️ left behind by Argo CD (Prune=false): \`${o.deleteCommand}\`` : o.fields.length > 0 ? o.fields.map((f) => `\`${f}\``).join(', ') : '';
      rows.push(`| ${change} | ${escapeCell(name)} | ${escapeCell(o.area)} | ${escapeCell(detail)} |`);
    }
    if (objects.length > OBJECT_LIMIT) rows.push(`| ${change} | ${objects.length - OBJECT_LIMIT} more (see \`--format json\`) | | |`);
  }
  return rows;
}

/**
 * Per changed policy and tier, the restore points held and how far back they reach, before and
 * after, with the longest gap between restore points the schedules leave (the RPO they deliver).
 */
function restorePointTable(report: DiffReport): string[] {
  const rows = ['| policy | tier | before | after |', '|---|---|---|---|'];
  const cell = (t: TierRestorePoints | undefined): string => (t ? `${t.points} (back ${duration(t.ttlSeconds)})` : '—');
  const gap = (p: PolicyRestorePoints | null): string => (p === null ? '—' : p.longestGapSeconds === null ? 'never two backups' : (duration(p.longestGapSeconds) ?? '—'));
  const changed = report.restorePoints.filter((p) => p.changed);
  for (const entry of changed.slice(0, CHART_LIMIT)) {
    const name = escapeCell(`${entry.cluster} / ${entry.policy}`);
    for (const row of tierRows(entry)) {
      const after = cell(row.after);
      const cut = (row.after?.points ?? 0) < (row.before?.points ?? 0);
      rows.push(`| ${name} | ${row.tier} | ${cell(row.before)} | ${cut ? `🔴 ${after}` : after} |`);
    }
    rows.push(`| ${name} | longest gap | ${gap(entry.before)} | ${gap(entry.after)} |`);
  }
  return rows;
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
  generated: 'generated',
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
