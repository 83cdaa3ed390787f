/**
 * The real `restorable` binary run in any working directory (a test git repository outside the
 * project), with exactly the given environment.
 */
export { runBinIn as runBin } from '../../support/run-cli.ts';
