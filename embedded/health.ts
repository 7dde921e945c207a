// Waits until the environment's clusters are healthy by the one definition of healthy (brokers/kafka.ts
// kafkaHealth, brokers/rabbitmq.ts rabbitHealth), asked of the environment's own target: what `up` waits for is what
// the drills and the deploy wait for.
import { kafkaHealth } from "../brokers/kafka";
import { rabbitHealth } from "../brokers/rabbitmq";
import type { Health } from "../contract/health";
import { type KafkaCluster, kafkaClientFor } from "./kafka/cluster";
import type { RabbitCluster } from "./rabbitmq/cluster";
import { embeddedTargetOf } from "./target";
import { waitFor } from "./waits";

export interface Clusters {
  kafka: KafkaCluster;
  rabbitmq: RabbitCluster;
}

export const kafkaHealthOf = (env: Clusters): Promise<Health> =>
  kafkaHealth(kafkaClientFor(env.kafka), embeddedTargetOf(env).kafka);

export const rabbitHealthOf = (env: Clusters): Promise<Health> => rabbitHealth(embeddedTargetOf(env).rabbitmq);

async function waitHealth(what: string, timeoutMs: number, probe: () => Promise<Health>): Promise<string> {
  return waitFor(`${what} to be healthy`, timeoutMs, async () => {
    const h = await probe();
    if (!h.healthy) throw new Error(h.detail);
    return h.detail;
  });
}

export const waitKafkaHealthy = (env: Clusters, timeoutMs: number) =>
  waitHealth(`Kafka (${env.kafka.nodes.map((n) => n.name).join(", ")})`, timeoutMs, () => kafkaHealthOf(env));

export const waitRabbitMQHealthy = (env: Clusters, timeoutMs: number) =>
  waitHealth(`RabbitMQ (${env.rabbitmq.nodes.map((n) => n.name).join(", ")})`, timeoutMs, () => rabbitHealthOf(env));
