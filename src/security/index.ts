/** Checks that keep credentials out of Git. */
export { shannonEntropy } from './entropy.ts';
export {
  HIGH_ENTROPY_BITS_PER_CHAR,
  MIN_HIGH_ENTROPY_LENGTH,
  type SecretFinding,
  type SecretKind,
  scanForSecrets,
} from './secret-scan.ts';
