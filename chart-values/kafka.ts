// The one reader of charts/kafka values: where each setting the platform manages lives in the chart's values
// (kafkaChartKeys), the settings read back out of a values tree, and the chart's fixed facts (ports, node id bases).
// The Pulumi program (infra/settings/) and the embedded environment (embedded/kafka/config.ts) both read through it.
import type { KafkaTarget } from "../contract/target";
import { pick, readManaged, type Values } from "./values";

export type KraftMode = "dedicated" | "combined";

/** The settings this program manages, as they travel between the stack config and the chart. */
export interface KafkaChartSettings {
  kraftMode: KraftMode;
  controllers: number;
  brokers: number;
  replicationFactor: number;
  minInsyncReplicas: number;
  uncleanLeaderElection: boolean;
  autoCreateTopics: boolean;
  imageRepository: string;
  imageTag: string;
  /** SCRAM-SHA-512 users the chart creates; each gets a generated password. */
  users: string[];
}

/** Where each setting lives in the chart's values (the chart renders `config:` into server.properties). */
export const kafkaChartKeys: Record<keyof KafkaChartSettings, readonly string[]> = {
  kraftMode: ["kraft", "mode"],
  controllers: ["controllers", "replicas"],
  brokers: ["brokers", "replicas"],
  replicationFactor: ["config", "default.replication.factor"],
  minInsyncReplicas: ["config", "min.insync.replicas"],
  uncleanLeaderElection: ["config", "unclean.leader.election.enable"],
  autoCreateTopics: ["config", "auto.create.topics.enable"],
  imageRepository: ["image", "repository"],
  imageTag: ["image", "tag"],
  users: ["auth", "sasl", "users"],
};

/** The chart's own SASL identities: its users Secret needs a password for each, next to the client users. */
export const internalKafkaUsers = ["inter-broker", "controller"] as const;
export const [INTER_BROKER_USER, CONTROLLER_USER] = internalKafkaUsers;

/** Where the chart's fixed facts live: listener ports and the node id bases of the two pools. */
export const kafkaFactKeys = {
  clientPort: ["listeners", "client", "port"],
  internalPort: ["listeners", "internal", "port"],
  controllerPort: ["listeners", "controller", "port"],
  brokerNodeIdBase: ["brokers", "nodeIdBase"],
  controllerNodeIdBase: ["controllers", "nodeIdBase"],
  saslMechanism: ["auth", "sasl", "mechanism"],
  config: ["config"],
  metricsEnabled: ["metrics", "enabled"],
  metricsPort: ["metrics", "port"],
} as const;

/** Reads the managed settings out of chart values, as found (the Pulumi program validates them in infra/settings/, the embedded environment in embedded/kafka/config.ts). */
export function kafkaSettingsFromValues(values: Values): Record<keyof KafkaChartSettings, unknown> {
  const out = readManaged(kafkaChartKeys, values);
  out.users = usersFrom(out.users);
  return out;
}

/** `auth.sasl.users` may list names or `{name: ...}` mappings; settings work with names. */
function usersFrom(v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  return v.map((u) => (typeof u === "object" && u !== null && "name" in u ? (u as { name: unknown }).name : u));
}

/** Facts of the chart's layout that settings carry but the stack does not override. */
export interface KafkaChartFacts {
  clientPort: number;
  controllerPort: number;
  brokerNodeIdBase: number;
  controllerNodeIdBase: number;
  clusterDomain: string;
  /** The client listener speaks SASL_SSL instead of SASL_PLAINTEXT. */
  clientTls: boolean;
}

export function kafkaChartFacts(values: Values): KafkaChartFacts {
  return {
    clientPort: Number(pick(values, kafkaFactKeys.clientPort) ?? 9092),
    controllerPort: Number(pick(values, kafkaFactKeys.controllerPort) ?? 9093),
    brokerNodeIdBase: Number(pick(values, kafkaFactKeys.brokerNodeIdBase) ?? 100),
    controllerNodeIdBase: Number(pick(values, kafkaFactKeys.controllerNodeIdBase) ?? 0),
    clusterDomain: String(pick(values, ["clusterDomain"]) ?? "cluster.local"),
    clientTls: pick(values, ["listeners", "client", "tls", "enabled"]) === true,
  };
}

/** The JMX exporter's metrics endpoint (container port tcp-prometheus): on unless `metrics.enabled: false`. */
export function kafkaMetrics(values: Values): { enabled: boolean; port: number } {
  return {
    enabled: pick(values, kafkaFactKeys.metricsEnabled) !== false,
    port: Number(pick(values, kafkaFactKeys.metricsPort) ?? 9404),
  };
}

/** The durability a Kafka deployment promises, from its settings: what every platform publishes as target.expected. */
export function kafkaExpected(
  s: Pick<KafkaChartSettings, "replicationFactor" | "minInsyncReplicas" | "uncleanLeaderElection" | "autoCreateTopics">,
): KafkaTarget["expected"] {
  return {
    replicationFactor: s.replicationFactor,
    minInsyncReplicas: s.minInsyncReplicas,
    uncleanLeaderElection: s.uncleanLeaderElection,
    autoCreateTopics: s.autoCreateTopics,
  };
}
