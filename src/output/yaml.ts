import yaml from 'js-yaml';
import type { JsonValue } from './normalize.ts';

/**
 * The one YAML emitter of the project. Keys are already ordered by normalize(); js-yaml quotes
 * strings that YAML 1.1 readers (Kubernetes) would take for booleans or numbers ('yes', 'on', '0755').
 */
export function toYaml(value: JsonValue): string {
  return yaml.dump(value, { noRefs: true, lineWidth: -1, sortKeys: false, quotingType: '"' });
}
