import yaml from 'js-yaml';
import type { JsonValue } from './normalize.ts';

/** YAML 1.1 integers and floats, as PyYAML's resolver reads them (underscores allowed, base 60). */
const YAML11_INT = /^[-+]?(?:0b[01_]+|0[0-7_]+|0|[1-9][0-9_]*|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const YAML11_FLOAT = /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
/** What Go's strconv.ParseInt and ParseUint (base 0) accept, once Go's yaml.v2 has dropped every underscore. */
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$/;
/** yaml.v2's `yamlStyleFloat`, tried on the text without underscores (which also covers Go's ParseFloat of `.5`). */
const GO_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/**
 * True when a YAML 1.1 reader takes this plain scalar for a number. Go's yaml.v2 (Kubernetes,
 * kubectl, Argo CD, sigs.k8s.io/yaml) removes every `_` from a scalar that starts with a digit or a
 * sign (or a dot) and parses the rest as a Go number (`1_000` is 1000, `0_7` is 7, `1_0.5` is 10.5); PyYAML
 * follows the YAML 1.1 type regexps. js-yaml reads YAML 1.2 and would write such strings unquoted.
 */
export function isYaml11Number(text: string): boolean {
  if (YAML11_INT.test(text) || YAML11_FLOAT.test(text)) return true;
  if (!/^[-+.0-9]/.test(text)) return false;
  const plain = text.replaceAll('_', '');
  return GO_INT.test(plain) || GO_FLOAT.test(plain);
}

/**
 * The schema every YAML file restorable writes is dumped with: js-yaml's own, plus an implicit type
 * that matches {@link isYaml11Number}, so the dumper quotes those strings as it quotes `'0755'` or
 * `'yes'`. Nothing is ever read with it.
 */
export const DUMP_SCHEMA = yaml.DEFAULT_SCHEMA.extend({
  implicit: [new yaml.Type('tag:restorable.dev,2026:yaml11-number', { kind: 'scalar', resolve: (data: unknown) => typeof data === 'string' && isYaml11Number(data) })],
});

/**
 * The one YAML emitter of the project. Keys are already ordered by normalize(); strings that YAML
 * 1.1 readers (Kubernetes) would take for booleans or numbers ('yes', 'on', '0755', '1_000') are quoted.
 */
export function toYaml(value: JsonValue): string {
  return yaml.dump(value, { schema: DUMP_SCHEMA, noRefs: true, lineWidth: -1, sortKeys: false, quotingType: '"' });
}
