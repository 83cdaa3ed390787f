/**
 * monitoring.coreos.com/v1 PodMonitor: tells the Prometheus Operator which pods to scrape. restorable
 * emits one for Velero's server and one for its node-agent, since `velero install` creates no
 * metrics Service (a ServiceMonitor would have nothing to select). Only the fields restorable uses
 * are modelled; the schema rejects any other, and the tests check each against the real CRD.
 */
import { createTypeMetaGuard, type ModelData } from '@kubernetes-models/base';
import { type IObjectMeta, objectMetaSchema } from '../meta.ts';
import { KindModel } from '../model.ts';
import { arr, bool, type JsonSchema, kindSchema, mapOf, obj, str, strings } from '../schema.ts';
import { MONITORING_API_VERSION } from './prometheus-rule.ts';

/** A Prometheus duration (`30s`, `1m`), the pattern the CRD itself uses. */
const PROMETHEUS_DURATION = '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$';

/** One scraped port of the selected pods. */
export interface IPodMetricsEndpoint {
  /** Name of the container port to scrape (Velero names its port `metrics`). */
  port?: string;
  /** HTTP path of the metrics. */
  path?: string;
  /** Scrape interval (Prometheus duration). */
  interval?: string;
  /** Scrape timeout (Prometheus duration), at most the interval. */
  scrapeTimeout?: string;
  /** Whether to keep the scraped series' own labels on a clash with the target's. */
  honorLabels?: boolean;
}

/** monitoring.coreos.com/v1 PodMonitorSpec (the fields restorable uses). */
export interface IPodMonitorSpec {
  /** Label selector of the pods to scrape. */
  selector: { matchLabels?: Record<string, string> };
  /** Namespaces to look for the pods in; by default the PodMonitor's own. */
  namespaceSelector?: { any?: boolean; matchNames?: string[] };
  /** The ports to scrape. */
  podMetricsEndpoints?: IPodMetricsEndpoint[];
  /** Pod labels copied onto every scraped series. */
  podTargetLabels?: string[];
  /** Pod label whose value becomes the `job` label. */
  jobLabel?: string;
}

/** A monitoring.coreos.com/v1 PodMonitor object. */
export interface IPodMonitor {
  /** Always `monitoring.coreos.com/v1`. */
  apiVersion: 'monitoring.coreos.com/v1';
  /** Always `PodMonitor`. */
  kind: 'PodMonitor';
  /** Name, namespace, labels (the operator's podMonitorSelector matches these). */
  metadata: IObjectMeta;
  /** What to scrape. */
  spec: IPodMonitorSpec;
}

const duration = (): JsonSchema => str({ pattern: PROMETHEUS_DURATION });

/** Schema of {@link IPodMonitorSpec}. */
export const podMonitorSpecSchema: JsonSchema = obj(
  {
    selector: obj({ matchLabels: mapOf() }),
    namespaceSelector: obj({ any: bool(), matchNames: strings() }),
    podMetricsEndpoints: arr(
      obj({
        port: str({ minLength: 1 }),
        path: str({ minLength: 1 }),
        interval: duration(),
        scrapeTimeout: duration(),
        honorLabels: bool(),
      }),
    ),
    podTargetLabels: strings(),
    jobLabel: str(),
  },
  ['selector'],
);

/** Schema of a whole {@link IPodMonitor}. */
export const podMonitorSchema: JsonSchema = kindSchema(
  { apiVersion: MONITORING_API_VERSION, kind: 'PodMonitor' },
  { metadata: objectMetaSchema, spec: podMonitorSpecSchema },
  ['metadata', 'spec'],
);

/** Model of a monitoring.coreos.com/v1 PodMonitor; `validate()` throws a `K8sValidationError`. */
export class PodMonitor extends KindModel<IPodMonitor> implements IPodMonitor {
  /** `monitoring.coreos.com/v1`. */
  static readonly apiVersion = 'monitoring.coreos.com/v1';
  /** `PodMonitor`. */
  static readonly kind = 'PodMonitor';
  /** Whether a value is an {@link IPodMonitor} (by apiVersion and kind only). */
  static readonly is = createTypeMetaGuard<IPodMonitor>(PodMonitor);
  declare apiVersion: IPodMonitor['apiVersion'];
  declare kind: IPodMonitor['kind'];
  declare metadata: IObjectMeta;
  declare spec: IPodMonitorSpec;

  /** Builds a PodMonitor; apiVersion and kind are filled in. */
  constructor(data: ModelData<IPodMonitor>) {
    super(PodMonitor, data);
  }

  /** Checks the object against {@link podMonitorSchema}. */
  override validate(): void {
    this.assertSchema(podMonitorSchema);
  }
}
