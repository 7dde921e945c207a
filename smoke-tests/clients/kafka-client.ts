// Which Kafka client library a workload's producers use. The client is what an application brings to a broker loss,
// so the drills, the bench and the comparison run each one with the settings its maintainers give for no loss, and
// every report names the client and those settings. The consumer that counts is the same for all (kafkajs), so a
// difference in lost or duplicated writes is the producer's.

import { topicPartitions } from "../../brokers/kafka";
import { isKafkaClientName, type KafkaClientName, kafkaClientNames } from "../../contract/kafka-clients";
import type { KafkaTarget } from "../../contract/target";
import { DEFAULT_DELIVERY_TIMEOUT_MS, KafkaPublisher, kafka, kafkajsIdempotent, type PublisherAcks } from "./kafka";
import type { Publisher } from "./types";

export { defaultKafkaClient, type KafkaClientName, kafkaClientNames } from "../../contract/kafka-clients";

/** Pure: the client a flag or a stack setting names, or an error naming the field, the value and the rule. */
export function parseKafkaClient(value: string, field = "--kafka-client"): KafkaClientName {
  if (isKafkaClientName(value)) return value;
  throw new Error(`${field} = ${value}: must be one of ${kafkaClientNames.join(", ")}`);
}

/** Pure: a comma-separated list of clients ("all" = every one), each checked, none twice. */
export function parseKafkaClients(value: string, field = "--kafka-clients"): KafkaClientName[] {
  if (value === "all") return [...kafkaClientNames];
  const names = value.split(",").map((v) => parseKafkaClient(v.trim(), field));
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new Error(`${field} = ${value}: ${twice} is named twice`);
  return names;
}

export interface PublisherOptions {
  clientId: string;
  acks: PublisherAcks;
  onError?: (what: string) => void;
}

export interface KafkaProducerClient {
  name: KafkaClientName;
  /** Library, version and the durability settings that ran, for reports (never a credential). */
  describe(acks: PublisherAcks): string;
  /** Whether the producer runs idempotent with these acks, read from the very settings it is opened with. */
  idempotent(acks: PublisherAcks): boolean;
  openPublisher(target: KafkaTarget, topic: string, opts: PublisherOptions): Promise<Publisher>;
}

/** The topic's partitions, or an error naming the topic when it has none (it does not exist). */
export async function partitionsOf(target: KafkaTarget, topic: string): Promise<number[]> {
  const partitions = (await topicPartitions(kafka(target, { clientId: "mp-metadata", retries: 2 }), topic))
    .map((p) => p.partition)
    .sort((a, b) => a - b);
  if (partitions.length === 0) throw new Error(`topic ${topic} has no partitions (does it exist?)`);
  return partitions;
}

const kafkajsClient: KafkaProducerClient = {
  name: "kafkajs",
  describe: (acks) =>
    acks === "all"
      ? `kafkajs 2.2.4: idempotent, acks=all, maxInFlightRequests 5, retries 8, one send per partition at a time, a new producer after a failed send, delivery timeout ${DEFAULT_DELIVERY_TIMEOUT_MS} ms`
      : "kafkajs 2.2.4: acks=1, not idempotent (unsafe)",
  idempotent: kafkajsIdempotent,
  async openPublisher(target, topic, opts) {
    return KafkaPublisher.open(kafka(target, { clientId: opts.clientId, onError: opts.onError }), topic, opts.acks);
  },
};

/**
 * The client for a name. librdkafka and platformatic load on first use only: a kafkajs run never needs the native
 * build, and a missing build says how to make it.
 */
export function kafkaProducerClient(name: KafkaClientName): KafkaProducerClient {
  if (name === "kafkajs") return kafkajsClient;
  if (name === "librdkafka") return require("./librdkafka").librdkafkaClient;
  return require("./platformatic-kafka").platformaticClient;
}
