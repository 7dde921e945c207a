// Chart values → server.properties for one embedded Kafka node. Everything about durability and behaviour comes from
// the chart's `config:` map, authentication follows the chart's model (SCRAM-SHA-512 for clients and the
// `inter-broker` user, SASL/PLAIN for the `controller` user on the KRaft listener); this module adds only what a
// node's place in the embedded topology decides (id, roles, addresses, data dir) and drops what only makes sense in a pod.
import {
  CONTROLLER_USER,
  INTER_BROKER_USER,
  type KafkaChartSettings,
  kafkaChartKeys,
  kafkaExpected,
  kafkaFactKeys,
  kafkaSettingsFromValues,
} from "../../chart-values/kafka";
import {
  loadValues,
  requireFlatMap,
  requireNumber,
  requireString,
  requireStringList,
  type Scalar,
  type ValuesSource,
} from "../../chart-values/source";
import type { Values } from "../../chart-values/values";
import type { KafkaTarget } from "../../contract/target";
import { type SplitChartConfig, splitChartConfig } from "../dropped-key";
import type { EmbeddedNode, KafkaPools } from "../topology";

/** What the embedded environment needs from charts/kafka/values.yaml, read through chart-values/kafka.ts. */
export interface EmbeddedKafkaSettings {
  config: Record<string, Scalar>;
  ports: { client: number; internal: number; controller: number };
  saslMechanism: "SCRAM-SHA-512";
  /** Client users; the first is the one the Target hands to smoke tests. */
  saslUsers: string[];
  pools: KafkaPools;
  /** The durability the chart's values promise (target.expected), as the Pulumi program reads it too. */
  expected: KafkaTarget["expected"];
}

const dotted = (path: readonly string[]) => path.join(".");

/** A managed setting that must be a number, a boolean: read by the one reader, required here. */
function requireManaged<K extends keyof KafkaChartSettings>(
  src: ValuesSource,
  managed: Record<keyof KafkaChartSettings, unknown>,
  key: K,
  kind: "number" | "boolean",
): KafkaChartSettings[K] {
  const path = dotted(kafkaChartKeys[key]);
  const v = managed[key];
  if (v === undefined) requireString(src, path); // throws "has no `path`"
  if (typeof v !== kind) throw new Error(`${src.file}: \`${path}\` must be a ${kind}`);
  return v as KafkaChartSettings[K];
}

export function embeddedKafkaSettings(src: ValuesSource): EmbeddedKafkaSettings {
  const managed = kafkaSettingsFromValues((src.values ?? {}) as Values);
  const mechanism = requireString(src, dotted(kafkaFactKeys.saslMechanism));
  if (mechanism !== "SCRAM-SHA-512") {
    throw new Error(
      `${src.file}: \`auth.sasl.mechanism\` is ${mechanism}; the embedded environment supports SCRAM-SHA-512`,
    );
  }
  const saslUsers = requireStringList(src, dotted(kafkaChartKeys.users));
  if (saslUsers.length === 0) throw new Error(`${src.file}: \`auth.sasl.users\` must name at least one user`);
  return {
    config: requireFlatMap(src, dotted(kafkaFactKeys.config)),
    ports: {
      client: requireNumber(src, dotted(kafkaFactKeys.clientPort)),
      internal: requireNumber(src, dotted(kafkaFactKeys.internalPort)),
      controller: requireNumber(src, dotted(kafkaFactKeys.controllerPort)),
    },
    saslMechanism: mechanism,
    saslUsers,
    pools: {
      brokers: {
        replicas: requireManaged(src, managed, "brokers", "number"),
        nodeIdBase: requireNumber(src, dotted(kafkaFactKeys.brokerNodeIdBase)),
      },
      controllers: {
        replicas: requireManaged(src, managed, "controllers", "number"),
        nodeIdBase: requireNumber(src, dotted(kafkaFactKeys.controllerNodeIdBase)),
      },
    },
    expected: kafkaExpected({
      replicationFactor: requireManaged(src, managed, "replicationFactor", "number"),
      minInsyncReplicas: requireManaged(src, managed, "minInsyncReplicas", "number"),
      uncleanLeaderElection: requireManaged(src, managed, "uncleanLeaderElection", "boolean"),
      autoCreateTopics: requireManaged(src, managed, "autoCreateTopics", "boolean"),
    }),
  };
}

export const readKafkaSettings = () => embeddedKafkaSettings(loadValues("kafka"));

/** Pure: the chart's Kafka settings with the environment's broker count in place of `brokers.replicas`. */
export function withKafkaBrokers(k: EmbeddedKafkaSettings, brokers: number | undefined): EmbeddedKafkaSettings {
  if (brokers === undefined) return k;
  return { ...k, pools: { ...k.pools, brokers: { ...k.pools.brokers, replicas: brokers } } };
}

/** Keys whose value depends on where a node runs: the topology decides them, a chart value is replaced. */
const TOPOLOGY_KEYS = [
  "node.id",
  "broker.id",
  "process.roles",
  "listeners",
  "advertised.listeners",
  "listener.security.protocol.map",
  "inter.broker.listener.name",
  "controller.listener.names",
  "controller.quorum.voters",
  "controller.quorum.bootstrap.servers",
  "log.dirs",
  "log.dir",
  "metadata.log.dir",
  "sasl.enabled.mechanisms",
  "sasl.mechanism.inter.broker.protocol",
  "sasl.mechanism.controller.protocol",
];

/** Pod-only settings: rack from the Kubernetes zone label, values filled from the pod's environment. */
function kubernetesOnly(key: string, value: Scalar): string | undefined {
  if (key === "broker.rack") return "the rack is the pod's zone on Kubernetes; embedded nodes share one host";
  if (typeof value === "string" && value.includes("${")) return "filled from the pod's environment on Kubernetes";
  return undefined;
}

export function chartBrokerConfig(settings: EmbeddedKafkaSettings): SplitChartConfig {
  return splitChartConfig(
    settings.config,
    (key) => TOPOLOGY_KEYS.includes(key) || key.startsWith("listener.name."),
    kubernetesOnly,
  );
}

/**
 * Settings the embedded default adds to the chart's, because it runs in one home directory that every bring-up, CI run
 * and bench shares: the chart's 7-day time retention alone let its topics grow to 15 GB per node and fill the disk.
 * Each partition keeps at most 256 MiB, in 64 MiB segments (retention removes whole closed segments only). A gate or
 * drill writes tens of MB per partition and reads it as it goes, so retention only ever removes earlier runs' data.
 */
export const EMBEDDED_ONLY_SETTINGS: Record<string, string> = {
  "log.retention.bytes": String(256 * 1024 * 1024),
  "log.segment.bytes": String(64 * 1024 * 1024),
};

export const LISTENER = { client: "CLIENT", internal: "INTERNAL", controller: "CONTROLLER" } as const;

/** Passwords of the chart's two service users, generated by the environment. */
export interface ServicePasswords {
  interBroker: string;
  controller: string;
}

const scramJaas = (user: string, password: string) =>
  `org.apache.kafka.common.security.scram.ScramLoginModule required username="${user}" password="${password}";`;
const plainJaas = (user: string, password: string) =>
  `org.apache.kafka.common.security.plain.PlainLoginModule required username="${user}" password="${password}" user_${user}="${password}";`;

/** server.properties for one node: chart settings first, then the node's identity, listeners and authentication. */
export function kafkaServerProperties(
  settings: EmbeddedKafkaSettings,
  node: EmbeddedNode,
  cluster: EmbeddedNode[],
  dataDir: string,
  passwords: ServicePasswords,
): Record<string, string> {
  const { ports } = settings;
  const isBroker = node.roles.includes("broker");
  const isController = node.roles.includes("controller");
  const scram = settings.saslMechanism;
  const voters = cluster
    .filter((n) => n.roles.includes("controller"))
    .map((n) => `${n.nodeId}@${n.address}:${ports.controller}`);
  const brokerListeners = [
    `${LISTENER.client}://${node.address}:${ports.client}`,
    `${LISTENER.internal}://${node.address}:${ports.internal}`,
  ];
  const listeners = [
    ...(isBroker ? brokerListeners : []),
    ...(isController ? [`${LISTENER.controller}://${node.address}:${ports.controller}`] : []),
  ];
  const props: Record<string, string> = {
    ...chartBrokerConfig(settings).config,
    ...EMBEDDED_ONLY_SETTINGS,
    "node.id": String(node.nodeId),
    "process.roles": node.roles.join(","),
    listeners: listeners.join(","),
    "listener.security.protocol.map": Object.values(LISTENER)
      .map((l) => `${l}:SASL_PLAINTEXT`)
      .join(","),
    "controller.listener.names": LISTENER.controller,
    "controller.quorum.voters": voters.join(","),
    "log.dirs": dataDir,
    // Every node talks to the controllers as `controller` over SASL/PLAIN (KRaft cannot use SCRAM there).
    "sasl.mechanism.controller.protocol": "PLAIN",
    "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
    "listener.name.controller.plain.sasl.jaas.config": plainJaas(CONTROLLER_USER, passwords.controller),
  };
  if (isBroker) {
    Object.assign(props, {
      "advertised.listeners": brokerListeners.join(","),
      "inter.broker.listener.name": LISTENER.internal,
      "sasl.enabled.mechanisms": scram,
      "sasl.mechanism.inter.broker.protocol": scram,
      [`listener.name.client.${scram.toLowerCase()}.sasl.jaas.config`]:
        "org.apache.kafka.common.security.scram.ScramLoginModule required;",
      [`listener.name.internal.${scram.toLowerCase()}.sasl.jaas.config`]: scramJaas(
        INTER_BROKER_USER,
        passwords.interBroker,
      ),
    });
  }
  return props;
}

/** Client config for the Java tools that talk to the controller listener (active controller lookup). */
export function controllerClientProperties(passwords: ServicePasswords): Record<string, string> {
  return {
    "security.protocol": "SASL_PLAINTEXT",
    "sasl.mechanism": "PLAIN",
    // Fail fast when the controller asked is gone (the default waits a minute), so callers can retry elsewhere.
    "request.timeout.ms": "5000",
    "default.api.timeout.ms": "8000",
    "sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required username="${CONTROLLER_USER}" password="${passwords.controller}";`,
  };
}

/** Renders a properties file; values never need escaping here except backslashes. */
export function renderProperties(props: Record<string, string>): string {
  return `${Object.entries(props)
    .map(([k, v]) => `${k}=${v.replace(/\\/g, "\\\\")}`)
    .join("\n")}\n`;
}

/** JVM heap per node, sized for 2 cores and 24 GiB shared by six brokers (the chart derives it from pod limits). */
export const KAFKA_HEAP = ["-Xms768m", "-Xmx1g"];
