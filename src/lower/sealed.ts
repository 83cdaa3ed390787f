import { emit, type LowerContext, type Manifest } from './context.ts';

/**
 * Copies the cluster's sealed credentials into its folder unchanged: sealing is randomised, so the
 * ciphertext is made once by `restorable seal` and kept in `policies/sealed/`, and synth never
 * re-seals (which would rewrite every Secret on every compile).
 */
export function lowerSealedSecrets(ctx: LowerContext): void {
  for (const secret of ctx.model.sealedSecrets) {
    if (secret.cluster === ctx.cluster.name) emit(ctx, secret.object as unknown as Manifest);
  }
}
