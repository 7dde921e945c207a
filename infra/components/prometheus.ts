// A Prometheus in the cluster (stack config monitoring.prometheus): its own namespace, labelled so the brokers'
// NetworkPolicies admit its scrapes, and charts/prometheus with the broker charts' rule files. Registered after both
// clusters, whose pods it discovers.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { deepMerge, readValuesFile, type Values } from "../../chart-values/values";
import type { PrometheusSettings } from "../settings/monitoring";
import {
  monitoringNamespaceLabels,
  prometheusChartValues,
  queryFromWithClients,
  type ScrapedBrokers,
} from "../values/prometheus";
import type { ApiServerEgress } from "../values/smoke-gate";
import { environmentLabel, podSecurityLabels } from "./namespaces";

export interface PrometheusMonitorArgs {
  settings: PrometheusSettings;
  environment: string;
  brokers: ScrapedBrokers;
  /** Directories of charts/kafka and charts/rabbitmq: their files/alerts.yaml are loaded as they are. */
  brokerChartDirs: { kafka: string; rabbitmq: string };
  /** Addresses outside the cluster (stack config clientAddresses) admitted to the API too: the drills' machine. */
  clientAddresses: string[];
  /** The in-cluster gate's namespace, whose gate pod is admitted to the API (its metrics check); none without one. */
  gateNamespace?: string;
  /** The API server's endpoints (read from the cluster); undefined on the render platform, which has none. */
  apiServer?: pulumi.Input<ApiServerEgress>;
  provider: k8s.Provider;
}

/** A broker chart's values as the chart sees them: its values.yaml under the stack's example file. */
export function effectiveChartValues(chartDir: string, example: Values): Values {
  return deepMerge(readValuesFile(join(chartDir, "values.yaml")), example);
}

export class PrometheusMonitor extends pulumi.ComponentResource {
  public readonly chart: k8s.helm.v4.Chart;
  public readonly namespace: pulumi.Output<string>;

  constructor(name: string, args: PrometheusMonitorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("messaging-platform:monitoring:PrometheusMonitor", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    const namespace = new k8s.core.v1.Namespace(
      name,
      {
        metadata: {
          name: args.settings.namespace,
          labels: { ...podSecurityLabels, ...monitoringNamespaceLabels, [environmentLabel]: args.environment },
        },
      },
      child,
    );
    this.namespace = namespace.metadata.name;
    const alertRules = Object.fromEntries(
      Object.entries(args.brokerChartDirs).map(([system, dir]) => [
        system,
        readFileSync(join(dir, "files", "alerts.yaml"), "utf8"),
      ]),
    );
    const chartNetworkPolicy = effectiveChartValues(args.settings.chartDir, args.settings.exampleValues).networkPolicy;
    const queryFrom = queryFromWithClients(
      (chartNetworkPolicy as { queryFrom?: unknown } | undefined)?.queryFrom,
      args.clientAddresses,
      args.gateNamespace,
    );
    this.chart = new k8s.helm.v4.Chart(
      name,
      {
        chart: args.settings.chartDir,
        name: args.settings.release,
        namespace: this.namespace,
        values: pulumi.output(args.apiServer).apply((apiServer) =>
          prometheusChartValues(args.settings, {
            brokers: args.brokers,
            alertRules,
            ...(apiServer ? { apiServer } : {}),
            ...(queryFrom ? { queryFrom } : {}),
          }),
        ),
      },
      child,
    );
    this.registerOutputs({ namespace: this.namespace });
  }
}
