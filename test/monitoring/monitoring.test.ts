/**
 * Monitoring that the cluster's prometheus-operator really loads: rules and PodMonitors carry the
 * labels and go to the namespace the cluster declares; PodMonitors select the pods `velero install`
 * makes; the platform alerts follow what the cluster's policies use; bad declarations are MON001.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterProps } from '../../src/dsl/index.ts';
import type { IPodMonitor, IPrometheusRule } from '../../src/k8s/monitoring/index.ts';
import { validateObject } from '../../src/k8s/schema-registry.ts';
import { argocdObjects } from '../../src/lower/argocd.ts';
import { validateAgainstReferenceCrds } from '../support/crd.ts';
import { build, clusterWith, errorCodes, ofKind, policy, storage } from '../velero/support.ts';

const eu = storage('eu');
const release = { operator: 'prometheus-operator', labels: { release: 'kube-prometheus-stack' }, namespace: 'monitoring' } as const;

function monitored(monitoring: ClusterProps['monitoring'], volumes: 'csi-snapshot' | 'snapshot-data-mover' | 'filesystem' = 'csi-snapshot', extra: Partial<ClusterProps> = {}) {
  const watched = clusterWith('watched', [eu], { monitoring, ...extra });
  return build([eu, watched, policy('ledger', watched, { volumes })]);
}

const alertsOf = (rule: IPrometheusRule | undefined) => (rule?.spec.groups ?? []).flatMap((g) => g.rules ?? []).map((r) => r.alert);

describe('monitoring.labels and monitoring.namespace', () => {
  it('GIVEN an operator that selects release=kube-prometheus-stack in namespace monitoring WHEN lowered THEN every rule and PodMonitor is there with that label', () => {
    const { objects, diagnostics } = monitored(release, 'snapshot-data-mover');
    expect(errorCodes(diagnostics)).toEqual([]);
    const monitoring = [...ofKind<IPrometheusRule>(objects, 'PrometheusRule'), ...ofKind<IPodMonitor>(objects, 'PodMonitor')];
    expect(monitoring.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'PodMonitor/restorable-velero-node-agent',
      'PodMonitor/restorable-velero-server',
      'PrometheusRule/restorable-ledger',
      'PrometheusRule/restorable-velero',
    ]);
    for (const object of monitoring) {
      expect(object.metadata.namespace, object.metadata.name).toBe('monitoring');
      expect(object.metadata.labels, object.metadata.name).toMatchObject({ release: 'kube-prometheus-stack', 'app.kubernetes.io/managed-by': 'restorable' });
    }
  });

  it("GIVEN 'prometheus-operator' alone WHEN lowered THEN rules stay in the Velero namespace with restorable's labels only", () => {
    const { objects } = monitored('prometheus-operator', 'csi-snapshot', { veleroNamespace: 'backup' });
    const rule = ofKind<IPrometheusRule>(objects, 'PrometheusRule').find((r) => r.metadata.name === 'restorable-velero');
    expect(rule?.metadata).toEqual({ name: 'restorable-velero', namespace: 'backup', labels: { 'app.kubernetes.io/managed-by': 'restorable' }, annotations: expect.any(Object) });
  });

  it('GIVEN rules in another namespace WHEN the AppProject is computed THEN it admits that namespace and the PodMonitor kind', () => {
    const { model, objects } = monitored(release, 'csi-snapshot', { argocd: { repoURL: 'https://git.example/backups.git' } });
    const project = argocdObjects(model, objects).find((f) => f.path.includes('appproject'))?.object as { spec: { destinations: { namespace: string }[]; namespaceResourceWhitelist: { group: string; kind: string }[] } };
    expect(project.spec.destinations.map((d) => d.namespace)).toEqual(['monitoring', 'velero']);
    expect(project.spec.namespaceResourceWhitelist).toContainEqual({ group: 'monitoring.coreos.com', kind: 'PodMonitor' });
  });

  it.each([
    [{ operator: 'prometheus-operator', labels: { 'bad key!': 'x' } }, 'monitoring.labels.bad key!'],
    [{ operator: 'prometheus-operator', labels: { release: 'has spaces' } }, 'monitoring.labels.release'],
    [{ operator: 'prometheus-operator', labels: ['release'] }, 'monitoring.labels'],
    [{ operator: 'prometheus-operator', namespace: 'Monitoring' }, 'monitoring.namespace'],
    [{ operator: 'victoria-metrics' }, 'monitoring.operator'],
    ['prometheus', 'monitoring'],
  ])('GIVEN monitoring %j WHEN resolved THEN MON001 names the field %s and nothing is emitted', (declared, path) => {
    const { objects, diagnostics } = monitored(declared as unknown as ClusterProps['monitoring']);
    const found = diagnostics.filter((d) => d.code === 'MON001');
    expect(found.map((d) => [d.declaration, d.path, d.severity])).toEqual([['watched', path, 'error']]);
    expect(found[0]?.message).toMatch(/expected/);
    expect(found[0]?.hint).toBeTruthy();
    expect(ofKind(objects, 'PrometheusRule')).toEqual([]);
    expect(ofKind(objects, 'PodMonitor')).toEqual([]);
  });
});

describe('PodMonitors for Velero', () => {
  it('GIVEN CSI snapshots only WHEN lowered THEN only the server is scraped, on the metrics port of the pods velero install labels deploy=velero', () => {
    const { objects } = monitored(release);
    const monitors = ofKind<IPodMonitor>(objects, 'PodMonitor');
    expect(monitors.map((m) => [m.metadata.name, m.spec])).toEqual([
      ['restorable-velero-server', { selector: { matchLabels: { deploy: 'velero' } }, namespaceSelector: { matchNames: ['velero'] }, podMetricsEndpoints: [{ port: 'metrics', path: '/metrics' }] }],
    ]);
  });

  it.each(['snapshot-data-mover', 'filesystem'] as const)('GIVEN %s volumes WHEN lowered THEN the node-agent pods (name=node-agent) are scraped too', (volumes) => {
    const { objects } = monitored(release, volumes);
    const agent = ofKind<IPodMonitor>(objects, 'PodMonitor').find((m) => m.metadata.name === 'restorable-velero-node-agent');
    expect(agent?.spec.selector).toEqual({ matchLabels: { name: 'node-agent' } });
  });

  it('GIVEN every emitted monitoring object WHEN validated THEN the real CRDs and the project schemas accept it', () => {
    const { objects } = monitored(release, 'snapshot-data-mover');
    for (const placed of objects.filter((p) => String(p.object.apiVersion).startsWith('monitoring.coreos.com/'))) {
      expect(validateAgainstReferenceCrds(placed.object), String(placed.object.kind)).toEqual([]);
      expect(validateObject(placed.object), String(placed.object.kind)).toEqual([]);
    }
  });
});

describe('the Velero platform rule', () => {
  it('GIVEN CSI snapshots only WHEN lowered THEN it watches storage locations and restores, not the data mover or repositories', () => {
    const rule = ofKind<IPrometheusRule>(monitored(release).objects, 'PrometheusRule').find((r) => r.metadata.name === 'restorable-velero');
    expect(alertsOf(rule)).toEqual(['RestorableStorageLocationUnavailable', 'RestorableRestoreFailed', 'RestorableRestorePartiallyFailed']);
  });

  it('GIVEN the data mover WHEN lowered THEN data-mover uploads, downloads and repository maintenance are watched too', () => {
    const rule = ofKind<IPrometheusRule>(monitored(release, 'snapshot-data-mover').objects, 'PrometheusRule').find((r) => r.metadata.name === 'restorable-velero');
    expect(alertsOf(rule)).toEqual([
      'RestorableStorageLocationUnavailable',
      'RestorableRestoreFailed',
      'RestorableRestorePartiallyFailed',
      'RestorableDataUploadFailed',
      'RestorableDataDownloadFailed',
      'RestorableRepositoryMaintenanceFailed',
    ]);
  });

  it('GIVEN file-system backups WHEN lowered THEN repository maintenance is watched but there is no data mover to watch', () => {
    const rule = ofKind<IPrometheusRule>(monitored(release, 'filesystem').objects, 'PrometheusRule').find((r) => r.metadata.name === 'restorable-velero');
    expect(alertsOf(rule)).toContain('RestorableRepositoryMaintenanceFailed');
    expect(alertsOf(rule)).not.toContain('RestorableDataUploadFailed');
  });

  it("GIVEN a location name with a dot WHEN lowered THEN the storage-location alert matches that name only (the dot is escaped)", () => {
    const dotted = storage('eu.backups');
    const watched = clusterWith('watched', [dotted], { monitoring: release });
    const rule = ofKind<IPrometheusRule>(build([dotted, watched, policy('ledger', watched, { storage: dotted })]).objects, 'PrometheusRule').find((r) => r.metadata.name === 'restorable-velero');
    const expr = rule?.spec.groups?.[0]?.rules?.[0]?.expr ?? '';
    expect(expr).toContain('backup_location_name=~"eu\\\\.backups"');
  });
});
