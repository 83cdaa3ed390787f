import type { Diagnostic } from '../model/diagnostic.ts';
import type { Model } from '../model/types.ts';
import type { Rule } from './rule.ts';

/**
 * IMG001: a cluster that runs generated jobs declares the image they run (never hard-coded by
 * restorable). GRD008: where guardrails require it, those images are pinned by digest.
 */
export const imagesRule: Rule = {
  family: 'images',
  check(model: Model): Diagnostic[] {
    const guardrails = new Map(model.guardrails.map((g) => [g.environment, g]));
    const unpinned: Diagnostic[] = model.clusters.flatMap((cluster) =>
      guardrails.get(cluster.environment)?.requireImageDigests
        ? Object.entries(cluster.images)
            .filter(([, image]) => !/@sha256:[0-9a-f]{64}$/.test(image))
            .map(([role, image]) => ({
              code: 'GRD008',
              severity: 'error' as const,
              message: `image ${image} is not pinned by digest; ${cluster.environment} requires digests`,
              hint: `write images.${role} as <image>@sha256:<digest> (look the digest up in your registry; never invent one)`,
              declaration: cluster.name,
              path: `images.${role}`,
              source: cluster.source,
            }))
        : [],
    );
    return [...unpinned, ...missingImages(model)];
  },
};

function missingImages(model: Model): Diagnostic[] {
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
}
