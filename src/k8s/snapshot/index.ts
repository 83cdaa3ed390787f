/** Model and schema of the CSI snapshot kind restorable emits (snapshot.storage.k8s.io/v1). */
export * from './volume-snapshot-class.ts';
