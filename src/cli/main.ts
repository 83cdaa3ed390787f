import { Command } from 'commander';
import { reportError } from './errors.ts';

/** How each command's module is loaded, by command name. */
export type CommandLoaders = Readonly<Record<string, () => Promise<Command>>>;

/**
 * Every command, one module each under commands/, imported only when needed: `restorable commit`
 * need not load the compiler, the schema validators or the diff engine.
 */
const COMMANDS: CommandLoaders = {
  synth: async () => (await import('./commands/synth.ts')).synthCommand(),
  validate: async () => (await import('./commands/validate.ts')).validateCommand(),
  seal: async () => {
    const [{ sealCommand }, { findClusterCertificate }] = await Promise.all([import('./commands/seal.ts'), import('./commands/cluster-certificate.ts')]);
    return sealCommand({ findClusterCertificate });
  },
  commit: async () => (await import('./commands/commit.ts')).commitCommand(),
  inventory: async () => (await import('./commands/inventory.ts')).inventoryCommand(),
  diff: async () => (await import('./commands/diff.ts')).diffCommand(),
  explain: async () => (await import('./commands/explain.ts')).explainCommand(),
};

/** The command `argv` runs: its first word that is not an option, when that names a command. */
function requestedCommand(argv: readonly string[], commands: CommandLoaders): string | undefined {
  const word = argv.find((arg) => !arg.startsWith('-'));
  return word !== undefined && Object.hasOwn(commands, word) ? word : undefined;
}

/**
 * The `restorable` command line. With `argv`, only the command it names is loaded (all of them
 * when it names none, for help and usage errors).
 * @param commands - the commands it can run (default: every command)
 */
export async function buildProgram(argv?: readonly string[], commands: CommandLoaders = COMMANDS): Promise<Command> {
  const program = new Command('restorable')
    .description('GitOps backup compiler for Kubernetes')
    .option('--verbose', 'show stack traces of errors')
    .option('--now <iso-time>', 'the clock for every time-dependent check')
    .showHelpAfterError()
    .exitOverride();
  const requested = argv === undefined ? undefined : requestedCommand(argv, commands);
  const names = requested === undefined ? Object.keys(commands) : [requested];
  for (const command of await Promise.all(names.map((name) => (commands[name] as () => Promise<Command>)()))) {
    program.addCommand(command.exitOverride());
  }
  return program;
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code.
 * @param commands - the commands it can run (default: every command, each imported when named)
 */
export async function main(argv: readonly string[], commands: CommandLoaders = COMMANDS): Promise<number> {
  try {
    const program = await buildProgram(argv, commands);
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
