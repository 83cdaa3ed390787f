import { Command, Option } from 'commander';
import { DiffError, renderMarkdown, runDiff } from '../../diff/index.ts';
import { stableJson } from '../../inventory/store.ts';
import { clockOf } from '../clock.ts';
import { UserError } from '../errors.ts';

const FORMATS = ['markdown', 'json'] as const;
const FAIL_ON = ['risk', 'review'] as const;

/**
 * `restorable diff --base REF [--head REF] [--policies DIR] [--generated DIR] [--format markdown|json] [--fail-on risk|review]`:
 * the protection changes between two versions of the policies, each classified safe, review or
 * risk, and what reaches the clusters in the generated manifests. Exit 0, or 1 when `--fail-on` finds a change of that class or worse; 2 for a wrong ref.
 */
export function diffCommand(): Command {
  return new Command('diff')
    .description('protection changes between the policies at two git refs (head: the working tree unless --head)')
    .requiredOption('--base <ref>', 'the base revision: a branch, tag, remote branch (origin/main) or commit id')
    .option('--head <ref>', 'the head revision (default: the policies in the working tree)')
    .option('--policies <dir>', 'folder of the policy modules, inside the repository', 'policies')
    .option('--generated <dir>', 'the output folder synth writes, committed in the repository (default: generated next to the policies folder)')
    .addOption(new Option('--format <format>', 'report format').choices(FORMATS).default('markdown'))
    .addOption(new Option('--fail-on <class>', 'exit 1 when a change of this class (or, for review, a risk) exists').choices(FAIL_ON))
    .action(async (options: { base: string; head?: string; policies: string; generated?: string; format: (typeof FORMATS)[number]; failOn?: (typeof FAIL_ON)[number] }, command: Command) => {
      let report: Awaited<ReturnType<typeof runDiff>>;
      try {
        report = await runDiff({ base: options.base, head: options.head, policiesDir: options.policies, ...(options.generated ? { generatedDir: options.generated } : {}), now: clockOf(command) });
      } catch (error) {
        if (error instanceof DiffError) throw new UserError(error.message, error.exitCode);
        throw error;
      }
      process.stdout.write(options.format === 'json' ? stableJson(report) : renderMarkdown(report));
      const failing =
        (options.failOn === 'risk' && report.summary.risk > 0) || (options.failOn === 'review' && report.summary.risk + report.summary.review > 0);
      process.exitCode = failing ? 1 : 0;
    });
}
