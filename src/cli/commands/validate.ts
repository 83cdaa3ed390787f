import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { loadInventories } from '../../inventory/load.ts';
import { INVENTORY_FOLDER } from '../../inventory/store.ts';
import { onPolicyLoaded, prefetchPolicies } from '../../loader/load.ts';
import type { Diagnostic } from '../../model/diagnostic.ts';
import { MANIFEST_PATH, manifestOf, serializeManifest } from '../../output/manifest.ts';
import { clusterObjectPath } from '../../output/layout.ts';
import { listFiles } from '../../output/writer.ts';
import { checkCoverage, coverageNotes } from '../../rules/coverage.ts';
import { isActive } from '../../rules/guardrail-exceptions.ts';
import { checkRestoreEstimates } from '../../rules/restore-plans.ts';
import { clockOf } from '../clock.ts';
import { typeCheckPolicies } from '../typecheck.ts';
import { createProgress } from '../progress.ts';
import { REPORT_FORMATS, type ReportFormat, renderReport } from '../report-formats.ts';

/**
 * `restorable validate`: compiles in memory, runs every rule, validates every object against its
 * schema (unknown fields are errors) and checks that the committed output equals a fresh synth.
 * Exit 0 clean, 1 errors (or warnings with --strict), 2 usage or internal errors.
 */
export function validateCommand(): Command {
  return new Command('validate')
    .description('check policies, restore plans and every generated object; compare with the committed output')
    .option('--policies <dir>', 'folder of the policy modules', 'policies')
    .option('--out <dir>', 'the committed output folder to compare with', 'generated')
    .addOption(new Option('--format <format>', 'report format').choices(REPORT_FORMATS).default('text'))
    .option('--strict', 'fail on warnings too')
    .option('--no-drift', 'do not compare with the committed output')
    .option('--no-typecheck', "do not report TypeScript's errors in the policy files")
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .option('--no-progress', 'never show progress')
    .action(async (options: { policies: string; out: string; format: ReportFormat; strict?: boolean; drift: boolean; typecheck: boolean; progress?: boolean }, command: Command) => {
      const progress = createProgress({ flag: options.progress, label: 'validate' });
      progress.stage('loading policies', { done: 0, total: 0, unit: 'files' });
      onPolicyLoaded((loaded, total) => {
        progress.count(loaded, total);
        if (loaded === total) progress.stage('checking and compiling');
      });
      // The policy worker loads while this thread imports the compiler and type-checks.
      prefetchPolicies(options.policies);
      // Loaded here, not at start-up: the other commands never need the compiler's schemas.
      const [{ compile }, { validateManifest }] = await Promise.all([import('../../compile.ts'), import('../../output/validate-manifests.ts')]);
      if (options.typecheck) progress.stage('type-checking policies');
      const typeErrors = options.typecheck ? await typeCheckPolicies(options.policies) : [];
      progress.stage('loading policies', { done: 0, total: 0, unit: 'files' });
      const compilation = await compile({ policiesDir: options.policies, now: clockOf(command) })
        .catch((error: unknown) => {
          progress.done();
          throw error;
        })
        .finally(() => onPolicyLoaded(undefined));
      const diagnostics: Diagnostic[] = [...compilation.diagnostics];
      diagnostics.push(...typeErrors);
      const checked = [
        ...compilation.objects.map((placed) => ({ file: clusterObjectPath(placed), cluster: placed.cluster, object: placed.object as Record<string, unknown> })),
        ...compilation.applications.map((a) => ({ file: a.path, cluster: a.path.split('/')[1] ?? '', object: a.object })),
      ];
      progress.stage('validating', { done: 0, total: checked.length, unit: 'objects' });
      for (const [index, placed] of checked.entries()) {
        progress.count(index + 1, checked.length);
        for (const error of validateManifest(placed.object)) {
          const metadata = placed.object.metadata as { name?: string; namespace?: string };
          diagnostics.push({
            code: 'SCHEMA001',
            severity: 'error',
            message: `${placed.file}: ${error}`,
            hint: 'the compiler produced an object its schema rejects: report this as a bug',
            declaration: placed.cluster,
            object: { apiVersion: String(placed.object.apiVersion), kind: String(placed.object.kind), namespace: metadata.namespace, name: String(metadata.name) },
          });
        }
      }
      progress.stage(`comparing with ${options.out}`);
      const drift = options.drift && compilation.files.size > 0 ? await driftOf(options.out, compilation.files) : undefined;
      if (drift) diagnostics.push(...drift.diagnostics);
      // Even with --no-drift: a credential committed by hand is exposed whatever the drift check says.
      // With it, only the files that differ from a fresh synth are read again (the rest were scanned rendered).
      if (compilation.files.size > 0) {
        const { scanCommittedOutput } = await import('../../rules/secret-hygiene.ts');
        diagnostics.push(...(await scanCommittedOutput(options.out, compilation.files, drift?.differing)));
      }
      // Coverage: the cluster inventories in <policies>/inventory/ against the policies (COV001-COV004, INV001).
      const inventories = await loadInventories(options.policies);
      diagnostics.push(...inventories.diagnostics, ...checkCoverage(compilation.model, inventories.inventories, clockOf(command)));
      // RTO estimates of plans without a declared data size, from the claims the inventories list (PLAN011).
      diagnostics.push(...checkRestoreEstimates(compilation.model, inventories.inventories));
      const m = compilation.model;
      const declarations = [...m.clusters, ...m.storages, ...m.policies, ...m.restorePlans].map((d) => d.name).sort();
      progress.done();
      const notes = coverageNotes(m, inventories.inventories, `${options.policies.replace(/\/+$/, '')}/${INVENTORY_FOLDER}`);
      const now = clockOf(command);
      const exceptions = m.guardrailExceptions.map((e) => ({ policy: e.policy, guardrail: e.guardrail, reason: e.reason, until: e.until, active: isActive(e, now), file: e.source?.file, line: e.source?.line }));
      const report = { diagnostics, declarations, objects: checked.length, notes, exceptions };
      process.stdout.write(renderReport(report, options.format));
      // GitHub annotates only the first findings of a step; the job summary shows them all.
      const summaryFile = process.env.GITHUB_STEP_SUMMARY;
      if (options.format === 'github' && summaryFile) appendFileSync(summaryFile, renderReport(report, 'markdown'));
      const failing = diagnostics.some((d) => d.severity === 'error' || (options.strict && d.severity === 'warning'));
      process.exitCode = failing ? 1 : 0;
    });
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * DRIFT001: files of the committed output that a fresh synth would add, change or remove, and
 * which committed files differ from it (changed or extra).
 */
async function driftOf(outDir: string, files: ReadonlyMap<string, string>): Promise<{ diagnostics: Diagnostic[]; differing: string[] }> {
  const expected = new Map(files);
  expected.set(MANIFEST_PATH, serializeManifest(manifestOf(files)));
  const onDisk = await listFiles(outDir);
  const changed: string[] = [];
  const differing: string[] = [];
  for (const [file, content] of expected) {
    // Synchronous: awaiting one read per file spends most of the time in the thread-pool round trips.
    const current = readIfPresent(path.join(outDir, file));
    if (current !== content) changed.push(current === undefined ? `missing ${file}` : `changed ${file}`);
    if (current !== undefined && current !== content) differing.push(file);
  }
  for (const file of onDisk) {
    if (expected.has(file)) continue;
    changed.push(`extra ${file}`);
    differing.push(file);
  }
  if (changed.length === 0) return { diagnostics: [], differing };
  const diagnostics: Diagnostic[] = [
    {
      code: 'DRIFT001',
      severity: 'error',
      message: `${outDir}/ differs from a fresh synth in ${changed.length} file(s): ${changed.slice(0, 10).join(', ')}${changed.length > 10 ? ', …' : ''}`,
      hint: 'run `npm run synth` and commit the result; never edit generated files by hand',
    },
  ];
  return { diagnostics, differing };
}
