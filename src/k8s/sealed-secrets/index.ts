/** Model and schema of the Sealed Secrets kind restorable emits (bitnami.com/v1alpha1). */
export * from './sealed-secret.ts';
