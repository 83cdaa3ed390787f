/**
 * monitoring.coreos.com/v1 PrometheusRule: alerting and recording rules loaded by the Prometheus
 * Operator (restorable emits alerts such as "no successful backup in 26h").
 */
import { createTypeMetaGuard, type ModelData } from '@kubernetes-models/base';
import { type IObjectMeta, objectMetaSchema } from '../meta.ts';
import { KindModel } from '../model.ts';
import { arr, int, type JsonSchema, kindSchema, mapOf, obj, str } from '../schema.ts';

/** apiVersion of PrometheusRule. */
export const MONITORING_API_VERSION = 'monitoring.coreos.com/v1';

/** A Prometheus duration (`5m`, `1h30m`, `26h`), the pattern the CRD itself uses. */
const PROMETHEUS_DURATION = '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$';

/**
 * One alerting rule (with `alert`) or recording rule (with `record`). Prometheus needs exactly one of
 * the two; the schema does not enforce that (neither does the CRD, the operator's webhook does).
 */
export interface IPrometheusRuleRule {
  /** Alert name, for alerting rules. */
  alert?: string;
  /** Series name, for recording rules. */
  record?: string;
  /** PromQL expression. */
  expr: string;
  /** How long the condition must hold before the alert fires (Prometheus duration). */
  for?: string;
  /** How long the alert keeps firing after the condition clears (Prometheus duration). */
  keep_firing_for?: string;
  /** Labels added to the alert or series. */
  labels?: Record<string, string>;
  /** Alert annotations (summary, description, runbook_url). */
  annotations?: Record<string, string>;
}

/** A group of rules evaluated together. */
export interface IPrometheusRuleGroup {
  /** Group name, unique within the object. */
  name: string;
  /** Evaluation interval (Prometheus duration). */
  interval?: string;
  /** Maximum number of alerts or series a rule may produce (0 = no limit). */
  limit?: number;
  /** Labels added to every rule of the group. */
  labels?: Record<string, string>;
  /** The rules. */
  rules?: IPrometheusRuleRule[];
}

/** monitoring.coreos.com/v1 PrometheusRuleSpec. */
export interface IPrometheusRuleSpec {
  /** Rule groups. */
  groups?: IPrometheusRuleGroup[];
}

/** A monitoring.coreos.com/v1 PrometheusRule object. */
export interface IPrometheusRule {
  /** Always `monitoring.coreos.com/v1`. */
  apiVersion: 'monitoring.coreos.com/v1';
  /** Always `PrometheusRule`. */
  kind: 'PrometheusRule';
  /** Name, namespace, labels (the Prometheus rule selector matches these), annotations. */
  metadata: IObjectMeta;
  /** The rule groups. */
  spec: IPrometheusRuleSpec;
}

const duration = (): JsonSchema => str({ pattern: PROMETHEUS_DURATION });

/** Schema of {@link IPrometheusRuleSpec}. */
export const prometheusRuleSpecSchema: JsonSchema = obj({
  groups: arr(
    obj(
      {
        name: str({ minLength: 1 }),
        interval: duration(),
        limit: int({ minimum: 0 }),
        labels: mapOf(),
        rules: arr(
          obj(
            {
              alert: str({ minLength: 1 }),
              record: str({ minLength: 1 }),
              expr: str({ minLength: 1 }),
              for: duration(),
              keep_firing_for: str({ minLength: 1, pattern: PROMETHEUS_DURATION }),
              labels: mapOf(),
              annotations: mapOf(),
            },
            ['expr'],
          ),
        ),
      },
      ['name'],
    ),
  ),
});

/** Schema of a whole {@link IPrometheusRule}. */
export const prometheusRuleSchema: JsonSchema = kindSchema(
  { apiVersion: MONITORING_API_VERSION, kind: 'PrometheusRule' },
  { metadata: objectMetaSchema, spec: prometheusRuleSpecSchema },
  ['metadata', 'spec'],
);

/** Model of a monitoring.coreos.com/v1 PrometheusRule; `validate()` throws a `K8sValidationError`. */
export class PrometheusRule extends KindModel<IPrometheusRule> implements IPrometheusRule {
  /** `monitoring.coreos.com/v1`. */
  static readonly apiVersion = 'monitoring.coreos.com/v1';
  /** `PrometheusRule`. */
  static readonly kind = 'PrometheusRule';
  /** Whether a value is an {@link IPrometheusRule} (by apiVersion and kind only). */
  static readonly is = createTypeMetaGuard<IPrometheusRule>(PrometheusRule);
  declare apiVersion: IPrometheusRule['apiVersion'];
  declare kind: IPrometheusRule['kind'];
  declare metadata: IObjectMeta;
  declare spec: IPrometheusRuleSpec;

  /** Builds a PrometheusRule; apiVersion and kind are filled in. */
  constructor(data: ModelData<IPrometheusRule>) {
    super(PrometheusRule, data);
  }

  /** Checks the object against {@link prometheusRuleSchema}. */
  override validate(): void {
    this.assertSchema(prometheusRuleSchema);
  }
}
