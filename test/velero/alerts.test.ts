import { describe, expect, it } from 'vitest';
import type { DurationString } from '../../src/dsl/index.ts';
import type { IPrometheusRule, IPrometheusRuleRule } from '../../src/k8s/monitoring/prometheus-rule.ts';
import { validateObject } from '../../src/k8s/schema-registry.ts';
import { validateAgainstReferenceCrds } from '../support/crd.ts';
import { build, clusterWith, errorCodes, ofKind, policy, schedules, storage } from './support.ts';

const rules = (objects: Parameters<typeof ofKind>[0], cluster?: string) => ofKind<IPrometheusRule>(objects, 'PrometheusRule', cluster);

function alert(rule: IPrometheusRule | undefined, name: string): IPrometheusRuleRule {
  const found = rule?.spec.groups?.flatMap((g) => g.rules ?? []).find((r) => r.alert === name);
  if (found === undefined) throw new Error(`no alert ${name}`);
  return found;
}

/** The `schedule=~"..."` regex of a PromQL expression, as Prometheus applies it (anchored). */
function scheduleMatcher(expr: string): RegExp {
  const match = /schedule=~"([^"]*)"/.exec(expr);
  if (match === null) throw new Error(`no schedule matcher in ${expr}`);
  return new RegExp(`^(?:${match[1]})$`);
}

/** Seconds of a Prometheus duration (`1h`, `90s`, `14d`, `1h30m`). */
function promSeconds(text: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  expect(parts.map((p) => p[0]).join('')).toBe(text);
  return parts.reduce((sum, [, amount = '0', unit = 's']) => sum + Number(amount) * (units[unit] ?? Number.NaN), 0);
}

const eu = storage('eu');

describe('PrometheusRule alerts', () => {
  it('GIVEN clusters without monitoring or with monitoring none WHEN lowered THEN no PrometheusRule is made', () => {
    const quiet = clusterWith('quiet', [eu]);
    const off = clusterWith('off', [eu], { monitoring: 'none' });

    const { objects } = build([eu, quiet, off, policy('a', quiet), policy('b', off)]);

    expect(rules(objects)).toEqual([]);
  });

  it('GIVEN one monitored cluster and one not WHEN lowered THEN only policies of the monitored cluster get a rule, one each, plus the cluster\'s Velero rule, in Velero namespace', () => {
    const watched = clusterWith('watched', [eu], { monitoring: 'prometheus-operator' });
    const quiet = clusterWith('quiet', [eu]);

    const { objects } = build([eu, watched, quiet, policy('a', watched), policy('b', watched), policy('c', quiet)]);

    expect(rules(objects, 'watched').map((r) => [r.metadata?.name, r.metadata?.namespace, r.metadata?.labels?.['restorable.dev/policy']])).toEqual([
      ['restorable-a', 'velero', 'a'],
      ['restorable-b', 'velero', 'b'],
      ['restorable-velero', 'velero', undefined],
    ]);
    expect(rules(objects, 'quiet')).toEqual([]);
  });

  describe('GIVEN a policy with every retention tier on a monitored cluster', () => {
    const watched = clusterWith('watched', [eu], { monitoring: 'prometheus-operator' });
    const built = build([
      eu,
      watched,
      policy('ledger', watched, { rpo: '1h', retention: { hourly: 24, daily: 7, weekly: 4, monthly: 12, yearly: 3 } }),
      policy('ledger-archive', watched, { rpo: '1d', retention: { daily: 7 } }),
    ]);
    const [rule] = rules(built.objects).filter((r) => r.metadata?.labels?.['restorable.dev/policy'] === 'ledger');
    const ownSchedules = schedules(built.objects)
      .filter((s) => s.metadata?.labels?.['restorable.dev/policy'] === 'ledger')
      .map((s) => String(s.metadata?.name));
    const otherSchedules = schedules(built.objects)
      .filter((s) => s.metadata?.labels?.['restorable.dev/policy'] !== 'ledger')
      .map((s) => String(s.metadata?.name));

    it('WHEN lowered THEN the model has no errors and the policy has five Schedules', () => {
      expect(errorCodes(built.diagnostics)).toEqual([]);
      expect(ownSchedules).toEqual(['ledger-hourly', 'ledger-daily', 'ledger-weekly', 'ledger-monthly', 'ledger-yearly']);
    });

    it('WHEN the stale alert is read THEN it takes the max of the newest success over ALL the policy schedules and none of another policy', () => {
      const stale = alert(rule, 'RestorableBackupStale');

      expect(stale.expr).toMatch(/^time\(\) - max\(velero_backup_last_successful_timestamp\{schedule=~"[^"]+"\}\) > \d+$/);
      const matcher = scheduleMatcher(stale.expr);
      for (const name of ownSchedules) expect(matcher.test(name), name).toBe(true);
      for (const name of otherSchedules) expect(matcher.test(name), name).toBe(false);
      expect(stale.labels?.['severity']).toBe('critical');
    });

    it('WHEN the absent, failed and partially failed alerts are read THEN they watch the same schedules with the metrics Velero exports', () => {
      const absent = alert(rule, 'RestorableBackupMetricAbsent');
      const failed = alert(rule, 'RestorableBackupFailed');
      const partial = alert(rule, 'RestorableBackupPartiallyFailed');

      expect(absent.expr).toMatch(/^absent\(velero_backup_last_successful_timestamp\{schedule=~"[^"]+"\}\)$/);
      expect(promSeconds(absent.for ?? '')).toBe(3600);
      expect(failed.expr).toMatch(/^increase\(velero_backup_failure_total\{schedule=~"[^"]+"\}\[\w+\]\) > 0$/);
      expect(partial.expr).toMatch(/^increase\(velero_backup_partial_failure_total\{schedule=~"[^"]+"\}\[\w+\]\) > 0$/);
      expect(partial.labels?.['severity']).toBe('warning');
      for (const expr of [absent.expr, failed.expr, partial.expr]) {
        const matcher = scheduleMatcher(expr);
        for (const name of ownSchedules) expect(matcher.test(name), name).toBe(true);
        for (const name of otherSchedules) expect(matcher.test(name), name).toBe(false);
      }
    });

    it('WHEN validated THEN every rule object passes the real PrometheusRule CRD and the project schema', () => {
      for (const object of rules(built.objects)) {
        expect(validateAgainstReferenceCrds(object)).toEqual([]);
        expect(validateObject(object)).toEqual([]);
      }
    });
  });

  const thresholds: [DurationString, number][] = [
    ['1m', 60 + 300],
    ['5m', 300 + 300],
    ['1h', 3600 + 360],
    ['90m', 5400 + 540],
    ['36h', 129_600 + 12_960],
    ['1d', 86_400 + 8640],
    ['2w', 1_209_600 + 120_960],
  ];
  for (const [rpo, expected] of thresholds) {
    it(`GIVEN an RPO of ${rpo} WHEN lowered THEN the stale threshold is the RPO plus a grace of 10% (at least 5 minutes) and every duration is valid`, () => {
      const watched = clusterWith('watched', [eu], { monitoring: 'prometheus-operator' });
      const { objects, diagnostics } = build([eu, watched, policy('app', watched, { rpo, retention: { hourly: 48, daily: 30 } })]);

      expect(errorCodes(diagnostics)).toEqual([]);
      const [rule] = rules(objects);
      const threshold = Number(/> (\d+)$/.exec(alert(rule, 'RestorableBackupStale').expr)?.[1]);
      expect(threshold).toBe(expected);
      expect(promSeconds(alert(rule, 'RestorableBackupMetricAbsent').for ?? '')).toBe(promSeconds(rpo));
      expect(validateAgainstReferenceCrds(rule)).toEqual([]);
    });
  }
});
