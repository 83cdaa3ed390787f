import { describe, expect, it } from 'vitest';
import { type IPodMonitor, type IPrometheusRule, PodMonitor, PrometheusRule, podMonitorSchema, prometheusRuleSchema } from '../../src/k8s/monitoring/index.ts';
import { validationErrors } from '../../src/k8s/validation.ts';
import { loadCrdValidator } from '../support/crd.ts';
import { describeKinds, setAt } from './kind-cases.ts';

const rules: IPrometheusRule = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PrometheusRule',
  metadata: {
    name: 'restorable-backups',
    namespace: 'monitoring',
    labels: { release: 'kube-prometheus-stack', 'app.kubernetes.io/managed-by': 'restorable' },
  },
  spec: {
    groups: [
      {
        name: 'restorable.backups',
        interval: '1m',
        limit: 0,
        labels: { team: 'platform' },
        rules: [
          {
            record: 'restorable:backup_last_success_age_seconds',
            expr: 'time() - velero_backup_last_successful_timestamp{schedule!=""}',
            labels: { source: 'velero' },
          },
          {
            alert: 'RestorableBackupTooOld',
            expr: 'restorable:backup_last_success_age_seconds{schedule="orders-daily"} > 26 * 3600',
            for: '15m',
            keep_firing_for: '5m',
            labels: { severity: 'critical' },
            annotations: {
              summary: 'No successful backup of {{ $labels.schedule }} for 26h',
              runbook_url: 'https://runbooks.example.com/restorable/backup-too-old',
            },
          },
        ],
      },
    ],
  },
};

const podMonitor: IPodMonitor = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PodMonitor',
  metadata: { name: 'restorable-velero-server', namespace: 'monitoring', labels: { release: 'kube-prometheus-stack' } },
  spec: {
    selector: { matchLabels: { deploy: 'velero' } },
    namespaceSelector: { matchNames: ['velero'] },
    podMetricsEndpoints: [{ port: 'metrics', path: '/metrics', interval: '30s', scrapeTimeout: '10s', honorLabels: false }],
    podTargetLabels: ['component'],
    jobLabel: 'component',
  },
};

describeKinds('monitoring.coreos.com/v1', [
  {
    kind: 'PodMonitor',
    crdFile: 'prometheus-operator/monitoring.coreos.com_podmonitors.yaml',
    schema: podMonitorSchema,
    examples: [podMonitor, { ...podMonitor, spec: { selector: { matchLabels: { name: 'node-agent' } } } }],
    modelValidate: (o) => new PodMonitor(o as IPodMonitor).validate(),
    misspelt: { parent: 'spec', field: 'podMetricEndpoints' },
    stringField: 'spec.jobLabel',
  },
  {
    kind: 'PrometheusRule',
    crdFile: 'prometheus-operator/monitoring.coreos.com_prometheusrules.yaml',
    schema: prometheusRuleSchema,
    examples: [rules],
    modelValidate: (o) => new PrometheusRule(o as IPrometheusRule).validate(),
    misspelt: { parent: 'spec', field: 'group' },
    stringField: 'metadata.name',
  },
]);

describe('monitoring.coreos.com/v1 PrometheusRule, specifics', () => {
  const crd = loadCrdValidator('prometheus-operator/monitoring.coreos.com_prometheusrules.yaml');

  it('GIVEN a misspelt rule field WHEN validated THEN both reject it at the rule path', () => {
    const bad = structuredClone(rules) as unknown as { spec: { groups: { rules: Record<string, unknown>[] }[] } };
    const rule = bad.spec.groups[0]?.rules[1];
    if (rule === undefined) throw new Error('example has no second rule');
    rule['keepFiringFor'] = '5m';
    expect(validationErrors(prometheusRuleSchema, bad)).toEqual(['spec.groups[0].rules[1]: unknown field "keepFiringFor"']);
    expect(crd(bad)).toEqual(['spec.groups[0].rules[1]: unknown field "keepFiringFor"']);
  });

  it('GIVEN a Go-style duration with a fraction WHEN validated THEN both reject the Prometheus duration', () => {
    const bad = setAt(rules, 'spec', { groups: [{ name: 'g', interval: '1.5m', rules: [] }] });
    const sentence =
      'spec.groups[0].interval: "1.5m" does not match the pattern "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"';
    expect(validationErrors(prometheusRuleSchema, bad)).toEqual([sentence]);
    expect(crd(bad)).toEqual([sentence]);
  });

  it('GIVEN an integer expr WHEN validated THEN the CRD (int-or-string) accepts it but the project schema wants PromQL text', () => {
    const bad = setAt(rules, 'spec', { groups: [{ name: 'g', rules: [{ record: 'one', expr: 1 }] }] });
    expect(crd(bad)).toEqual([]);
    expect(validationErrors(prometheusRuleSchema, bad)).toEqual(['spec.groups[0].rules[0].expr: expected string, got number']);
  });
});
