import type { Diagnostic } from '../model/diagnostic.ts';
import type { Model } from '../model/types.ts';
import type { Rule } from './rule.ts';

/**
 * SEC012: access (a policy's, and a cluster's `viewers`) names people, never everyone: each entry is `group:<name>` or `user:<name>`, and
 * Kubernetes' system groups and users (`system:authenticated`, `system:serviceaccounts`, ...) are refused.
 */
export const accessRule: Rule = {
  family: 'security',
  check(model: Model): Diagnostic[] {
    const found: Diagnostic[] = [];
    const subjects = [
      ...model.policies.flatMap((policy) => (['view', 'restore', 'backup'] as const).flatMap((right) => policy.access[right].map((subject, index) => ({ subject, right, declaration: policy.name, path: `access.${right}[${index}]`, source: policy.source })))),
      ...model.clusters.flatMap((cluster) => cluster.viewers.map((subject, index) => ({ subject, right: 'view' as const, declaration: cluster.name, path: `viewers[${index}]`, source: cluster.source }))),
    ];
    for (const { subject, right, declaration, path, source } of subjects) {
      const match = /^(group|user):(.+)$/.exec(subject);
      const problem = !match
        ? `expected 'group:<name>' or 'user:<name>', got ${JSON.stringify(subject)}`
        : match[2]!.startsWith('system:')
          ? `"${match[2]}" is a Kubernetes system ${match[1]}: it would grant ${right} access to every matching identity`
          : undefined;
      if (problem) {
        found.push({ code: 'SEC012', severity: 'error', message: problem, hint: "bind named groups of people, e.g. 'group:payments-oncall'", declaration, path, source });
      }
    }
    return found;
  },
};
