import type { Diagnostic } from '../model/diagnostic.ts';
import type { Model } from '../model/types.ts';
import type { Rule } from './rule.ts';

/** POL001: a policy selects something: namespaces or a label selector. */
export const scopeRule: Rule = {
  family: 'scope',
  check(model: Model): Diagnostic[] {
    return model.policies
      .filter((p) => p.namespaces.length === 0 && p.selector === undefined)
      .map((p) => ({
        code: 'POL001',
        severity: 'error' as const,
        message: 'selects nothing: neither namespaces nor a label selector is set',
        hint: "add namespaces: ['<namespace>'] or a selector",
        declaration: p.name,
        path: 'namespaces',
        source: p.source,
      }));
  },
};
