// What every Kafka producer library offers the workload: one interface, so kafkajs, librdkafka and
// @platformatic/kafka are interchangeable. Its own module, so each implementation and the registry that picks one
// (kafka-client.ts) import it and never each other.
import type { KafkaClientName } from "../../contract/kafka-clients";
import type { KafkaTarget } from "../../contract/target";
import type { Publisher } from "./types";

export type PublisherAcks = "all" | "leader";

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
