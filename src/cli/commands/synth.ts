import path from 'node:path';
import { Command } from 'commander';
import { compile } from '../../compile.ts';
import { hasErrors } from '../../model/diagnostic.ts';
import { writeTree } from '../../output/writer.ts';
import { clockOf } from '../clock.ts';
import { formatDiagnostics, summarize } from '../report-text.ts';

/** `restorable synth [--policies DIR] [--out DIR]`: compile the policies into manifests. */
export function synthCommand(): Command {
  return new Command('synth')
    .description('compile policies into Kubernetes manifests; on errors exit 1 and leave the output untouched')
    .option('--policies <dir>', 'folder of the policy modules', 'policies')
    .option('--out <dir>', 'output folder (default: $CDK8S_OUTDIR or generated)')
    .action(async (options: { policies: string; out?: string }, command: Command) => {
      const outDir = options.out ?? process.env.CDK8S_OUTDIR ?? 'generated';
      const compilation = await compile({ policiesDir: options.policies, now: clockOf(command) });
      if (compilation.diagnostics.length > 0) process.stderr.write(`${formatDiagnostics(compilation.diagnostics)}\n`);
      if (hasErrors(compilation.diagnostics)) {
        process.stderr.write(`synth failed: ${summarize(compilation.diagnostics)}; ${outDir} left unchanged\n`);
        process.exitCode = 1;
        return;
      }
      const result = await writeTree(outDir, compilation.files);
      const where = path.relative(process.cwd(), path.resolve(outDir)) || '.';
      process.stdout.write(
        result.changed
          ? `synth: wrote ${result.files} files to ${where}\n`
          : `synth: ${where} is up to date (${result.files} files)\n`,
      );
    });
}
