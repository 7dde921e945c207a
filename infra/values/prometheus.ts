// Settings ↔ charts/prometheus values: which brokers it scrapes (namespaces and metrics ports from the broker charts'
// values), the broker charts' own rule files, and the API server's endpoints. Pure: tested without Pulumi.
import type { Values } from "../../chart-values/values";
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
  },
): Values {
  const { kafka, rabbitmq } = opts.brokers;
  return {
    ...s.exampleValues,
    kafka: { enabled: kafka.enabled, namespaces: [kafka.namespace], port: kafka.port },
    rabbitmq: { enabled: true, namespaces: [rabbitmq.namespace], port: rabbitmq.port },
    alertRules: opts.alertRules,
    ...(opts.apiServer ? { apiServer: opts.apiServer } : {}),
  };
}
