import type { VerifyCheck } from '../dsl/apps/profile.ts';
import { Cluster } from '../dsl/cluster.ts';
import { BackupPolicy } from '../dsl/policy.ts';
import type { RestorePlan, RestoreStep } from '../dsl/restore-plan.ts';
import type { Diagnostic } from './diagnostic.ts';
import { type Duration, humanDuration } from './duration.ts';
import { parseQuantity } from './quantity.ts';
import { estimateRestoreSeconds } from './restore-estimate.ts';
import type { CheckModel, PolicyModel, RestorePlanModel, RestoreStepModel } from './types.ts';

type At = (path: string, d: Pick<Diagnostic, 'code' | 'message' | 'hint'>) => Diagnostic;

/** What a data-only restore brings back: volumes, and the Secrets and ConfigMaps Git does not hold. */
const DATA_ONLY_RESOURCES = ['namespaces', 'persistentvolumeclaims', 'persistentvolumes', 'secrets', 'configmaps'];

/**
 * What a full restore brings back first, without a label selector: everything a pod needs before it
 * starts (its configuration, identity, rights and quotas) and its volumes. A step with a selector
 * restores only labelled objects (and the claims of the pods it restores), so an unlabelled Secret,
 * ServiceAccount or Role, or the claim of a StatefulSet scaled to zero, would otherwise never come back.
 */
export const CONFIG_AND_STORAGE_RESOURCES = [
  'namespaces',
  'serviceaccounts',
  'secrets',
  'configmaps',
  'limitranges',
  'resourcequotas',
  'roles.rbac.authorization.k8s.io',
  'rolebindings.rbac.authorization.k8s.io',
  'persistentvolumeclaims',
  'persistentvolumes',
];

/** Restore hooks get the estimated restore time (or the RTO) times this, rounded up to whole minutes. */
export const HOOK_TIMEOUT_MARGIN = 1.5;

/**
 * Resolves a restore plan: its policies, the complete namespace mapping, ordered steps (a DAG,
 * sorted topologically; cycles and unknown steps are diagnostics) and the checks to run.
 */
export function resolveRestorePlan(
  plan: RestorePlan,
  policies: ReadonlyMap<string, PolicyModel>,
  at: At,
  parse: (path: string, value: unknown) => Duration | undefined,
  diagnostics: Diagnostic[],
): RestorePlanModel {
  const p = plan.props;
  const declared = (Array.isArray(p.from) ? p.from : [p.from]) as readonly unknown[];
  const from = declared.flatMap((source, index) => {
    if (source instanceof BackupPolicy) return [source.name];
    diagnostics.push(
      at(Array.isArray(p.from) ? `from[${index}]` : 'from', {
        code: 'REF004',
        message: `expected a backup policy, got ${describeValue(source)}`,
        hint: 'pass values made by backupPolicy()',
      }),
    );
    return [];
  });
  if (!(p.to instanceof Cluster)) {
    diagnostics.push(at('to', { code: 'REF001', message: `expected a cluster declaration, got ${describeValue(p.to)}`, hint: 'pass a value made by cluster()' }));
  }
  const sources = from.map((name) => policies.get(name)).filter((x): x is PolicyModel => x !== undefined);
  const declaredMapping = { ...(p.namespaceMapping ?? {}) };
  const namespaceMapping: Record<string, string> = {};
  for (const namespace of sources.flatMap((s) => s.namespaces)) namespaceMapping[namespace] = declaredMapping[namespace] ?? namespace;
  const dataSizeBytes = p.dataSize === undefined ? undefined : parseQuantity(p.dataSize);
  if (p.dataSize !== undefined && dataSizeBytes === undefined) {
    diagnostics.push(at('dataSize', { code: 'PLAN014', message: `expected a quantity such as '500Gi', got ${JSON.stringify(p.dataSize)}`, hint: 'write a number with a Kubernetes suffix: Ki, Mi, Gi, Ti or k, M, G, T' }));
  }
  const mode = p.mode ?? 'full';
  const rto = parse('rto', p.rto) ?? { text: String(p.rto), seconds: Number.NaN };
  const hookTimeout = hookTimeoutOf(dataSizeBytes === undefined ? undefined : estimateRestoreSeconds(dataSizeBytes, sources), rto.seconds);
  const steps = resolveSteps(p.order, sources, mode, hookTimeout.seconds, at, parse, diagnostics);
  const checks = resolveChecks([], sources, at, 'checks', diagnostics);
  const target = p.to instanceof Cluster ? p.to.name : '';
  const sameNamespaces = Object.entries(namespaceMapping).every(([source, mapped]) => source === mapped);
  const sameCluster = sources.every((s) => s.cluster === target);
  return {
    name: plan.name,
    from,
    to: target,
    scenario: p.scenario,
    mode,
    rto,
    namespaceMapping,
    declaredNamespaceMapping: declaredMapping,
    storageClassMapping: { ...(p.storageClassMapping ?? {}) },
    transforms: listOf(p.transforms),
    existingResources: p.existingResources ?? 'skip',
    pointInTime: p.pointInTime ?? 'latest',
    steps,
    dataSizeBytes,
    hookTimeout,
    secretsRecovery: p.secretsRecovery,
    // A SealedSecret opens only in the namespace (and usually under the name) it was sealed for, with
    // the key of the cluster it was sealed for.
    sealedSecrets: sameNamespaces && (sameCluster || p.secretsRecovery === 'sealing-key-restored-first') ? 'mark-managed' : 'leave-out',
    checks,
    drill: p.drill
      ? {
          every: p.drill.every,
          checks: [...checks, ...resolveChecks(listOf(p.drill.verify), sources, at, 'drill.verify', diagnostics, false)],
          exclude: listOf(p.drill.exclude).map((resource) => String(resource)),
          volumeData: sources.length === 0 || sources.some((s) => s.volumes !== 'none'),
        }
      : undefined,
    source: plan.source,
  };
}

/** The least time restore hooks get: the estimate, or the RTO without one, with a margin, in whole minutes. */
function hookTimeoutOf(estimate: number | undefined, rtoSeconds: number): RestorePlanModel['hookTimeout'] {
  const base = estimate ?? (Number.isFinite(rtoSeconds) ? rtoSeconds : 600);
  return { seconds: Math.ceil((HOOK_TIMEOUT_MARGIN * base) / 60) * 60, basis: estimate === undefined ? 'rto' : 'estimate' };
}

/**
 * The steps of a plan, in the order they run:
 * 1. per policy, a step that restores configuration and storage without a selector (in data-only
 *    mode, all the data: Velero restores no pods then, so no hook runs and nothing needs ordering);
 * 2. the declared steps (or one per app profile), topologically sorted, leaving out what step 1 did;
 * 3. per policy whose declared steps do not restore everything (each has a selector or a resource
 *    list), a last step that restores the rest: a plan never leaves part of its backup behind.
 */
function resolveSteps(
  order: readonly RestoreStep[] | undefined,
  sources: readonly PolicyModel[],
  mode: 'full' | 'data-only',
  hookFloorSeconds: number,
  at: At,
  parse: (path: string, value: unknown) => Duration | undefined,
  diagnostics: Diagnostic[],
): RestoreStepModel[] {
  const apps = new Map(sources.flatMap((s) => s.apps.map((app) => [app.name, { app, policy: s }] as const)));
  const declared: RestoreStep[] = order ? listOf(order).map(readableStep) : sources.flatMap((s) => s.apps.map((app): RestoreStep => ({ name: app.name })));
  const first = sources.map((s) => ({ policy: s, name: `${s.name}-config-storage` }));
  const names = new Set<string>(first.map((f) => f.name));
  declared.forEach((step, index) => {
    if (names.has(step.name)) {
      const automatic = first.some((f) => f.name === step.name);
      diagnostics.push(
        at(`order[${index}].name`, {
          code: 'PLAN004',
          message: automatic ? `step "${step.name}" has the name of the step that restores configuration and storage first` : `two steps are named "${step.name}"`,
          hint: 'name each step once',
        }),
      );
    }
    names.add(step.name);
  });
  declared.forEach((step, index) => {
    (step.after ?? []).forEach((dependency, d) => {
      if (!names.has(dependency)) {
        diagnostics.push(at(`order[${index}].after[${d}]`, { code: 'PLAN004', message: `step "${step.name}" waits for "${dependency}", which is not a step of this plan`, hint: `use one of: ${[...names].join(', ')}` }));
      }
    });
    if (step.from !== undefined && !(step.from instanceof BackupPolicy && sources.some((s) => s.name === step.from?.name))) {
      const named = step.from instanceof BackupPolicy ? `policy "${step.from.name}"` : describeValue(step.from);
      diagnostics.push(
        at(`order[${index}].from`, {
          code: 'PLAN004',
          message: `step "${step.name}" restores from ${named}, which is not one of the plan's policies (${sources.map((s) => s.name).join(', ') || 'none'})`,
          hint: 'add the policy to the plan\'s from:, or restore it in a plan of its own',
        }),
      );
    }
  });
  // A duplicate step is reported above; only the first of a name takes part in the order.
  const unique = declared.filter((step, index) => declared.findIndex((s) => s.name === step.name) === index && !first.some((f) => f.name === step.name));
  const sorted = topologicalOrder(unique);
  if (!sorted) {
    diagnostics.push(at('order', { code: 'PLAN003', message: `the restore order has a cycle: ${describeCycle(unique)}`, hint: 'remove one "after" so every step can start' }));
    return [];
  }
  const policyOf = (step: RestoreStep): PolicyModel | undefined =>
    step.from !== undefined ? sources.find((s) => step.from instanceof BackupPolicy && s.name === step.from.name) : (apps.get(step.name)?.policy ?? sources[0]);
  const steps: Omit<RestoreStepModel, 'index'>[] = first.map(({ policy, name }) => ({
    name,
    origin: 'config-and-storage',
    path: 'from',
    policy: policy.name,
    after: [],
    resources: mode === 'data-only' ? DATA_ONLY_RESOURCES : CONFIG_AND_STORAGE_RESOURCES,
    excludedResources: [],
    namespaces: [...policy.namespaces],
    hooks: [],
  }));
  if (mode === 'data-only') return steps.map((step, i) => ({ ...step, index: i + 1 }));
  for (const step of sorted) {
    const appEntry = apps.get(step.name);
    const policy = policyOf(step);
    const resources = [...(step.resources ?? [])];
    const position = declared.indexOf(step);
    steps.push({
      name: step.name,
      origin: 'declared',
      path: order ? `order[${position}]` : 'from',
      policy: policy?.name ?? '',
      after: step.after && step.after.length > 0 ? [...step.after] : first.filter((f) => f.policy === policy).map((f) => f.name),
      selector: step.selector ?? appEntry?.app.selector,
      resources,
      // A declared resource list is restored as declared; otherwise what the first step restored is left out.
      excludedResources: resources.length > 0 ? [] : CONFIG_AND_STORAGE_RESOURCES,
      namespaces: [...(policy?.namespaces ?? [])],
      hooks: (appEntry?.app.restore ?? []).map((hook, h) => {
        const raise = (declaredTimeout: Duration | undefined, fallback: number): Duration => {
          const seconds = Math.max(declaredTimeout?.seconds ?? fallback, hookFloorSeconds);
          return { text: humanDuration(seconds), seconds };
        };
        return {
          container: appEntry?.app.container,
          command: [...hook.command],
          waitTimeout: raise(parse(`order[${position}].hooks[${h}].waitTimeout`, hook.waitTimeout), 600),
          execTimeout: raise(parse(`order[${position}].hooks[${h}].execTimeout`, hook.execTimeout), 300),
        };
      }),
      hookSelector: appEntry?.app.selector,
    });
  }
  for (const policy of sources) {
    const own = sorted.filter((step) => policyOf(step) === policy);
    if (own.some((step) => !step.selector && !apps.get(step.name) && (step.resources ?? []).length === 0)) continue;
    const waitedFor = new Set(own.flatMap((step) => step.after ?? []));
    let name = `${policy.name}-rest`;
    for (let n = 2; names.has(name); n++) name = `${policy.name}-rest-${n}`;
    names.add(name);
    steps.push({
      name,
      origin: 'remainder',
      path: 'from',
      policy: policy.name,
      after: own.length > 0 ? own.filter((step) => !waitedFor.has(step.name)).map((step) => step.name) : first.filter((f) => f.policy === policy).map((f) => f.name),
      resources: [],
      excludedResources: CONFIG_AND_STORAGE_RESOURCES,
      namespaces: [...policy.namespaces],
      hooks: [],
    });
  }
  return steps.map((step, i) => ({ ...step, index: i + 1 }));
}

/** Kahn's algorithm, ties broken by declaration order; undefined on a cycle. */
function topologicalOrder(steps: readonly RestoreStep[]): RestoreStep[] | undefined {
  const known = new Set(steps.map((s) => s.name));
  const done = new Set<string>();
  const result: RestoreStep[] = [];
  while (result.length < steps.length) {
    const next = steps.find((s) => !done.has(s.name) && (s.after ?? []).every((d) => done.has(d) || !known.has(d)));
    if (!next) return undefined;
    done.add(next.name);
    result.push(next);
  }
  return result;
}

/** The first cycle found by a depth-first walk over every dependency, as `a -> b -> a`. */
function describeCycle(steps: readonly RestoreStep[]): string {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string | undefined => {
    if (state.get(name) === 'open') return [...path.slice(path.indexOf(name)), name].join(' -> ');
    if (state.get(name) === 'done' || !byName.has(name)) return undefined;
    state.set(name, 'open');
    path.push(name);
    for (const dependency of byName.get(name)?.after ?? []) {
      const found = visit(dependency);
      if (found) return found;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const step of steps) {
    const found = visit(step.name);
    if (found) return found;
  }
  return steps.map((s) => s.name).join(', ');
}

function resolveChecks(
  extra: readonly VerifyCheck[],
  sources: readonly PolicyModel[],
  at: At,
  path: string,
  diagnostics: Diagnostic[],
  fromApps = true,
): CheckModel[] {
  const apps = sources.flatMap((s) => s.apps.map((app) => ({ app, policy: s })));
  const withOwner = [
    ...(fromApps ? apps.flatMap(({ app, policy }) => app.verify.map((check) => ({ check, app, policy }))) : []),
    ...extra.map((check) => ({ check, app: undefined, policy: sources[0] })),
  ];
  return withOwner.flatMap(({ check, app, policy }, index): CheckModel[] => {
    if (!isRecord(check)) {
      diagnostics.push(at(`${path}[${index}]`, { code: 'PLAN015', message: `expected a check, got ${describeValue(check)}`, hint: 'make checks with commandCheck(), httpCheck() or sqlCheck()' }));
      return [];
    }
    const namespace = ('namespace' in check && check.namespace) || policy?.namespaces[0] || '';
    if (check.type === 'http') return [{ type: 'http', name: check.name, namespace, service: check.service, port: check.port, path: check.path }];
    if (check.type === 'command') {
      const selector = check.selector ?? app?.selector;
      if (!selector) {
        diagnostics.push(at(`${path}[${index}].selector`, { code: 'PLAN015', message: `check "${check.name}" does not say which pods it runs in`, hint: 'give the check a selector' }));
        return [];
      }
      if (!Array.isArray(check.command)) {
        diagnostics.push(at(`${path}[${index}]`, { code: 'PLAN015', message: `check "${check.name}" has no command to run`, hint: "write the command as an argument list, e.g. ['pg_isready']" }));
        return [];
      }
      return [{ type: 'exec', name: check.name, namespace, selector, container: check.container ?? app?.container, argv: [...check.command] }];
    }
    if (check.minRows !== undefined && !(Number.isInteger(check.minRows) && check.minRows >= 1)) {
      diagnostics.push(at(`${path}[${index}].minRows`, { code: 'PLAN015', message: `SQL check "${check.name}" has minRows ${JSON.stringify(check.minRows)}; expected a whole number of rows, at least 1`, hint: 'e.g. minRows: 1000, or leave it out to require one row' }));
      return [];
    }
    // Counted by the database, so the drill reads one number (never the rows themselves).
    const query = check.minRows === undefined ? check.query : `select count(*) from (${String(check.query).trim().replace(/;+$/, '')}) as restorable_rows`;
    const database = (check.app ? apps.find((a) => a.app.name === check.app) : apps.find((a) => a.app.engine === 'postgres' || a.app.engine === 'mysql'))?.app;
    const client =
      database?.engine === 'postgres'
        ? ['psql', '--no-psqlrc', '--tuples-only', '--no-align', `--username=${database.user ?? 'postgres'}`, `--dbname=${database.database ?? 'postgres'}`, '--command', query]
        : database?.engine === 'mysql'
          ? ['mysql', '--batch', '--skip-column-names', `--database=${database.database ?? ''}`, '--execute', query]
          : undefined;
    if (!database || !client) {
      diagnostics.push(at(`${path}[${index}]`, { code: 'PLAN015', message: `SQL check "${check.name}" needs a postgres or mysql app profile${check.app ? ` named "${check.app}"` : ''} in the plan's policies`, hint: 'add the database profile to the policy, or name it with { app }' }));
      return [];
    }
    const owner = apps.find((a) => a.app === database)?.policy;
    return [{ type: 'exec', name: check.name, namespace: owner?.namespaces[0] ?? namespace, selector: database.selector, container: database.container, argv: client, requireOutput: true, ...(check.minRows === undefined ? {} : { minRows: check.minRows }) }];
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A list as written; a single value where a list belongs is a list of that value, never spread into characters. */
function listOf<T>(value: readonly T[] | T | undefined): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}

/**
 * A restore step as the resolver reads it: anything but an object is a step without a name (which
 * PLAN017 reports), and `after` and `resources` are lists even when written as one value.
 */
function readableStep(step: unknown): RestoreStep {
  if (!isRecord(step)) return { name: '' };
  const declared = step as unknown as RestoreStep;
  return {
    ...declared,
    name: typeof declared.name === 'string' ? declared.name : '',
    after: declared.after === undefined ? undefined : listOf(declared.after),
    resources: declared.resources === undefined ? undefined : listOf(declared.resources),
  };
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined (an import that is not exported, or a circular import?)';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const kind = (value as { kind?: unknown }).kind;
  return typeof kind === 'string' ? `a ${kind} declaration` : 'an object';
}
