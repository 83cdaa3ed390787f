/** Resolves a namespace's exemption from the coverage check. */
import type { Exemption } from '../../dsl/exempt.ts';
import type { ExemptionModel } from '../types.ts';

/** An exemption as the model holds it: the namespace (the declaration's name), cluster, reason and end date. */
export function resolveExemption(e: Exemption): ExemptionModel {
  return { namespace: e.name, cluster: e.props.cluster, reason: e.props.reason, until: e.props.until, source: e.source };
}
