import type { Diagnostic } from '../model/diagnostic.ts';
import { humanDuration } from '../model/duration.ts';
import { oldestRestorePoint } from '../model/tiers.ts';
import type { GuardrailsModel, Model, PolicyModel } from '../model/types.ts';
import type { Rule } from './rule.ts';

/**
 * GRD001-GRD006: every policy and cluster meets the guardrails of its cluster's environment (GRD004:
 * object lock declared, at least `minImmutableDays` long).
 * GRD009: every policy is restored by some restore plan where guardrails ask for it, and (a warning)
 * in the environment named `production` unless its guardrails turn it off.
 */
export const guardrailsRule: Rule = {
  family: 'guardrails',
  check(model: Model): Diagnostic[] {
    const found: Diagnostic[] = [];
    const byEnvironment = new Map(model.guardrails.map((g) => [g.environment, g]));
    const clusters = new Map(model.clusters.map((c) => [c.name, c]));
    const storages = new Map(model.storages.map((s) => [s.name, s]));
    for (const cluster of model.clusters) {
      const g = byEnvironment.get(cluster.environment);
      if (!g) {
        found.push({
          code: 'GRD006',
          severity: 'warning',
          message: `environment "${cluster.environment}" has no guardrails: nothing sets minimums for its policies`,
          hint: `declare guardrails('${cluster.environment}', { maxRpo: ..., minRetention: ... }) in policies/guardrails.ts`,
          declaration: cluster.name,
          path: 'environment',
          source: cluster.source,
        });
        continue;
      }
      cluster.snapshotClasses.forEach((snapshotClass, index) => {
        if (g.snapshotDeletionPolicy && snapshotClass.deletionPolicy !== g.snapshotDeletionPolicy) {
          found.push(
            violation(g, cluster.name, `snapshotClasses[${index}].deletionPolicy`, cluster.source, {
              code: 'GRD005',
              message: `snapshot class "${snapshotClass.name}" uses deletionPolicy ${snapshotClass.deletionPolicy}; ${g.environment} requires ${g.snapshotDeletionPolicy}`,
              hint: `set deletionPolicy: '${g.snapshotDeletionPolicy}' so deleting a snapshot object never deletes the snapshot data`,
            }),
          );
        }
      });
    }
    for (const policy of model.policies) {
      const cluster = clusters.get(policy.cluster);
      const g = cluster && byEnvironment.get(cluster.environment);
      if (cluster) found.push(...restorePlanRequired(model, policy, cluster.environment, g));
      if (!g) continue;
      if (g.maxRpo && policy.rpo.seconds > g.maxRpo.seconds) {
        found.push(
          violation(g, policy.name, 'rpo', policy.source, {
            code: 'GRD001',
            message: `RPO ${policy.rpo.text} is above the ${g.environment} maximum of ${g.maxRpo.text}`,
            hint: `set rpo to ${g.maxRpo.text} or less`,
          }),
        );
      }
      const oldest = oldestRestorePoint(policy.schedules);
      if (g.minRetention && oldest && oldest.seconds < g.minRetention.seconds) {
        found.push(
          violation(g, policy.name, 'retention', policy.source, {
            code: 'GRD002',
            message: `the oldest restore point is ${humanDuration(oldest.seconds)} old; ${g.environment} requires at least ${g.minRetention.text}`,
            hint: `keep more restore points, e.g. add daily: ${Math.ceil(g.minRetention.seconds / 86_400)}`,
          }),
        );
      }
      const storage = storages.get(policy.storage);
      if (!storage) continue;
      if (g.requireEncryption && !storage.encryption) {
        found.push(
          violation(g, storage.name, 'encryption', storage.source, {
            code: 'GRD003',
            message: `storage "${storage.name}" (written by policy "${policy.name}") declares no provider-side encryption; ${g.environment} requires it`,
            hint: 'declare encryption with a customer-managed key (S3: kmsKeyId, GCS: kmsKeyName, Azure: keyVaultKeyUri)',
          }),
        );
      }
      if (g.requireImmutableStorage && storage.immutableDays === undefined) {
        found.push(
          violation(g, storage.name, 'immutable', storage.source, {
            code: 'GRD004',
            message: `storage "${storage.name}" (written by policy "${policy.name}") declares no object lock; ${g.environment} requires immutable storage`,
            hint: 'enable object lock on the bucket and declare immutable: { days: N } (restorable checks the declaration, not the bucket)',
          }),
        );
      } else if (g.minImmutableDays !== undefined && storage.immutableDays !== undefined && storage.immutableDays < g.minImmutableDays) {
        found.push(
          violation(g, storage.name, 'immutable.days', storage.source, {
            code: 'GRD004',
            message: `storage "${storage.name}" (written by policy "${policy.name}") locks objects for ${storage.immutableDays} days; ${g.environment} requires at least ${g.minImmutableDays}`,
            hint: `lock the bucket for at least ${g.minImmutableDays} days and declare immutable: { days: ${g.minImmutableDays} } (or more: the longest TTL written there, STO009)`,
          }),
        );
      }
    }
    return dedupe(found);
  },
};

function violation(
  g: GuardrailsModel,
  declaration: string,
  path: string,
  source: Diagnostic['source'],
  d: Pick<Diagnostic, 'code' | 'message' | 'hint'>,
): Diagnostic {
  return { severity: 'error', declaration, path, source, ...d, hint: `${d.hint} (guardrails '${g.environment}')` };
}

function dedupe(found: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return found.filter((d) => {
    const key = `${d.code}|${d.declaration}|${d.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** GRD009: a policy no restore plan restores: its backups have never been shown to come back. */
function restorePlanRequired(model: Model, policy: PolicyModel, environment: string, g: GuardrailsModel | undefined): Diagnostic[] {
  const required = g?.requireRestorePlan ?? (environment === 'production' ? 'warning' : false);
  if (required === false || model.restorePlans.some((plan) => plan.from.includes(policy.name))) return [];
  return [
    {
      code: 'GRD009',
      severity: required === true ? 'error' : 'warning',
      message: `no restore plan restores policy "${policy.name}" in ${environment}: how its backups come back is written down nowhere and never rehearsed`,
      hint: `declare a restorePlan({ from: ${policy.name}, ... }), or, for a policy that needs none (a stateless service), a guardrailException(${policy.name}, { guardrail: 'requireRestorePlan', reason, until })${g ? ` (guardrails '${g.environment}')` : ''}`,
      declaration: policy.name,
      path: 'restorePlans',
      source: policy.source,
    },
  ];
}
