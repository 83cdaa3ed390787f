/**
 * A minimal `restorable` entry point holding only the commit command, so
 * tests can run it as a real child process.
 */
import { Command } from 'commander';
import { commitCommand } from '../../../src/cli/commands/commit.ts';

const program = new Command('restorable').addCommand(commitCommand());
await program.parseAsync(process.argv);
