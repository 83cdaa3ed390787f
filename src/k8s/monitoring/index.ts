/** Models and schemas of the Prometheus Operator kinds restorable emits (monitoring.coreos.com/v1). */
export * from './pod-monitor.ts';
export * from './prometheus-rule.ts';
