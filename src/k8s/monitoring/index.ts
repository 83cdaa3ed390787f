/** Model and schema of the Prometheus Operator kind restorable emits (monitoring.coreos.com/v1). */
export * from './prometheus-rule.ts';
