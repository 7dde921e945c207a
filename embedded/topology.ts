// Which nodes exist and where they live: one network namespace per node on the bridge mpbr0, addresses in
// 10.213.0.0/24 that exist only inside namespaces this environment creates (no route, NAT or DNS beyond them).

export const network = {
  bridge: "mpbr0",
  hostAddress: "10.213.0.1",
  prefixLength: 24,
  subnet: "10.213.0",
} as const;

/** A host of its own for a client container (the smoke-gate image under runc): a peer of the brokers, not a broker. */
export const clientHost = { netns: "mp-client-0", hostVeth: "mpvclient0", address: `${network.subnet}.30` } as const;

export type System = "kafka" | "rabbitmq";
export type KafkaMode = "combined" | "dedicated";
export type Role = "broker" | "controller";

export interface EmbeddedNode {
  /** Name used everywhere else (Target, fault CLI, logs): kafka-0, rabbitmq-2, kafka-controller-1. */
  name: string;
  system: System;
  ordinal: number;
  roles: Role[];
  address: string;
  /** Network namespace that plays this node's host. */
  netns: string;
  /** Host side of the veth pair (interface names are limited to 15 characters). */
  hostVeth: string;
  /** Host name peers use; RabbitMQ node names are rabbit@<hostname>. */
  hostname: string;
  /** Kafka node.id (from the chart's nodeIdBase + ordinal); unused for RabbitMQ. */
  nodeId: number;
}

function node(
  system: System,
  kind: string,
  ordinal: number,
  roles: Role[],
  firstOctet: number,
  short: string,
  nodeIdBase = 0,
): EmbeddedNode {
  const name = `${kind}-${ordinal}`;
  return {
    name,
    system,
    ordinal,
    roles,
    address: `${network.subnet}.${firstOctet + ordinal}`,
    netns: `mp-${name}`,
    hostVeth: `mpv${short}${ordinal}`,
    hostname: system === "rabbitmq" ? `rmq-${ordinal}` : name,
    nodeId: nodeIdBase + ordinal,
  };
}

/** Kafka brokers get 10.213.0.10+i and RabbitMQ nodes start at .20: at most 10 brokers fit. */
export const MAX_KAFKA_BROKERS = 10;

/** Pool sizes and node ids, as the Kafka chart's values declare them. */
export interface KafkaPools {
  brokers: { replicas: number; nodeIdBase: number };
  controllers: { replicas: number; nodeIdBase: number };
}

/**
 * Kafka nodes: combined broker+controllers (brokers.replicas of them, with the brokers' ids, as the chart's combined
 * mode does), or brokers plus dedicated controllers.
 */
export function kafkaNodes(mode: KafkaMode, pools: KafkaPools): EmbeddedNode[] {
  const { brokers, controllers } = pools;
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  if (mode === "combined") {
    return range(brokers.replicas).map((i) =>
      node("kafka", "kafka", i, ["broker", "controller"], 10, "k", brokers.nodeIdBase),
    );
  }
  return [
    ...range(brokers.replicas).map((i) => node("kafka", "kafka", i, ["broker"], 10, "k", brokers.nodeIdBase)),
    ...range(controllers.replicas).map((i) =>
      node("kafka", "kafka-controller", i, ["controller"], 30, "c", controllers.nodeIdBase),
    ),
  ];
}

export function rabbitmqNodes(count = 3): EmbeddedNode[] {
  return Array.from({ length: count }, (_, i) => node("rabbitmq", "rabbitmq", i, [], 20, "r"));
}

export function rabbitmqNodeName(n: EmbeddedNode): string {
  return `rabbit@${n.hostname}`;
}
