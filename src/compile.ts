import { argocdObjects } from './lower/argocd.ts';
import { lower } from './lower/index.ts';
import { runbookFiles } from './lower/restore/runbook.ts';
import { type ClockVerdict, noticingClockReads } from './loader/clock-rules.ts';
import { loadPolicies } from './loader/load.ts';
import { loadCertificates, loadSealedSecrets } from './loader/sealed.ts';
import { type Diagnostic, hasErrors } from './model/diagnostic.ts';
import type { Model } from './model/types.ts';
import { clusterObjectPath, type PlacedObject } from './output/layout.ts';
import type { JsonValue } from './output/normalize.ts';
import { toYaml } from './output/yaml.ts';
import { checkRenderedFiles } from './rules/argocd.ts';
import { checkModel, RULES } from './rules/index.ts';
import { checkObjects } from './rules/objects.ts';
import { checkNoPlainSecrets, policyFolderFiles, scanForCredentials } from './rules/secret-hygiene.ts';

/** Options of one compilation. */
export interface CompileOptions {
  /** Folder of the policy modules. */
  readonly policiesDir: string;
  /** Time limit for loading the policy modules. */
  readonly loadTimeoutMs?: number;
  /** The clock of every time-dependent check (`--now`). @default the current time */
  readonly now?: Date;
}

/** The result of compiling policies: the model, every diagnostic and, without errors, the files. */
export interface Compilation {
  readonly model: Model;
  readonly diagnostics: readonly Diagnostic[];
  readonly objects: readonly PlacedObject[];
  /** Argo CD Applications and AppProjects, outside the cluster folders. */
  readonly applications: readonly { readonly path: string; readonly object: Record<string, unknown> }[];
  /** Output files (relative posix path to content); empty when there are errors. */
  readonly files: ReadonlyMap<string, string>;
  readonly policyFiles: readonly string[];
  /** The rules that read the clock, with what they found (what the synth cache runs again on a hit). */
  readonly clockRules: readonly ClockVerdict[];
}

/**
 * The pipeline: load -> resolve -> check -> lower -> render. Pure apart from reading the policies;
 * nothing is written. Errors in any stage leave `files` empty.
 */
export async function compile(options: CompileOptions): Promise<Compilation> {
  const loaded = await loadPolicies(options.policiesDir, options.loadTimeoutMs);
  const sealed = await loadSealedSecrets(options.policiesDir, loaded.model.clusters);
  const model: Model = {
    ...loaded.model,
    sealedSecrets: sealed.sealedSecrets,
    certificates: await loadCertificates(options.policiesDir, loaded.model.clusters),
  };
  const clockRules: ClockVerdict[] = [];
  const diagnostics: Diagnostic[] = [
    ...loaded.diagnostics,
    ...sealed.diagnostics,
    ...checkModel(model, { now: options.now ?? new Date() }, noticingClockReads(RULES, clockRules)),
  ];
  for (const file of loaded.emptyFiles) {
    diagnostics.push({
      code: 'LOAD001',
      severity: 'warning',
      message: 'exports no declaration (cluster, storage, backupPolicy, restorePlan or guardrails)',
      hint: 'export the values your builders return, e.g. `export const ledger = backupPolicy(...)`',
      source: { file, line: 1, column: 1 },
    });
  }
  if (hasErrors(diagnostics)) {
    return { model, diagnostics, objects: [], applications: [], files: new Map(), policyFiles: loaded.files, clockRules };
  }
  const objects = lower(model);
  diagnostics.push(...checkObjects(objects, model), ...checkNoPlainSecrets(objects));
  const files = render(objects);
  const applications = argocdObjects(model, objects) as unknown as Compilation['applications'];
  for (const file of applications) files.set(file.path, toYaml(file.object as JsonValue));
  for (const [path, content] of runbookFiles(model)) files.set(path, content);
  diagnostics.push(...checkRenderedFiles(files, model), ...(await scanForCredentials(await policyFolderFiles(options.policiesDir, loaded.files), files)));
  if (hasErrors(diagnostics)) {
    return { model, diagnostics, objects, applications, files: new Map(), policyFiles: loaded.files, clockRules };
  }
  return { model, diagnostics, objects, applications, files, policyFiles: loaded.files, clockRules };
}

/** Renders placed objects into files, one object per file. */
export function render(objects: readonly PlacedObject[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const placed of objects) {
    const file = clusterObjectPath(placed);
    if (files.has(file)) throw new Error(`internal error: two objects would be written to ${file}`);
    files.set(file, toYaml(placed.object));
  }
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
