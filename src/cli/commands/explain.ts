import { Command, Option } from 'commander';
import { explainNamespace, renderExplanation } from '../../explain/index.ts';
import { loadInventories } from '../../inventory/load.ts';
import { loadPolicies } from '../../loader/load.ts';
import { checkModel } from '../../rules/index.ts';
import { dnsLabelError } from '../../rules/k8s-names.ts';
import { portabilityRule } from '../../rules/portability.ts';
import { restorePlansRule } from '../../rules/restore-plans.ts';
import { clockOf } from '../clock.ts';
import { UserError } from '../errors.ts';

const FORMATS = ['text', 'json'] as const;

/**
 * `restorable explain NAMESPACE [--cluster C] [--policies DIR] [--format text|json]`: which policies
 * back a namespace up, their tiers, restore points and RPO, and the restore plans that bring it back
 * (runner command, drill, where the last drill result is recorded). Exit 0 when a policy certainly
 * backs it up, 1 when none does (or only a selector whose match cannot be checked), 2 on usage errors.
 */
export function explainCommand(): Command {
  return new Command('explain')
    .description('show what backs a namespace up, its restore points and RPO, and the restore plans that bring it back')
    .argument('<namespace>', 'the namespace to explain')
    .option('--cluster <name>', 'only this cluster')
    .option('--policies <dir>', 'folder of the policy modules', 'policies')
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('text'))
    .action(async (namespace: string, options: { cluster?: string; policies: string; format: (typeof FORMATS)[number] }, command: Command) => {
      const invalid = dnsLabelError(namespace);
      if (invalid) throw new UserError(`namespace: ${invalid}`, 2);
      const now = clockOf(command);
      const loaded = await loadPolicies(options.policies);
      const model = loaded.model;
      if (options.cluster !== undefined && !model.clusters.some((c) => c.name === options.cluster)) {
        const known = model.clusters.map((c) => c.name).join(', ') || 'none';
        throw new UserError(`--cluster: no cluster "${options.cluster}" is declared in ${options.policies} (declared: ${known})`, 2);
      }
      const inventories = await loadInventories(options.policies);
      const explanation = explainNamespace(model, {
        namespace,
        cluster: options.cluster,
        inventories: inventories.inventories,
        diagnostics: [...loaded.diagnostics, ...checkModel(model, { now }, [portabilityRule, restorePlansRule])],
        outDir: process.env.CDK8S_OUTDIR ?? 'generated',
      });
      process.stdout.write(options.format === 'json' ? `${JSON.stringify(explanation, null, 2)}\n` : renderExplanation(explanation));
      process.exitCode = explanation.protected ? 0 : 1;
    });
}
