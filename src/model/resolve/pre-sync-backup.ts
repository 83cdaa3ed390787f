/** Resolves a pre-sync backup: the policy it runs, the namespace its hook Job runs in, its timeout. */
import { BackupPolicy } from '../../dsl/policy.ts';
import type { PreSyncBackup } from '../../dsl/pre-sync-backup.ts';
import type { Diagnostic } from '../diagnostic.ts';
import type { PreSyncBackupModel } from '../types.ts';
import { at, describe, duration } from './fields.ts';

/**
 * A pre-sync backup as the model holds it (a list of one, or none when it cannot be resolved):
 * REF004 for a policy that is not a backup policy, REF005 when there is no namespace to run in.
 */
export function resolvePreSyncBackup(backup: PreSyncBackup, diagnostics: Diagnostic[]): PreSyncBackupModel[] {
  const { policy, namespace, timeout } = backup.props;
  if (!(policy instanceof BackupPolicy)) {
    diagnostics.push(
      at(backup, 'policy', {
        code: 'REF004',
        message: `expected a backup policy, got ${describe(policy)}`,
        hint: 'pass a value made by backupPolicy()',
      }),
    );
    return [];
  }
  const target = namespace ?? policy.props.namespaces?.[0];
  if (!target) {
    diagnostics.push(
      at(backup, 'namespace', {
        code: 'REF005',
        message: 'the policy selects no namespace, so the hook Job has none to run in',
        hint: "set namespace: '<the application namespace>'",
      }),
    );
    return [];
  }
  const parsed = duration(backup, 'timeout', timeout ?? '30m', diagnostics);
  return parsed ? [{ policy: policy.name, namespace: target, timeout: parsed, source: backup.source }] : [];
}
