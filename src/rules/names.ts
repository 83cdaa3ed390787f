import type { Diagnostic } from '../model/diagnostic.ts';
import type { Model } from '../model/types.ts';
import { dnsLabelError, dnsSubdomainError } from './k8s-names.ts';
import type { Rule } from './rule.ts';

/**
 * Velero appends a 15-character timestamp (`-20260101020304`) to a Schedule's name to name each
 * Backup, and the name is copied into a label value capped at 63 characters.
 */
export const MAX_SCHEDULE_NAME = 48;

/**
 * NAME001: every declaration and namespace name is an RFC 1123 label, every snapshot class name an RFC
 * 1123 subdomain; NAME002: schedule names fit Velero's limits.
 */
export const namesRule: Rule = {
  family: 'names',
  check(model: Model): Diagnostic[] {
    const found: Diagnostic[] = [];
    const named = [
      ...model.clusters.map((d) => ({ kind: 'cluster', ...d })),
      ...model.storages.map((d) => ({ kind: 'storage', ...d })),
      ...model.policies.map((d) => ({ kind: 'policy', ...d })),
      ...model.restorePlans.map((d) => ({ kind: 'restore plan', ...d })),
    ];
    for (const d of named) {
      const error = dnsLabelError(d.name);
      if (error) {
        found.push({
          code: 'NAME001',
          severity: 'error',
          message: `${d.kind} name: ${error}`,
          hint: 'names become Kubernetes object names and file names; rename it, e.g. "payments-ledger"',
          declaration: String(d.name),
          path: 'name',
          source: d.source,
        });
      }
    }
    for (const cluster of model.clusters) {
      cluster.snapshotClasses.forEach((snapshotClass, index) => {
        // The class name is an object name and part of a file path: '../' in it would leave the output folder.
        const error = dnsSubdomainError(snapshotClass.name);
        if (error) {
          found.push({
            code: 'NAME001',
            severity: 'error',
            message: `snapshot class name: ${error}`,
            hint: "leave the name out (it defaults to velero-<driver>) or use lower-case letters, digits, '-' and '.'",
            declaration: cluster.name,
            path: `snapshotClasses[${index}].name`,
            source: cluster.source,
          });
        }
      });
      const error = dnsLabelError(cluster.veleroNamespace);
      if (error) {
        found.push({
          code: 'NAME001',
          severity: 'error',
          message: `veleroNamespace: ${error}`,
          hint: "the namespace Velero runs in, usually 'velero'",
          declaration: cluster.name,
          path: 'veleroNamespace',
          source: cluster.source,
        });
      }
    }
    for (const hook of model.preSyncBackups) {
      const error = dnsLabelError(hook.namespace);
      if (error) {
        found.push({
          code: 'NAME001',
          severity: 'error',
          message: `namespace: ${error}`,
          hint: 'the namespace of the application whose deploys the backup precedes',
          declaration: hook.policy,
          path: 'namespace',
          source: hook.source,
        });
      }
    }
    for (const policy of model.policies) {
      policy.namespaces.forEach((namespace, index) => {
        const error = dnsLabelError(namespace);
        if (error) {
          found.push({
            code: 'NAME001',
            severity: 'error',
            message: `namespace: ${error}`,
            hint: 'namespaces are RFC 1123 labels; check the spelling against `kubectl get namespaces`',
            declaration: policy.name,
            path: `namespaces[${index}]`,
            source: policy.source,
          });
        }
      });
      for (const schedule of policy.schedules) {
        if (schedule.name.length > MAX_SCHEDULE_NAME) {
          found.push({
            code: 'NAME002',
            severity: 'error',
            message: `schedule name "${schedule.name}" is ${schedule.name.length} characters; Velero allows at most ${MAX_SCHEDULE_NAME} (it appends a 15-character timestamp to name each backup, and label values stop at 63)`,
            hint: `shorten the policy name to at most ${MAX_SCHEDULE_NAME - schedule.tier.length - 1} characters`,
            declaration: policy.name,
            path: 'name',
            source: policy.source,
          });
        }
      }
    }
    return found;
  },
};
