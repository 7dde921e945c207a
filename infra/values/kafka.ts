// Settings ↔ charts/kafka values. This file is the only place that knows the chart's key names and object names;
// everything else speaks in settings (infra/settings/).
import type { NodeRef } from "../../contract/target";
import { deepMerge, nest, pick, scalar, type Values } from "./common";

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
const chartKeys: Record<keyof KafkaChartSettings, readonly string[]> = {
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

/** What the program wires into the chart: the Secrets it creates (keys documented on each) and client peers. */
export interface KafkaWiring {
  /** One key per SCRAM user name (client users plus internalKafkaUsers), value = that user's password. */
  scramUsers: string;
  /** Key `cluster-id`: the KRaft cluster id (22 characters, base64url of 16 random bytes). */
  clusterId: string;
  /** NetworkPolicy peers admitted to the client listener (chart `networkPolicy.clientFrom`). */
  clientFrom: unknown[];
}

/** charts/kafka takes both as existing Secrets (values.yaml `auth.sasl.existingSecret`, `kraft.existingClusterIdSecret`). */
const secretKeys = {
  scramUsers: ["auth", "sasl", "existingSecret"],
  clusterId: ["kraft", "existingClusterIdSecret"],
} as const;

/** The chart's own SASL identities: its users Secret needs a password for each, next to the client users. */
export const internalKafkaUsers = ["inter-broker", "controller"] as const;

/** Reads the managed settings out of chart values, as found (validation happens in settings.ts). */
export function kafkaSettingsFromValues(values: Values): Record<keyof KafkaChartSettings, unknown> {
  const out = {} as Record<keyof KafkaChartSettings, unknown>;
  for (const [setting, path] of Object.entries(chartKeys) as Array<[keyof KafkaChartSettings, readonly string[]]>) {
    out[setting] = scalar(pick(values, path));
  }
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
    clientPort: Number(pick(values, ["listeners", "client", "port"]) ?? 9092),
    controllerPort: Number(pick(values, ["listeners", "controller", "port"]) ?? 9093),
    brokerNodeIdBase: Number(pick(values, ["brokers", "nodeIdBase"]) ?? 100),
    controllerNodeIdBase: Number(pick(values, ["controllers", "nodeIdBase"]) ?? 0),
    clusterDomain: String(pick(values, ["clusterDomain"]) ?? "cluster.local"),
    clientTls: pick(values, ["listeners", "client", "tls", "enabled"]) === true,
  };
}

/**
 * The values handed to the chart: the example file with the stack's settings written over it. Internal topics
 * (__consumer_offsets, transaction state) get the same replication as user topics: the broker defaults for them
 * ignore default.replication.factor, and a lost offsets partition is lost consumer progress.
 */
export function kafkaChartValues(example: Values, s: KafkaChartSettings, wiring: KafkaWiring): Values {
  // In combined mode the broker pool holds the voters: controllers.replicas means nothing and stays as the file has it.
  const managed = Object.entries(chartKeys)
    .filter(([setting]) => !(setting === "controllers" && s.kraftMode === "combined"))
    .map(([setting, path]) => nest(path, s[setting as keyof KafkaChartSettings]));
  return deepMerge(
    example,
    ...managed,
    nest(["config"], {
      "offsets.topic.replication.factor": s.replicationFactor,
      "transaction.state.log.replication.factor": s.replicationFactor,
      "transaction.state.log.min.isr": s.minInsyncReplicas,
    }),
    nest(secretKeys.scramUsers, wiring.scramUsers),
    nest(secretKeys.clusterId, wiring.clusterId),
    { networkPolicy: { enabled: true, clientFrom: wiring.clientFrom } },
  );
}

export interface KafkaTopology {
  statefulSets: string[];
  /** Label selector matching every Kafka pod of the release (brokers and controllers). */
  podSelector: string;
  /** Labels of the pods clients connect to (the brokers). */
  brokerPodLabels: Record<string, string>;
  nodes: NodeRef[];
  bootstrapServers: string[];
}

/** The chart's `kafka.fullname`: the release name when it already contains "kafka", else `<release>-kafka`. */
export function kafkaFullname(release: string): string {
  return (release.includes("kafka") ? release : `${release}-kafka`).slice(0, 40).replace(/-+$/, "");
}

/**
 * Object names charts/kafka renders for a release (templates/_helpers.tpl): StatefulSets `<fullname>-controller`
 * and `<fullname>-broker`, each with a headless Service `<name>-headless`; node ids nodeIdBase + ordinal; in
 * combined mode the broker pool holds the KRaft voters.
 */
export function kafkaTopology(
  t: {
    release: string;
    namespace: string;
    kraftMode: KraftMode;
    brokers: number;
    controllers: number;
  } & KafkaChartFacts,
): KafkaTopology {
  const instance = { "app.kubernetes.io/name": "kafka", "app.kubernetes.io/instance": t.release };
  const host = (sts: string, i: number) => `${sts}-${i}.${sts}-headless.${t.namespace}.svc.${t.clusterDomain}`;
  const broker = `${kafkaFullname(t.release)}-broker`;
  const controller = `${kafkaFullname(t.release)}-controller`;
  const combined = t.kraftMode === "combined";
  const brokerNodes: NodeRef[] = range(t.brokers).map((i) => ({
    name: `${broker}-${i}`,
    host: host(broker, i),
    id: String(t.brokerNodeIdBase + i),
    roles: combined ? ["broker", "controller"] : ["broker"],
  }));
  const controllerNodes: NodeRef[] = combined
    ? []
    : range(t.controllers).map((i) => ({
        name: `${controller}-${i}`,
        host: host(controller, i),
        id: String(t.controllerNodeIdBase + i),
        roles: ["controller"],
      }));
  return {
    statefulSets: combined ? [broker] : [controller, broker],
    podSelector: selector(instance),
    brokerPodLabels: { ...instance, "app.kubernetes.io/component": "broker" },
    nodes: [...controllerNodes, ...brokerNodes],
    bootstrapServers: brokerNodes.map((n) => `${n.host}:${t.clientPort}`),
  };
}
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export function selector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}
