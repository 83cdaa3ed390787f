import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The real-systems tests need Go and run with `npm run test:e2e` (test/e2e/vitest.config.ts).
    exclude: ['test/e2e/**', '**/node_modules/**'],
    // Limits for a hung test, not expectations: many tests run the CLI as a child process, and on a
    // shared machine with every CPU busy one file per CPU made some of them take over a minute.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the CPUs: a single worker on a 2-CPU machine, which
    // ran the files one after another while most of them wait on a CLI child process. One file per
    // CPU keeps both busy (README, Test suite).
    maxWorkers: Math.max(availableParallelism(), 2),
  },
});
