import type { Diagnostic } from '../model/diagnostic.ts';
import type { Model } from '../model/types.ts';
import type { Rule } from './rule.ts';

/** IMG001: a cluster that runs generated jobs declares the image they run (never hard-coded by restorable). */
export const imagesRule: Rule = {
  family: 'images',
  check(model: Model): Diagnostic[] {
    const clusters = new Map(model.clusters.map((c) => [c.name, c]));
    const policies = new Map(model.policies.map((p) => [p.name, p]));
    return model.preSyncBackups.flatMap((hook) => {
      const cluster = clusters.get(policies.get(hook.policy)?.cluster ?? '');
      if (!cluster || cluster.images.kubectl) return [];
      return [
        {
          code: 'IMG001',
          severity: 'error' as const,
          message: `the pre-sync backup of "${hook.policy}" runs a kubectl job, but cluster "${cluster.name}" declares no images.kubectl`,
          hint: `declare images: { kubectl: '<registry>/<image>:<tag>' } on cluster "${cluster.name}" (an image with kubectl and /bin/sh)`,
          declaration: hook.policy,
          path: 'preSyncBackup',
          source: hook.source,
        },
      ];
    });
  },
};
