import { Declaration } from './declaration.ts';
import type { DurationString } from './duration.ts';
import type { BackupPolicy } from './policy.ts';

/** Props of a pre-sync backup. */
export interface PreSyncBackupProps {
  /** Namespace the hook Job runs in: the team application's namespace. @default the policy's first namespace */
  readonly namespace?: string;
  /** How long the deploy waits for the backup. @default '30m' */
  readonly timeout?: DurationString;
}

/** A backup taken before every Argo CD sync of a team's application. */
export class PreSyncBackup extends Declaration<'preSyncBackup', PreSyncBackupProps & { readonly policy: BackupPolicy }> {
  /** @internal use preSyncBackup() */
  constructor(policy: BackupPolicy, props: PreSyncBackupProps) {
    super('preSyncBackup', policy?.name, { ...props, policy });
  }
}

/**
 * Emits an Argo CD PreSync hook into `generated/hooks/<policy>/`: a Job that creates a Velero Backup
 * from the policy's finest tier and waits until it completes, so every deploy of the app starts
 * from a fresh restore point. The team's own Application includes that folder.
 *
 * @example
 * export const ledgerPreSync = preSyncBackup(ledger);
 */
export function preSyncBackup(policy: BackupPolicy, props: PreSyncBackupProps = {}): PreSyncBackup {
  return new PreSyncBackup(policy, props);
}
