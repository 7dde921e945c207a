// Shared steps of the live-cluster tests: observations of what the peers of a node see, each a condition that the
// tests wait for with a named timeout.

import { underReplicated } from "../../brokers/kafka";
import type { Environment } from "../environment";
import { nodeCondition } from "../faults";
import { waitRabbitMQHealthy } from "../health";
import * as kafka from "../kafka/cluster";
import * as rabbit from "../rabbitmq/cluster";
import { type EmbeddedNode, rabbitmqNodeName } from "../topology";
import { waitFor } from "../waits";

/** Kafka fences a broker that missed heartbeats for broker.session.timeout.ms (9 s by default), plus slack. */
export const KAFKA_DETECTION_MS = 30_000;
/** Erlang notices a silent peer after net_ticktime (15 s on the embedded nodes) plus up to a quarter of it, plus slack. */
export const RABBIT_DETECTION_MS = 45_000;
export const REJOIN_MS = 90_000;

export const peersOf = (nodes: EmbeddedNode[], victim: EmbeddedNode) => nodes.filter((n) => n.name !== victim.name);

export function kafkaBrokerIdsSeenBy(env: Environment, askers: EmbeddedNode[]): Promise<number[]> {
  return kafka.registeredBrokers(env.kafka, askers);
}

export async function waitKafkaPeersSeeGone(env: Environment, victim: EmbeddedNode): Promise<void> {
  const peers = peersOf(kafka.brokers(env.kafka), victim);
  await waitFor(`Kafka peers to fence ${victim.name}`, KAFKA_DETECTION_MS, async () => {
    const ids = await kafkaBrokerIdsSeenBy(env, peers);
    return ids.length === peers.length && !ids.includes(victim.nodeId);
  });
}

export async function waitKafkaRejoined(env: Environment, node: EmbeddedNode): Promise<void> {
  await waitFor(`${node.name} to be registered and back in every ISR`, REJOIN_MS, async () => {
    const ids = await kafka.registeredBrokers(env.kafka);
    if (!ids.includes(node.nodeId)) return false;
    return underReplicated(await kafka.partitions(env.kafka)).length === 0;
  });
}

export async function waitRabbitPeersSeeGone(env: Environment, victim: EmbeddedNode): Promise<void> {
  const peers = peersOf(env.rabbitmq.nodes, victim);
  await waitFor(`RabbitMQ peers to see ${victim.name} stopped`, RABBIT_DETECTION_MS, async () => {
    for (const peer of peers) {
      const running = await rabbit.runningMembers(env.rabbitmq, peer);
      if (running.includes(rabbitmqNodeName(victim))) return false;
    }
    return true;
  });
}

export async function waitRabbitRejoined(env: Environment): Promise<void> {
  await waitRabbitMQHealthy(env, REJOIN_MS);
}

export const isDown = (node: EmbeddedNode) => nodeCondition(node).process === "gone";
