import path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * The real-systems tests (`npm run test:e2e`): real control planes, one scenario file at a time
 * (the machine has two cores, and each file starts its own clusters).
 */
export default defineConfig({
  test: {
    root: path.resolve(import.meta.dirname, '..', '..'),
    include: ['test/e2e/**/*.e2e.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 300_000,
    hookTimeout: 900_000,
  },
});
