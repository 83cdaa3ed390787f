import type { Diagnostic } from '../model/diagnostic.ts';
import { parseDuration } from '../model/duration.ts';
import type { Model, PolicyModel } from '../model/types.ts';
import type { Rule } from './rule.ts';

/** A Kubernetes quantity (binary Ki..Ei, decimal k, M..E), as Velero parses each bound. */
const QUANTITY = String.raw`\d+(\.\d+)?([KMGTPE]i|[kMGTPE])?`;
const CAPACITY = new RegExp(`^\\s*(${QUANTITY})?\\s*,\\s*(${QUANTITY})?\\s*$`);

/**
 * APP001-APP004 and VOL001: application profiles and volume policies are well formed.
 */
export const appsRule: Rule = {
  family: 'apps',
  check(model: Model): Diagnostic[] {
    return model.policies.flatMap((policy) => [...checkApps(policy), ...checkVolumePolicies(policy)]);
  },
};

function checkApps(policy: PolicyModel): Diagnostic[] {
  const found: Diagnostic[] = [];
  const at = (path: string, d: Pick<Diagnostic, 'code' | 'message' | 'hint'>): Diagnostic => ({
    severity: 'error',
    declaration: policy.name,
    path,
    source: policy.source,
    ...d,
  });
  const names = new Set<string>();
  policy.apps.forEach((app, index) => {
    if (names.has(app.name)) {
      found.push(at(`apps[${index}].name`, { code: 'APP001', message: `two application profiles are named "${app.name}"`, hint: 'give each profile a distinct name: restore steps are ordered by it' }));
    }
    names.add(app.name);
    if (Object.keys(app.selector).length === 0) {
      found.push(at(`apps[${index}].selector`, { code: 'APP002', message: 'the selector is empty: the hooks would run in every pod of the namespaces', hint: "select the database pods, e.g. selector: { app: 'ledger-db' }" }));
    }
    const durations: [string, string][] = [
      [`apps[${index}].timeout`, app.hookTimeout],
      ...app.restore.flatMap((hook, h): [string, string][] => [
        [`apps[${index}].restore[${h}].waitTimeout`, hook.waitTimeout],
        [`apps[${index}].restore[${h}].execTimeout`, hook.execTimeout],
      ]),
    ];
    for (const [path, value] of durations) {
      if (!parseDuration(value)) {
        found.push(at(path, { code: 'APP003', message: `expected a duration such as '10m', got ${JSON.stringify(value)}`, hint: 'hooks need a finite timeout; a restore hook without one waits forever' }));
      }
    }
    [...app.pre, ...app.post, ...app.restore.map((hook) => hook.command)].forEach((command) => {
      if (command.length === 0 || command.some((arg) => typeof arg !== 'string')) {
        found.push(at(`apps[${index}]`, { code: 'APP004', message: 'a hook command must be a non-empty list of strings', hint: "write commands as argument lists, e.g. ['pg_dump', 'ledger']" }));
      }
    });
  });
  return found;
}

function checkVolumePolicies(policy: PolicyModel): Diagnostic[] {
  return policy.volumePolicies.flatMap((volumePolicy, index) => {
    const capacity = volumePolicy.conditions.capacity;
    if (capacity === undefined || CAPACITY.test(capacity)) return [];
    return [
      {
        code: 'VOL001',
        severity: 'error' as const,
        message: `capacity ${JSON.stringify(capacity)} is not a range 'min,max' of quantities`,
        hint: "write e.g. '0,10Gi' (up to 10Gi) or '500Gi,' (500Gi and more)",
        declaration: policy.name,
        path: `volumePolicies[${index}].conditions.capacity`,
        source: policy.source,
      },
    ];
  });
}
