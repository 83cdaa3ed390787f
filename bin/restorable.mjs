#!/usr/bin/env node
// Entry point: the compiler and the policies are TypeScript, run through tsx's loader.
import { createRequire } from 'node:module';

const argv = process.argv.slice(2);
if (argv.find((arg) => !arg.startsWith('-')) === 'commit') {
  // `restorable commit` runs after every synth, and its start-up was most of its time. Its modules
  // (src/git, the CLI and commander) use no import.meta, top-level await or dynamic import, so
  // tsx's require hook can load them: it runs in this thread, where tsx's import hooks run in a
  // worker thread that every module resolution waits for, and CommonJS packages such as
  // isomorphic-git load without being scanned for their exports.
  const require = createRequire(import.meta.url);
  // Its packages are plain CommonJS: loaded before tsx's hook, which would scan each for ES syntax.
  for (const name of ['isomorphic-git', 'isomorphic-git/http/node', 'commander']) require(name);
  require('tsx/cjs/api').register();
  const { main } = require('../src/cli/main.ts');
  const { commitCommand } = require('../src/cli/commands/commit.ts');
  process.exitCode = await main(argv, { commit: async () => commitCommand() });
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(argv);
}
