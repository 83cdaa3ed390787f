import type { Diagnostic } from '../model/diagnostic.ts';
import type { Model } from '../model/types.ts';
import type { Rule } from './rule.ts';

const VOLUME_MODES = ['csi-snapshot', 'snapshot-data-mover', 'native-snapshot', 'filesystem', 'none'];
const SCENARIOS = ['namespace-loss', 'cluster-loss', 'region-loss'];
const MODES = ['full', 'data-only'];
const FREQUENCIES = ['day', 'week', 'month', 'quarter'];
const EXISTING = ['skip', 'update'];

/**
 * ENUM001: fields with a fixed set of values hold one of them. TypeScript catches these in the
 * editor; this rule catches them in plain JavaScript policies and `as any` casts, where a typo such
 * as `volumes: 'snapshot'` would otherwise compile into something nobody asked for.
 */
export const enumsRule: Rule = {
  family: 'enums',
  check(model: Model): Diagnostic[] {
    const found: Diagnostic[] = [];
    const check = (declaration: { name: string; source?: Diagnostic['source'] }, path: string, value: unknown, allowed: readonly string[]): void => {
      if (value === undefined || allowed.includes(value as string)) return;
      found.push({
        code: 'ENUM001',
        severity: 'error',
        message: `expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`,
        hint: 'check the spelling; your editor lists the allowed values',
        declaration: declaration.name,
        path,
        source: declaration.source,
      });
    };
    for (const policy of model.policies) check(policy, 'volumes', policy.volumes, VOLUME_MODES);
    for (const plan of model.restorePlans) {
      check(plan, 'scenario', plan.scenario, SCENARIOS);
      check(plan, 'mode', plan.mode, MODES);
      check(plan, 'existingResources', plan.existingResources, EXISTING);
      check(plan, 'drill.every', plan.drill?.every, FREQUENCIES);
    }
    for (const g of model.guardrails) check({ name: g.environment, source: g.source }, 'drillEvery', g.drillEvery, FREQUENCIES);
    return found;
  },
};
