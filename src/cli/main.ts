import { Command } from 'commander';
import { findClusterCertificate } from './commands/cluster-certificate.ts';
import { sealCommand } from './commands/seal.ts';
import { commitCommand } from './commands/commit.ts';
import { diffCommand } from './commands/diff.ts';
import { explainCommand } from './commands/explain.ts';
import { inventoryCommand } from './commands/inventory.ts';
import { synthCommand } from './commands/synth.ts';
import { validateCommand } from './commands/validate.ts';
import { reportError } from './errors.ts';

/** The `restorable` command line: one file per command under commands/. */
export function buildProgram(): Command {
  const program = new Command('restorable')
    .description('GitOps backup compiler for Kubernetes')
    .option('--verbose', 'show stack traces of errors')
    .option('--now <iso-time>', 'the clock for every time-dependent check')
    .showHelpAfterError()
    .exitOverride();
  for (const command of [
    synthCommand(),
    validateCommand(),
    sealCommand({ findClusterCertificate }),
    commitCommand(),
    inventoryCommand(),
    diffCommand(),
    explainCommand(),
  ]) {
    program.addCommand(command.exitOverride());
  }
  return program;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      return code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 2;
    }
    return reportError(error, argv.includes('--verbose'), (text) => process.stderr.write(`${text}\n`));
  }
}
