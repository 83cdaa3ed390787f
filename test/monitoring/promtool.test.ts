/**
 * The expressions of restorable's alerts, evaluated by Prometheus itself: `promtool test rules` loads
 * the groups of the PrometheusRules restorable emits and replays synthetic series shaped like
 * Velero's (names and labels as Velero v1.18.1 exposes them; the real-systems tests check those
 * against a running Velero).
 *
 * promtool comes with Debian's `prometheus` package, which `.ci/run` installs. In CI (CI set) a
 * missing promtool fails this file; on a developer machine without it the file is skipped, so that
 * `npm test` needs nothing beyond Node.js (install the package to run it: `apt-get install prometheus`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IPrometheusRule, IPrometheusRuleRule } from '../../src/k8s/monitoring/index.ts';
import { lower } from '../../src/lower/index.ts';
import { resolve } from '../../src/model/resolve.ts';
import { declarationsOf, org } from '../foundation/fixtures.ts';

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
const hasPromtool = promtool.status === 0;

describe('promtool in CI', () => {
  it.runIf(process.env.CI)('GIVEN a CI run WHEN the rule tests need promtool THEN it is installed (.ci/run installs Debian\'s prometheus package)', () => {
    expect(promtool.error?.message ?? promtool.stderr, 'promtool --version').toBe('');
    expect(promtool.status).toBe(0);
  });
});

/** The example organisation's prod-eu with monitoring and a data-mover policy. */
function emittedRules(): IPrometheusRule[] {
  const o = org({
    prodEu: { monitoring: { operator: 'prometheus-operator', labels: { release: 'monitoring' }, namespace: 'monitoring' } },
    ledger: { volumes: 'snapshot-data-mover' },
  });
  const { model, diagnostics } = resolve(declarationsOf(o));
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return lower(model)
    .filter((p) => p.cluster === 'prod-eu' && p.object.kind === 'PrometheusRule')
    .map((p) => p.object as unknown as IPrometheusRule);
}

/** Expected alert annotations: the rule's templates with `{{ $labels.x }}` filled in, as Prometheus does. */
function annotationsOf(rule: IPrometheusRuleRule, labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(rule.annotations ?? {}).map(([k, v]) => [k, v.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => labels[name] ?? '')]));
}

interface Series {
  readonly series: string;
  readonly values: string;
}

interface AlertCase {
  readonly name: string;
  readonly alert: string;
  readonly input: readonly Series[];
  /** When to evaluate, e.g. `30m`. */
  readonly at: string;
  /** The series labels each firing alert carries (besides alertname and the rule's labels); empty: must not fire. */
  readonly firing: readonly Record<string, string>[];
}

const PROD_EU = { namespace: 'velero', pod: 'velero-6d4f' };
const NODE = { namespace: 'velero', pod: 'node-agent-x2', node: 'node-a' };

const CASES: readonly AlertCase[] = [
  {
    name: 'a location unavailable for 20 minutes fires',
    alert: 'RestorableStorageLocationUnavailable',
    input: [{ series: 'velero_backup_location_status_gauge{backup_location_name="eu-backups",namespace="velero",pod="velero-6d4f"}', values: '0x30' }],
    at: '20m',
    firing: [{ backup_location_name: 'eu-backups' }],
  },
  {
    name: 'a location unavailable for 10 minutes does not fire yet (Velero re-validates every minute)',
    alert: 'RestorableStorageLocationUnavailable',
    input: [{ series: 'velero_backup_location_status_gauge{backup_location_name="eu-backups"}', values: '1x20 0x10' }],
    at: '30m',
    firing: [],
  },
  {
    name: 'an available location does not fire, nor an unavailable one of another cluster',
    alert: 'RestorableStorageLocationUnavailable',
    input: [
      { series: 'velero_backup_location_status_gauge{backup_location_name="eu-backups"}', values: '1x30' },
      { series: 'velero_backup_location_status_gauge{backup_location_name="us-backups"}', values: '0x30' },
    ],
    at: '30m',
    firing: [],
  },
  {
    name: 'a failed restore of an initialised schedule fires',
    alert: 'RestorableRestoreFailed',
    input: [{ series: 'velero_restore_failed_total{schedule="ledger-hourly",namespace="velero",pod="velero-6d4f"}', values: '0x10 1x20' }],
    at: '20m',
    firing: [{ schedule: 'ledger-hourly', ...PROD_EU }],
  },
  {
    name: "the first failed restore of a series Velero never initialised (another cluster's schedule) fires",
    alert: 'RestorableRestoreFailed',
    input: [{ series: 'velero_restore_failed_total{schedule="ledger-daily",namespace="velero",pod="velero-6d4f"}', values: '_x10 1x20' }],
    at: '20m',
    firing: [{ schedule: 'ledger-daily', ...PROD_EU }],
  },
  {
    name: 'a restore that failed more than an hour ago no longer fires; restores that never failed never do',
    alert: 'RestorableRestoreFailed',
    input: [
      { series: 'velero_restore_failed_total{schedule="ledger-hourly"}', values: '0x5 1x100' },
      { series: 'velero_restore_failed_total{schedule=""}', values: '0x100' },
    ],
    at: '90m',
    firing: [],
  },
  {
    name: 'a partially failed restore fires',
    alert: 'RestorableRestorePartiallyFailed',
    input: [{ series: 'velero_restore_partial_failure_total{schedule="",namespace="velero",pod="velero-6d4f"}', values: '0x10 1x20' }],
    at: '15m',
    firing: [{ schedule: '', ...PROD_EU }],
  },
  {
    name: 'a failed data-mover upload fires, per node',
    alert: 'RestorableDataUploadFailed',
    input: [
      { series: 'podVolume_data_upload_failure_total{node="node-a",namespace="velero",pod="node-agent-x2"}', values: '0x10 2x20' },
      { series: 'podVolume_data_upload_failure_total{node="node-b",namespace="velero",pod="node-agent-y7"}', values: '0x30' },
    ],
    at: '15m',
    firing: [NODE],
  },
  {
    name: 'a failed data-mover download fires',
    alert: 'RestorableDataDownloadFailed',
    input: [{ series: 'podVolume_data_download_failure_total{node="node-a",namespace="velero",pod="node-agent-x2"}', values: '0x10 1x20' }],
    at: '15m',
    firing: [NODE],
  },
  {
    name: "a repository's first failed maintenance fires (Velero creates the series at the first failure)",
    alert: 'RestorableRepositoryMaintenanceFailed',
    input: [{ series: 'velero_repo_maintenance_failure_total{repository_name="payments-eu-backups-kopia-x7k2p",namespace="velero",pod="velero-6d4f"}', values: '_x10 1x20' }],
    at: '15m',
    firing: [{ repository_name: 'payments-eu-backups-kopia-x7k2p', ...PROD_EU }],
  },
  {
    name: 'successful maintenance does not fire',
    alert: 'RestorableRepositoryMaintenanceFailed',
    input: [{ series: 'velero_repo_maintenance_failure_total{repository_name="payments-eu-backups-kopia-x7k2p"}', values: '3x100' }],
    at: '90m',
    firing: [],
  },
];

let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'restorable-promtool-'));
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe.runIf(hasPromtool || process.env.CI)("restorable's alert expressions under promtool test rules", () => {
  it('GIVEN the emitted PrometheusRules WHEN promtool checks them THEN every rule parses', () => {
    const file = path.join(dir, 'check.yaml');
    fs.writeFileSync(file, yaml.dump({ groups: emittedRules().flatMap((r) => r.spec.groups ?? []) }));
    const out = execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('GIVEN synthetic Velero series WHEN promtool evaluates the platform alerts THEN each fires exactly when it should', () => {
    const rules = emittedRules();
    const platform = rules.find((r) => r.metadata.name === 'restorable-velero');
    expect(platform, 'the platform PrometheusRule').toBeDefined();
    const byAlert = new Map((platform!.spec.groups ?? []).flatMap((g) => g.rules ?? []).map((r) => [r.alert ?? '', r]));
    const rulesFile = path.join(dir, 'rules.yaml');
    fs.writeFileSync(rulesFile, yaml.dump({ groups: platform!.spec.groups }));
    const tests = CASES.map((c) => {
      const rule = byAlert.get(c.alert);
      if (!rule) throw new Error(`no alert ${c.alert} in the platform rule`);
      return {
        name: c.name,
        interval: '1m',
        input_series: c.input.map((s) => ({ series: s.series, values: s.values })),
        alert_rule_test: [
          {
            eval_time: c.at,
            alertname: c.alert,
            exp_alerts: c.firing.map((labels) => {
              // Prometheus drops labels with empty values (schedule="" is a backup of no schedule).
              const all = Object.fromEntries(Object.entries({ ...labels, ...(rule.labels ?? {}) }).filter(([, v]) => v !== ''));
              return { exp_labels: all, exp_annotations: annotationsOf(rule, all) };
            }),
          },
        ],
      };
    });
    const testFile = path.join(dir, 'tests.yaml');
    fs.writeFileSync(testFile, yaml.dump({ rule_files: [rulesFile], evaluation_interval: '1m', tests }));
    const run = spawnSync('promtool', ['test', 'rules', testFile], { encoding: 'utf8' });
    expect(`${run.stdout}${run.stderr}`).toContain('SUCCESS');
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
  });
});
