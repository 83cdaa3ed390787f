/**
 * The resolver: declarations in, the model out. Each declaration kind is resolved by its own module
 * in ./resolve/; this one removes duplicates, resolves the kinds in dependency order (clusters
 * before policies, policies before restore plans) and sorts every list by name.
 */
import { Cluster } from '../dsl/cluster.ts';
import type { Declaration } from '../dsl/declaration.ts';
import { Exemption } from '../dsl/exempt.ts';
import { GuardrailException, Guardrails } from '../dsl/guardrails.ts';
import { BackupPolicy } from '../dsl/policy.ts';
import { PreSyncBackup } from '../dsl/pre-sync-backup.ts';
import { RestorePlan } from '../dsl/restore-plan.ts';
import { Storage } from '../dsl/storage.ts';
import type { Diagnostic } from './diagnostic.ts';
import { resolveCluster } from './resolve/cluster.ts';
import { resolveExemption } from './resolve/exemption.ts';
import { at, readable } from './resolve/fields.ts';
import { resolveGuardrailException } from './resolve/guardrail-exception.ts';
import { resolveGuardrails } from './resolve/guardrails.ts';
import { reportNonFiniteNumbers } from './resolve/non-finite.ts';
import { resolvePolicy } from './resolve/policy.ts';
import { resolvePreSyncBackup } from './resolve/pre-sync-backup.ts';
import { resolveRestorePlans } from './resolve/restore-plan.ts';
import { resolveStorage } from './resolve/storage.ts';
import type { Model } from './types.ts';

/** The resolver's result: a model of everything that resolved, and what did not. */
export interface Resolution {
  readonly model: Model;
  readonly diagnostics: readonly Diagnostic[];
}

const byName = <T extends { readonly name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Resolves declarations into the model: references become names, defaults are applied, durations
 * parsed and tier schedules computed. Never throws on user input: what cannot be resolved becomes a
 * diagnostic, and the rest of the model is still built so every mistake is reported in one run.
 */
export function resolve(declarations: readonly Declaration[]): Resolution {
  const diagnostics: Diagnostic[] = [];
  const unique = dedupeByName(declarations, diagnostics).map(readable);
  const of = <T>(type: abstract new (...args: never[]) => T) => unique.filter((d): d is Declaration & T => d instanceof type);

  const storages = of(Storage).map((s) => resolveStorage(s, diagnostics));
  const clusters = of(Cluster).map((c) => resolveCluster(c, diagnostics));
  const clusterByName = new Map(clusters.map((c) => [c.name, c]));
  const policies = of(BackupPolicy).map((p) => resolvePolicy(p, clusterByName, diagnostics));
  const restorePlans = resolveRestorePlans(of(RestorePlan), policies, diagnostics);
  const guardrails = of(Guardrails).map((g) => resolveGuardrails(g, diagnostics));
  const preSyncBackups = of(PreSyncBackup).flatMap((b) => resolvePreSyncBackup(b, diagnostics));
  const exemptions = of(Exemption).map(resolveExemption);
  const guardrailExceptions = of(GuardrailException).flatMap((e) => resolveGuardrailException(e, diagnostics));
  for (const declaration of unique) reportNonFiniteNumbers(declaration, diagnostics);
  return {
    model: {
      clusters: clusters.sort(byName),
      storages: storages.sort(byName),
      policies: policies.sort(byName),
      restorePlans: restorePlans.sort(byName),
      guardrails: guardrails.sort((a, b) => byName({ name: a.environment }, { name: b.environment })),
      preSyncBackups: preSyncBackups.sort((a, b) => byName({ name: a.policy }, { name: b.policy })),
      exemptions: exemptions.sort((a, b) => byName({ name: `${a.namespace}/${a.cluster ?? ''}` }, { name: `${b.namespace}/${b.cluster ?? ''}` })),
      guardrailExceptions: guardrailExceptions.sort((a, b) => byName({ name: `${a.policy}/${a.guardrail}` }, { name: `${b.policy}/${b.guardrail}` })),
      sealedSecrets: [],
      certificates: [],
    },
    diagnostics,
  };
}

/**
 * Keeps the first declaration of each kind and name, first by where it is written (file, line,
 * column), so which one DUP001 reports never depends on the order the policy files were loaded in.
 */
function dedupeByName(declarations: readonly Declaration[], diagnostics: Diagnostic[]): Declaration[] {
  const seen = new Map<string, Declaration>();
  const kept: Declaration[] = [];
  for (const declaration of [...declarations].sort(bySource)) {
    // An exemption is named after its namespace, which may be exempted once on each cluster.
    const scope = declaration instanceof Exemption ? `/${declaration.props.cluster ?? '*'}` : '';
    const key = `${declaration.kind}/${String(declaration.name)}${scope}`;
    const first = seen.get(key);
    if (first) {
      const where = first.source ? ` (first declared at ${first.source.file}:${first.source.line})` : '';
      diagnostics.push(
        at(declaration, 'name', {
          code: 'DUP001',
          ...(declaration instanceof Exemption
            ? {
                message: `namespace "${String(declaration.name)}" is exempted twice ${declaration.props.cluster ? `on cluster ${declaration.props.cluster}` : 'on every cluster'}${where}`,
                hint: 'keep one exemption per namespace and cluster (a namespace may carry one exemption on each cluster)',
              }
            : {
                message: `two ${declaration.kind} declarations are named "${String(declaration.name)}"${where}`,
                hint: 'give each declaration a unique name; generated object and file names derive from it',
              }),
        }),
      );
      continue;
    }
    seen.set(key, declaration);
    kept.push(declaration);
  }
  return kept;
}

/** Declarations in source order; those without a known source keep their order, after the others. */
function bySource(a: Declaration, b: Declaration): number {
  if (!a.source || !b.source) return (a.source ? 0 : 1) - (b.source ? 0 : 1);
  const file = a.source.file < b.source.file ? -1 : a.source.file > b.source.file ? 1 : 0;
  return file || a.source.line - b.source.line || a.source.column - b.source.column;
}
