import path from 'node:path';
import { Command } from 'commander';
import { onPolicyLoaded, prefetchPolicies } from '../../loader/load.ts';
import { SynthCache } from '../../loader/synth-cache.ts';
import { hasErrors } from '../../model/diagnostic.ts';
import { manifestOf } from '../../output/manifest.ts';
import { writeTree } from '../../output/writer.ts';
import { clockOf } from '../clock.ts';
import { createProgress } from '../progress.ts';
import { formatDiagnostics, summarize } from '../report-text.ts';

/** `restorable synth [--policies DIR] [--out DIR]`: compile the policies into manifests. */
export function synthCommand(): Command {
  return new Command('synth')
    .description('compile policies into Kubernetes manifests; on errors exit 1 and leave the output untouched')
    .option('--policies <dir>', 'folder of the policy modules', 'policies')
    .option('--out <dir>', 'output folder (default: $CDK8S_OUTDIR or generated)')
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .option('--no-progress', 'never show progress')
    .action(async (options: { policies: string; out?: string; progress?: boolean }, command: Command) => {
      const outDir = options.out ?? process.env.CDK8S_OUTDIR ?? 'generated';
      const where = path.relative(process.cwd(), path.resolve(outDir)) || '.';
      const now = clockOf(command);
      const progress = createProgress({ flag: options.progress, label: 'synth' });
      try {
        // Unchanged inputs and an intact output: nothing to load, compile or write.
        progress.stage('checking inputs and output');
        const cache = SynthCache.open({ policiesDir: options.policies, outDir });
        const cached = await cache.lookup(now);
        if (cached) {
          progress.done();
          if (cached.diagnostics.length > 0) process.stderr.write(`${formatDiagnostics(cached.diagnostics)}\n`);
          process.stdout.write(`synth: ${where} is up to date (${cached.files} files)\n`);
          return;
        }
        progress.stage('loading policies', { done: 0, total: 0, unit: 'files' });
        onPolicyLoaded((loaded, total) => {
          progress.count(loaded, total);
          if (loaded === total) progress.stage('checking and compiling');
        });
        // The policy worker starts first and loads while this thread imports the compiler.
        prefetchPolicies(options.policies);
        const { compile } = await import('../../compile.ts');
        const compilation = await compile({ policiesDir: options.policies, now });
        onPolicyLoaded(undefined);
        progress.clear();
        if (compilation.diagnostics.length > 0) process.stderr.write(`${formatDiagnostics(compilation.diagnostics)}\n`);
        if (hasErrors(compilation.diagnostics)) {
          process.stderr.write(`synth failed: ${summarize(compilation.diagnostics)}; ${outDir} left unchanged\n`);
          process.exitCode = 1;
          return;
        }
        progress.stage('writing', { done: 0, total: compilation.files.size, unit: 'files' });
        const manifest = manifestOf(compilation.files);
        const result = await writeTree(outDir, compilation.files, { manifest, onFile: (done, total) => progress.count(done, total) });
        progress.done();
        await cache.store(compilation, now, manifest);
        process.stdout.write(
          result.changed
            ? `synth: wrote ${result.files} files to ${where}\n`
            : `synth: ${where} is up to date (${result.files} files)\n`,
        );
      } finally {
        onPolicyLoaded(undefined);
        progress.done();
      }
    });
}
