import { readFileSync } from 'node:fs';

const read = (name: string): string => readFileSync(new URL(`./scripts/${name}`, import.meta.url), 'utf8');

/**
 * The runner and drill scripts, shipped in the plan's ConfigMap. They are plain files (reviewable,
 * `sh -n`-checked and executed in tests against a fake kubectl), never generated text: every value
 * they use comes from data files beside them, so nothing a policy says can become shell code.
 */
export const SCRIPTS = {
  'lib.sh': read('lib.sh'),
  'runner.sh': read('runner.sh'),
  'drill.sh': read('drill.sh'),
} as const;
