import type { Diagnostic } from '../model/diagnostic.ts';
import { humanDuration } from '../model/duration.ts';
import type { Model, StorageModel } from '../model/types.ts';
import type { Rule } from './rule.ts';

const DAY = 86_400;

/**
 * STO009 (warning): a storage's object lock ends before the longest TTL of the backups its policies
 * write there: for the rest of their life anyone holding the credentials can delete them, so the
 * lock protects only the newest restore points. A longer lock does not stop Velero expiring backups
 * on time: velero-plugin-for-aws v1.14.3 deletes without a version id, which on a versioned bucket
 * adds a delete marker, and the locked version goes when its lock ends and the lifecycle rule runs.
 * STO010 (warning): a versioned bucket (declared `versioning`, or S3 object lock, which needs it)
 * without noncurrent-version expiry keeps every backup Velero deletes for ever.
 */
export const objectLockRule: Rule = {
  family: 'storage',
  check(model: Model): Diagnostic[] {
    const found: Diagnostic[] = [];
    for (const storage of model.storages) {
      const longest = longestTtl(model, storage);
      if (storage.immutableDays !== undefined && longest && storage.immutableDays * DAY < longest.seconds) {
        const days = Math.ceil(longest.seconds / DAY);
        found.push({
          code: 'STO009',
          severity: 'warning',
          message: `object lock of ${storage.immutableDays} days ends before the backups written here do: policy "${longest.policy}" keeps its ${longest.tier} backups for ${humanDuration(longest.seconds)}, and after ${storage.immutableDays} days anyone holding the credentials can delete them`,
          hint: `lock for at least ${days} days (immutable: { days: ${days} }); Velero still expires backups on time (its deletes leave delete markers on the versioned bucket), so also declare versioning: { noncurrentExpiryDays } for the lifecycle rule that removes the locked versions afterwards`,
          declaration: storage.name,
          path: 'immutable.days',
          source: storage.source,
        });
      }
      if (storage.versioned && storage.noncurrentExpiryDays === undefined) {
        const why = storage.immutableDays !== undefined && storage.provider === 'aws' ? 'object lock needs a versioned bucket, which' : 'a versioned bucket';
        found.push({
          code: 'STO010',
          severity: 'warning',
          message: `${why} keeps every backup Velero deletes as a noncurrent version, and no noncurrent-version expiry is declared: expired backups stay in the bucket for ever (cost, and data kept past its retention)`,
          hint: "add a lifecycle rule with NoncurrentVersionExpiration to the bucket and declare it: versioning: { noncurrentExpiryDays: 7 }",
          declaration: storage.name,
          path: 'versioning.noncurrentExpiryDays',
          source: storage.source,
        });
      }
    }
    return found;
  },
};

/** The longest TTL of the backups the policies write to a storage, with the policy and tier. */
function longestTtl(model: Model, storage: StorageModel): { seconds: number; policy: string; tier: string } | undefined {
  let longest: { seconds: number; policy: string; tier: string } | undefined;
  for (const policy of model.policies.filter((p) => p.storage === storage.name)) {
    for (const schedule of policy.schedules) {
      if (!longest || schedule.ttl.seconds > longest.seconds) longest = { seconds: schedule.ttl.seconds, policy: policy.name, tier: schedule.tier };
    }
  }
  return longest;
}
