// The embedded environment described as a Target (contract/target.ts): the same plain data a deployed stack's
// outputs produce, so every smoke test and drill runs unchanged against either. Expectations come from the chart
// values through chart-values/, the reader the Pulumi program uses too; the Target from contract/build-target.ts.
import { buildTarget } from "../contract/build-target";
import type { Target } from "../contract/target";
import { brokers, type KafkaCluster } from "./kafka/cluster";
import type { EmbeddedKafkaSettings } from "./kafka/config";
import type { RabbitCluster } from "./rabbitmq/cluster";
import { readJson, stateDir, statePaths } from "./state";
import { rabbitmqNodeName } from "./topology";

/**
 * Partitions of the smoke topic: one per broker; twice that when there are more brokers than replicas, so that each
 * broker is a replica of none of about 2 × (brokers − RF) partitions and a fault's stall there, the client's own, is
 * measured on more than one.
 */
export function smokeTopicPartitions(brokers: number, replicationFactor: number): number {
  return brokers > replicationFactor ? 2 * brokers : brokers;
}

/** Topics the platform declares for the smoke tests: partitions by the broker count, the chart's durability. */
export function declaredTopics(s: EmbeddedKafkaSettings) {
  return [
    {
      name: "smoke-tests",
      partitions: smokeTopicPartitions(s.pools.brokers.replicas, s.expected.replicationFactor),
      replicationFactor: s.expected.replicationFactor,
      minInsyncReplicas: s.expected.minInsyncReplicas,
    },
  ];
}

export const declaredQueues = () => [{ name: "smoke-tests", type: "quorum" as const }];

export function embeddedTargetOf(env: { kafka: KafkaCluster; rabbitmq: RabbitCluster }): Target {
  const k = env.kafka;
  const [username, password] = Object.entries(k.users)[0] ?? ["", ""];
  const r = env.rabbitmq;
  return buildTarget({
    name: "embedded",
    placement: { kind: "embedded", stateDir },
    kafka: {
      bootstrapServers: brokers(k).map((n) => `${n.address}:${k.settings.ports.client}`),
      username,
      password,
      tls: false,
      nodes: k.nodes.map((n) => ({ name: n.name, host: n.address, id: String(n.nodeId), roles: n.roles })),
      expected: k.settings.expected,
      topics: declaredTopics(k.settings),
    },
    rabbitmq: {
      amqpUrls: r.nodes.map((n) => `amqp://${n.address}:${r.settings.ports.amqp}`),
      managementUrls: r.nodes.map((n) => `http://${n.address}:${r.settings.ports.management}`),
      username: r.username,
      password: r.password,
      vhost: "/",
      nodes: r.nodes.map((n) => ({ name: n.name, host: n.address, id: rabbitmqNodeName(n), roles: ["broker"] })),
      expected: r.settings.expected,
      queues: declaredQueues(),
    },
  });
}

/** The running embedded environment's target, as `up` wrote it. */
export function embeddedTarget(): Target {
  const t = readJson<Target>(statePaths.target);
  if (!t) throw new Error(`${statePaths.target} does not exist: run \`npm run embedded:up\` first`);
  return t;
}
