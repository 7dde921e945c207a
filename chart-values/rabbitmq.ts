// The one reader of charts/rabbitmq values: where each setting the platform manages lives (rabbitmqChartKeys), the
// settings read back out of a values tree, and the chart's ports and cluster domain. The Pulumi program
// (infra/settings/) and the embedded environment (embedded/rabbitmq/config.ts) both read through it.
import type { RabbitMQTarget } from "../contract/target";
import { pick, readManaged, type Values } from "./values";

export interface RabbitMQChartSettings {
  replicas: number;
  /** rabbitmq.conf `default_queue_type`: the platform only promises quorum queues. */
  defaultQueueType: string;
  /** rabbitmq.conf `quorum_queue.initial_cluster_size`: members of each new quorum queue. */
  quorumInitialGroupSize: number;
  imageRepository: string;
  imageTag: string;
  /** The default (administrator) user; its password is generated. */
  username: string;
}

export const rabbitmqChartKeys: Record<keyof RabbitMQChartSettings, readonly string[]> = {
  replicas: ["replicas"],
  defaultQueueType: ["config", "default_queue_type"],
  quorumInitialGroupSize: ["config", "quorum_queue.initial_cluster_size"],
  imageRepository: ["image", "repository"],
  imageTag: ["image", "tag"],
  username: ["auth", "username"],
};

export function rabbitmqSettingsFromValues(values: Values): Record<keyof RabbitMQChartSettings, unknown> {
  return readManaged(rabbitmqChartKeys, values);
}

/** Where the chart's ports, plugins and `config:` map live. */
export const rabbitmqFactKeys = {
  amqpPort: ["ports", "amqp"],
  managementPort: ["ports", "management"],
  prometheusPort: ["ports", "prometheus"],
  epmdPort: ["ports", "epmd"],
  distPort: ["ports", "dist"],
  amqpsPort: ["ports", "amqps"],
  managementTlsPort: ["ports", "managementTls"],
  tls: ["tls", "enabled"],
  plugins: ["plugins"],
  config: ["config"],
} as const;

/** The client-facing ports (plaintext, and the TLS ones served instead when `tls.enabled`) and the Erlang distribution's. */
export interface RabbitMQPorts {
  amqp: number;
  management: number;
  amqps: number;
  managementTls: number;
  dist: number;
}

export function rabbitmqPorts(values: Values): RabbitMQPorts {
  return {
    amqp: Number(pick(values, rabbitmqFactKeys.amqpPort) ?? 5672),
    management: Number(pick(values, rabbitmqFactKeys.managementPort) ?? 15672),
    amqps: Number(pick(values, rabbitmqFactKeys.amqpsPort) ?? 5671),
    managementTls: Number(pick(values, rabbitmqFactKeys.managementTlsPort) ?? 15671),
    dist: Number(pick(values, rabbitmqFactKeys.distPort) ?? 25672),
  };
}

/** rabbitmq_prometheus's port (container port `prometheus`): always served, the plugin is required. */
export function rabbitmqMetricsPort(values: Values): number {
  return Number(pick(values, rabbitmqFactKeys.prometheusPort) ?? 15692);
}

/** AMQP and the management API over TLS only (chart `tls.enabled`). */
export function rabbitmqTls(values: Values): boolean {
  return pick(values, rabbitmqFactKeys.tls) === true;
}

export function rabbitmqClusterDomain(values: Values): string {
  return String(pick(values, ["clusterDomain"]) ?? "cluster.local");
}

/** The durability a RabbitMQ deployment promises, from its settings: what every platform publishes as target.expected. */
export function rabbitmqExpected(
  s: Pick<RabbitMQChartSettings, "quorumInitialGroupSize" | "replicas">,
): RabbitMQTarget["expected"] {
  return { defaultQueueType: "quorum", quorumInitialGroupSize: s.quorumInitialGroupSize, clusterSize: s.replicas };
}
