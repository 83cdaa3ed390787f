import type { Diagnostic } from '../model/diagnostic.ts';
import { parseDuration } from '../model/duration.ts';
import { parseQuantity } from '../model/quantity.ts';
import type { Model, PolicyModel } from '../model/types.ts';
import type { Rule } from './rule.ts';

/** A Kubernetes quantity (binary Ki..Ei, decimal k, M..E), as Velero parses each bound. */
const QUANTITY = String.raw`\d+(\.\d+)?([KMGTPE]i|[kMGTPE])?`;
const CAPACITY = new RegExp(`^\\s*(${QUANTITY})?\\s*,\\s*(${QUANTITY})?\\s*$`);

/**
 * APP001-APP005 and VOL001: application profiles (APP005: a database's `dataSize`) and volume policies are well formed.
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
  policy.apps.forEach((declared, index) => {
    // Props arrive as the user wrote them: anything not made by a profile builder is reported, never dereferenced.
    const app: unknown = declared;
    if (!isRecord(app) || app.type !== 'app') {
      found.push(at(`apps[${index}]`, { code: 'APP004', message: `expected an application profile, got ${describe(app)}`, hint: 'make profiles with postgres(), mysql(), mongodb(), redis() or execHooks()' }));
      return;
    }
    if (names.has(String(app.name))) {
      found.push(at(`apps[${index}].name`, { code: 'APP001', message: `two application profiles are named "${String(app.name)}"`, hint: 'give each profile a distinct name: restore steps are ordered by it' }));
    }
    names.add(String(app.name));
    if (!isRecord(app.selector) || Object.keys(app.selector).length === 0) {
      found.push(at(`apps[${index}].selector`, { code: 'APP002', message: 'the selector is empty: the hooks would run in every pod of the namespaces', hint: "select the database pods, e.g. selector: { app: 'ledger-db' }" }));
    }
    const restore = listOf(app.restore).map((hook) => (isRecord(hook) ? hook : {}));
    const durations: [string, unknown][] = [
      [`apps[${index}].timeout`, app.hookTimeout],
      ...restore.flatMap((hook, h): [string, unknown][] => [
        [`apps[${index}].restore[${h}].waitTimeout`, hook.waitTimeout],
        [`apps[${index}].restore[${h}].execTimeout`, hook.execTimeout],
      ]),
    ];
    for (const [path, value] of durations) {
      if (!parseDuration(value)) {
        found.push(at(path, { code: 'APP003', message: `expected a duration such as '10m', got ${JSON.stringify(value)}`, hint: 'hooks need a finite timeout; a restore hook without one waits forever' }));
      }
    }
    if (isRecord(app.dump) && parseQuantity(app.dump.dataSize) === undefined) {
      found.push(at(`apps[${index}].dataSize`, { code: 'APP005', message: `expected a quantity such as '200Gi', got ${JSON.stringify(app.dump.dataSize)}`, hint: 'write the data size as a Kubernetes quantity: 500Mi, 200Gi, 1.5Ti' }));
    }
    [...listOf(app.pre), ...listOf(app.post), ...restore.map((hook) => hook.command)].forEach((command) => {
      if (!Array.isArray(command) || command.length === 0 || command.some((arg) => typeof arg !== 'string')) {
        found.push(at(`apps[${index}]`, { code: 'APP004', message: 'a hook command must be a non-empty list of strings', hint: "write commands as argument lists, e.g. ['pg_dump', 'ledger']" }));
      }
    });
  });
  return found;
}

function checkVolumePolicies(policy: PolicyModel): Diagnostic[] {
  return policy.volumePolicies.flatMap((declared, index) => {
    const volumePolicy: unknown = declared;
    const conditions = isRecord(volumePolicy) ? volumePolicy.conditions : undefined;
    if (!isRecord(conditions)) {
      return [
        {
          code: 'VOL001',
          severity: 'error' as const,
          message: `expected a volume policy { conditions, action }, got ${describe(volumePolicy)}`,
          hint: "write e.g. { conditions: { storageClass: ['scratch'] }, action: 'skip' }",
          declaration: policy.name,
          path: `volumePolicies[${index}]`,
          source: policy.source,
        },
      ];
    }
    const capacity = conditions.capacity;
    if (capacity === undefined || (typeof capacity === 'string' && CAPACITY.test(capacity))) return [];
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A list as written, or the one value given where a list was expected (so it is checked, not spread). */
function listOf(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : JSON.stringify(value);
}
