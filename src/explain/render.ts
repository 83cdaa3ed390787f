import { formatBytes } from '../inventory/quantity.ts';
import type { LabelSelector } from '../dsl/policy.ts';
import type { NamespaceExplanation, PlanView, ProtectionView, TierView } from './explain.ts';

/** A label selector as kubectl writes one: `a=b,c in (d,e),!f`. */
export function formatSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

/** Rows as columns, each padded to its widest cell. */
function table(rows: readonly (readonly string[])[], indent: string): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return rows.map((row) => `${indent}${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd());
}

function reachText(p: ProtectionView): string {
  if (p.reach.kind === 'namespaces') return 'lists it in its namespaces';
  const selector = formatSelector(p.reach.selector);
  return p.reach.labels === 'match'
    ? `selects objects labelled ${selector} in every namespace, and claims of this namespace (or pods mounting them) carry those labels`
    : `selects objects labelled ${selector} in every namespace; whether this namespace's objects carry those labels is unknown (import an inventory: restorable inventory import)`;
}

const tierRow = (t: TierView): string[] => [t.tier, t.schedule, t.cron, t.ttl.go, t.interval.text, `~${t.restorePoints}`];

function planLines(plan: PlanView): string[] {
  const lines = [
    `    ${plan.plan}: ${plan.scenario} (${plan.mode}) into cluster ${plan.targetCluster}, namespace ${plan.targetNamespace}; RTO ${plan.rto.text}; restores the ${plan.pointInTime === 'latest' ? 'newest' : `newest ${plan.pointInTime}`} restore point`,
    `      run:      ${plan.runner.command}`,
    `      result:   ConfigMap ${plan.runner.lastRunConfigMap} in namespace ${plan.runner.namespace}`,
  ];
  if (plan.drill) {
    lines.push(
      `      drill:    every ${plan.drill.every}, CronJob ${plan.drill.cronJob} (${plan.drill.schedule}, UTC)`,
      `      last drill result: ConfigMap ${plan.drill.resultConfigMap}: ${plan.drill.readResult}`,
    );
  } else {
    lines.push('      drill:    none: this plan is never rehearsed');
  }
  lines.push(`      runbook:  ${plan.runbook}`);
  for (const problem of plan.problems) lines.push(`      ERROR ${problem}`);
  return lines;
}

function protectionLines(p: ProtectionView): string[] {
  const lines = [
    `${p.certain ? 'backed up' : 'possibly backed up'} on cluster ${p.cluster} by policy ${p.policy} (it ${reachText(p)})`,
    `  storage ${p.storage}; volumes ${p.volumes}${p.volumeData ? '' : ' (Kubernetes objects only: no volume data)'}${p.timeZone ? `; schedules in ${p.timeZone}` : ''}`,
    `  RPO ${p.rpo.text}: the newest restore point is at most ${p.restorePoints.newestAtMost.text} old, the oldest about ${p.restorePoints.oldest.text} (the longest TTL); about ${p.restorePoints.count} restore points at any moment`,
    ...table([['tier', 'schedule', 'cron', 'TTL', 'every', 'restore points'], ...p.tiers.map(tierRow)], '    '),
  ];
  if (p.plans.length === 0) lines.push('  restore plans: none: no plan brings this namespace back');
  else lines.push('  restore plans:', ...p.plans.flatMap(planLines));
  return lines;
}

/** The explanation as text for a terminal. */
export function renderExplanation(e: NamespaceExplanation): string {
  const where = e.cluster ? ` on cluster ${e.cluster}` : '';
  const lines: string[] = [];
  if (e.protected) {
    lines.push(`namespace ${e.namespace}${where}: backed up by ${e.protections.filter((p) => p.certain).length} polic${e.protections.filter((p) => p.certain).length === 1 ? 'y' : 'ies'}`);
  } else if (e.protections.length > 0) {
    lines.push(`namespace ${e.namespace}${where}: NOT proven to be backed up: only selectors whose match cannot be checked reach it`);
  } else {
    lines.push(`namespace ${e.namespace}${where}: NOT backed up: no policy covers it`);
  }
  for (const d of e.data) {
    const lost = d.notBackedUpBytes > 0 ? `; ${formatBytes(d.notBackedUpBytes)} of it not backed up (restorable validate says why)` : '';
    lines.push(`holds ${d.claims} PersistentVolumeClaim${d.claims === 1 ? '' : 's'}, ${formatBytes(d.requestedBytes)} requested, on cluster ${d.cluster}${lost}`);
  }
  for (const p of e.protections) lines.push('', ...protectionLines(p));
  for (const x of e.exemptions) lines.push('', `exempted${x.cluster ? ` on cluster ${x.cluster}` : ' on every cluster'} until ${x.until}: ${x.reason}`);
  for (const r of e.restoredInto) {
    lines.push('', `restore target: plan ${r.plan} restores namespace ${r.sourceNamespace} (policy ${r.from.join(', ')}) into this namespace on cluster ${r.targetCluster}`);
  }
  if (!e.protected) {
    lines.push('', `hint: back it up with a policy (namespaces: ['${e.namespace}']), or exempt it deliberately with exempt('${e.namespace}', { reason, until })`);
  }
  return `${lines.join('\n')}\n`;
}
