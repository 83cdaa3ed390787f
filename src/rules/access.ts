import type { Diagnostic } from '../model/diagnostic.ts';
import type { Model } from '../model/types.ts';
import type { Rule } from './rule.ts';

/**
 * SEC012: access names people, never everyone: each entry is `group:<name>` or `user:<name>`, and
 * Kubernetes' system groups and users (`system:authenticated`, `system:serviceaccounts`, ...) are refused.
 */
export const accessRule: Rule = {
  family: 'security',
  check(model: Model): Diagnostic[] {
    const found: Diagnostic[] = [];
    for (const policy of model.policies) {
      for (const right of ['view', 'restore', 'backup'] as const) {
        policy.access[right].forEach((subject, index) => {
          const match = /^(group|user):(.+)$/.exec(subject);
          const problem = !match
            ? `expected 'group:<name>' or 'user:<name>', got ${JSON.stringify(subject)}`
            : match[2]!.startsWith('system:')
              ? `"${match[2]}" is a Kubernetes system ${match[1]}: it would grant ${right} access to every matching identity`
              : undefined;
          if (problem) {
            found.push({
              code: 'SEC012',
              severity: 'error',
              message: problem,
              hint: "bind named groups of people, e.g. 'group:payments-oncall'",
              declaration: policy.name,
              path: `access.${right}[${index}]`,
              source: policy.source,
            });
          }
        });
      }
    }
    return found;
  },
};
