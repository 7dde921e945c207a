// The embedded environment described as a Target (contract/target.ts): the same plain data a deployed stack's
// outputs produce, so every smoke test and drill runs unchanged against either. Expectations are read from the
// chart values, never retyped here.
import type { Target } from "../contract/target";
import { brokers, type KafkaCluster } from "./kafka/cluster";
import type { KafkaChartSettings } from "./kafka/config";
import type { RabbitCluster } from "./rabbitmq/cluster";
import type { RabbitMQChartSettings } from "./rabbitmq/config";
import { readJson, stateDir, statePaths } from "./state";
import { rabbitmqNodeName } from "./topology";

function chartConfig(config: Record<string, unknown>, key: string, chart: string): string {
  const v = config[key];
  if (v === undefined) throw new Error(`charts/${chart}/values.yaml has no \`config.${key}\` (needed by the target)`);
  return String(v);
}

const kafkaConfig = (s: KafkaChartSettings, key: string) => chartConfig(s.config, key, "kafka");

/** Topics the platform declares for the smoke tests: one partition per broker, the chart's durability. */
export function declaredTopics(s: KafkaChartSettings) {
  return [
    {
      name: "smoke-tests",
      partitions: 3,
      replicationFactor: Number(kafkaConfig(s, "default.replication.factor")),
      minInsyncReplicas: Number(kafkaConfig(s, "min.insync.replicas")),
    },
  ];
}

export const declaredQueues = () => [{ name: "smoke-tests", type: "quorum" as const }];

function rabbitExpected(s: RabbitMQChartSettings) {
  const queueType = chartConfig(s.config, "default_queue_type", "rabbitmq");
  if (queueType !== "quorum") throw new Error(`charts/rabbitmq/values.yaml: config.default_queue_type is ${queueType}`);
  return {
    defaultQueueType: "quorum" as const,
    quorumInitialGroupSize: Number(chartConfig(s.config, "quorum_queue.initial_cluster_size", "rabbitmq")),
    clusterSize: s.replicas,
  };
}

export function buildTarget(env: { kafka: KafkaCluster; rabbitmq: RabbitCluster }): Target {
  const k = env.kafka;
  const [username, password] = Object.entries(k.users)[0] ?? ["", ""];
  const r = env.rabbitmq;
  return {
    name: "embedded",
    placement: { kind: "embedded", stateDir },
    kafka: {
      bootstrapServers: brokers(k).map((n) => `${n.address}:${k.settings.ports.client}`),
      sasl: { mechanism: "scram-sha-512", username, password },
      tls: false,
      nodes: k.nodes.map((n) => ({ name: n.name, host: n.address, id: String(n.nodeId), roles: n.roles })),
      expected: {
        replicationFactor: Number(kafkaConfig(k.settings, "default.replication.factor")),
        minInsyncReplicas: Number(kafkaConfig(k.settings, "min.insync.replicas")),
        uncleanLeaderElection: kafkaConfig(k.settings, "unclean.leader.election.enable") === "true",
        autoCreateTopics: kafkaConfig(k.settings, "auto.create.topics.enable") === "true",
      },
      topics: declaredTopics(k.settings),
    },
    rabbitmq: {
      amqpUrls: r.nodes.map((n) => `amqp://${n.address}:${r.settings.ports.amqp}`),
      managementUrls: r.nodes.map((n) => `http://${n.address}:${r.settings.ports.management}`),
      username: r.username,
      password: r.password,
      vhost: "/",
      nodes: r.nodes.map((n) => ({ name: n.name, host: n.address, id: rabbitmqNodeName(n), roles: ["broker"] })),
      expected: rabbitExpected(r.settings),
      queues: declaredQueues(),
    },
  };
}

/** The running embedded environment's target, as `up` wrote it. */
export function embeddedTarget(): Target {
  const t = readJson<Target>(statePaths.target);
  if (!t) throw new Error(`${statePaths.target} does not exist: run \`npm run embedded:up\` first`);
  return t;
}
