// Settings ↔ charts/prometheus values: which brokers it scrapes (namespaces and metrics ports from the broker charts'
// values), the broker charts' own rule files, and the API server's endpoints. Pure: tested without Pulumi.
import { isMapping, type Values } from "../../chart-values/values";
import type { PrometheusPlacement } from "../../contract/target";
import type { PrometheusSettings } from "../settings/monitoring";
import type { ApiServerEgress } from "./smoke-gate";

/** The label the broker charts' NetworkPolicies admit metrics scrapes from (charts/*\/values.yaml
 * networkPolicy.metricsFrom): Prometheus's namespace carries it. */
export const monitoringNamespaceLabels = { "messaging-platform.io/monitoring": "true" } as const;

export interface ScrapedBrokers {
  /** Kafka's namespace and its JMX exporter port; disabled when the Kafka values turn metrics off. */
  kafka: { enabled: boolean; namespace: string; port: number };
  /** RabbitMQ's namespace and its rabbitmq_prometheus port (always served). */
  rabbitmq: { namespace: string; port: number };
}

export function prometheusChartValues(
  s: PrometheusSettings,
  opts: {
    brokers: ScrapedBrokers;
    /** Rule file texts by name: the broker charts' files/alerts.yaml, unchanged. */
    alertRules: Record<string, string>;
    /** Undefined where no cluster can be read (the render platform): the chart then allows the API ports only. */
    apiServer?: ApiServerEgress;
    /** networkPolicy.queryFrom as it must be (queryFromWithClients); undefined leaves the values' own. */
    queryFrom?: unknown[];
  },
): Values {
  const { kafka, rabbitmq } = opts.brokers;
  return {
    ...s.exampleValues,
    kafka: { enabled: kafka.enabled, namespaces: [kafka.namespace], port: kafka.port },
    rabbitmq: { enabled: true, namespaces: [rabbitmq.namespace], port: rabbitmq.port },
    alertRules: opts.alertRules,
    ...(opts.apiServer ? { apiServer: opts.apiServer } : {}),
    ...(opts.queryFrom
      ? {
          networkPolicy: {
            ...(isMapping(s.exampleValues.networkPolicy) ? s.exampleValues.networkPolicy : {}),
            queryFrom: opts.queryFrom,
          },
        }
      : {}),
  };
}

/** The port charts/prometheus serves its API on (templates/_helpers.tpl prometheus.port). */
export const prometheusApiPort = 9090;

/**
 * Who may query Prometheus: the chart's effective networkPolicy.queryFrom, plus the stack's clientAddresses (the
 * machine the drills run on reads the platform's view from it). Undefined when nothing changes: no addresses, or an
 * empty list, which already admits anyone (adding a peer to it would narrow it).
 */
export function queryFromWithClients(
  queryFrom: unknown,
  addresses: readonly string[],
  gateNamespace?: string,
): unknown[] | undefined {
  const gate = gateNamespace
    ? [
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": gateNamespace } },
          podSelector: { matchLabels: { "messaging-platform.io/role": "smoke-gate" } },
        },
      ]
    : [];
  if ((addresses.length === 0 && gate.length === 0) || !Array.isArray(queryFrom) || queryFrom.length === 0)
    return undefined;
  return [...queryFrom, ...addresses.map((cidr) => ({ ipBlock: { cidr } })), ...gate];
}

/** The chart's selector labels on its pods (templates/_helpers.tpl). */
export function prometheusPodLabels(s: PrometheusSettings): Record<string, string> {
  const override = s.exampleValues.nameOverride;
  const name = typeof override === "string" && override !== "" ? override : "prometheus";
  return { "app.kubernetes.io/name": name, "app.kubernetes.io/instance": s.release };
}

/** Where the drills find this Prometheus: its pods by the chart's selector labels, in its namespace, on its API port. */
export function prometheusPlacement(s: PrometheusSettings): PrometheusPlacement {
  return {
    namespace: s.namespace,
    podSelector: Object.entries(prometheusPodLabels(s))
      .map(([k, v]) => `${k}=${v}`)
      .join(","),
    port: prometheusApiPort,
  };
}
