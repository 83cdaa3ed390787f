import type { Diagnostic } from '../model/diagnostic.ts';
import type { Model } from '../model/types.ts';
import type { PlacedObject } from '../output/layout.ts';
import { admissionRule } from './admission.ts';
import { argocdRule } from './argocd.ts';
import { aboutObject } from './object-diagnostic.ts';
import type { ObjectRule } from './object-rule.ts';

export type { ObjectRule } from './object-rule.ts';

type Json = Record<string, unknown>;

const field = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((current, key) => (current && typeof current === 'object' ? (current as Json)[key] : undefined), value);

/** Labels Argo CD uses to track what it owns; copied onto Backups, they make Argo CD prune backups. */
const TRACKING_LABEL = /^(app\.kubernetes\.io\/instance|argocd\.argoproj\.io\/.*)$/;


/** VEL001-VEL007: Velero object hygiene. */
export const veleroHygieneRule: ObjectRule = {
  family: 'velero',
  check(objects, model) {
    const found: Diagnostic[] = [];
    const veleroNamespace = new Map(model.clusters.map((c) => [c.name, c.veleroNamespace]));
    const defaults = new Map<string, number>();
    const snapshotDrivers = new Map<string, string>();
    for (const placed of objects) {
      const o = placed.object;
      if (String(o.apiVersion).startsWith('velero.io/') && field(o, 'metadata', 'namespace') !== veleroNamespace.get(placed.cluster)) {
        found.push(aboutObject(placed, { code: 'VEL005', message: `is not in the Velero namespace "${veleroNamespace.get(placed.cluster)}"`, hint: 'Velero only reads its objects from its own namespace' }));
      }
      if (o.kind === 'Schedule') {
        const template = field(o, 'spec', 'template') as Json | undefined;
        const templateLabels = field(template, 'metadata', 'labels') as Json | undefined;
        if (!templateLabels || Object.keys(templateLabels).length === 0) {
          found.push(aboutObject(placed, { code: 'VEL001', message: 'spec.template.metadata.labels is not set, so Velero copies the Schedule\'s own labels (Argo CD\'s tracking label among them) onto every Backup', hint: 'set template labels; Argo CD must never see Backups as its own' }));
        } else if (Object.keys(templateLabels).some((key) => TRACKING_LABEL.test(key))) {
          found.push(aboutObject(placed, { code: 'VEL001', message: 'spec.template.metadata.labels carries an Argo CD tracking label, which would make Argo CD prune the backups', hint: 'remove app.kubernetes.io/instance and argocd.argoproj.io/* from the template labels' }));
        }
        if (field(o, 'spec', 'useOwnerReferencesInBackup') !== undefined) {
          found.push(aboutObject(placed, { code: 'VEL002', message: 'sets useOwnerReferencesInBackup: deleting the Schedule would garbage-collect its Backups', hint: 'leave useOwnerReferencesInBackup unset' }));
        }
        if (field(template, 'labelSelector') && field(template, 'orLabelSelectors')) {
          found.push(aboutObject(placed, { code: 'VEL003', message: 'sets both labelSelector and orLabelSelectors; Velero rejects the backup', hint: 'use one of them' }));
        }
        const old = ['includedResources', 'excludedResources', 'includeClusterResources'].some((k) => field(template, k) !== undefined);
        const scoped = ['includedClusterScopedResources', 'excludedClusterScopedResources', 'includedNamespaceScopedResources', 'excludedNamespaceScopedResources'].some((k) => field(template, k) !== undefined);
        if (old && scoped) {
          found.push(aboutObject(placed, { code: 'VEL004', message: 'mixes the old resource filters with the scoped ones; Velero rejects the backup', hint: 'use either includedResources/excludedResources or the *ScopedResources filters' }));
        }
      }
      if (o.kind === 'BackupStorageLocation' && field(o, 'spec', 'default') === true) {
        defaults.set(placed.cluster, (defaults.get(placed.cluster) ?? 0) + 1);
        if ((defaults.get(placed.cluster) ?? 0) > 1) {
          found.push(aboutObject(placed, { code: 'VEL006', message: 'is a second default BackupStorageLocation; Velero flips the others and Argo CD fights it', hint: 'mark exactly one storage location as default per cluster' }));
        }
      }
      if (o.kind === 'VolumeSnapshotClass' && field(o, 'metadata', 'labels', 'velero.io/csi-volumesnapshot-class') === 'true') {
        const key = `${placed.cluster}/${String(o.driver)}`;
        const first = snapshotDrivers.get(key);
        if (first) {
          found.push(aboutObject(placed, { code: 'VEL007', message: `is a second Velero snapshot class for driver ${String(o.driver)} (first: ${first}); Velero cannot choose`, hint: 'declare one snapshot class per CSI driver' }));
        } else snapshotDrivers.set(key, String(field(o, 'metadata', 'name')));
      }
    }
    return found;
  },
};

/** Every object rule, run after lowering. */
export const OBJECT_RULES: readonly ObjectRule[] = [veleroHygieneRule, argocdRule, admissionRule];

/** Runs the object rules. */
export function checkObjects(objects: readonly PlacedObject[], model: Model, rules: readonly ObjectRule[] = OBJECT_RULES): Diagnostic[] {
  return rules.flatMap((rule) => rule.check(objects, model));
}
