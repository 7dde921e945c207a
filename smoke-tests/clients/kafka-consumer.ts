// Which library the counting consumer reads Kafka with. The ledger is one whichever reads: every consumer hands it the
// same deliveries (kafka-positions.ts); only how fast it reads differs, and the bench measures that (issue 28: the
// kafkajs consumer did not keep up with the producers it counted).
import type { KafkaTarget } from "../../contract/target";
import { KafkaSubscriber, kafka } from "./kafkajs";
import type { Subscriber } from "./types";

export const kafkaConsumerNames = ["kafkajs", "platformatic"] as const;
export type KafkaConsumerName = (typeof kafkaConsumerNames)[number];
/** Unchanged until the bench measured the other one keeping up. */
export const defaultKafkaConsumer: KafkaConsumerName = "kafkajs";

/** Pure: the consumer a flag or a setting names, or an error naming the field, the value and the rule. */
export function parseKafkaConsumer(value: string, field = "--kafka-consumer"): KafkaConsumerName {
  if ((kafkaConsumerNames as readonly string[]).includes(value)) return value as KafkaConsumerName;
  throw new Error(`${field} = ${value}: must be one of ${kafkaConsumerNames.join(", ")}`);
}

export interface KafkaSubscriberRequest {
  consumer: KafkaConsumerName;
  target: KafkaTarget;
  topic: string;
  groupId: string;
  clientId: string;
  onError?: (what: string) => void;
  /** One of several consumers of the group (workers): each reads its assigned partitions. */
  shared?: boolean;
}

/** A counting consumer on the named library; platformatic loads on first use only. */
export function kafkaSubscriber(r: KafkaSubscriberRequest): Subscriber {
  if (r.consumer === "kafkajs") {
    const client = kafka(r.target, { clientId: r.clientId, onError: r.onError });
    return new KafkaSubscriber(client, r.topic, r.groupId, r.onError, r.shared ?? false);
  }
  const { PlatformaticSubscriber } = require("./platformatic-subscriber") as typeof import("./platformatic-subscriber");
  return new PlatformaticSubscriber(r.target, r.topic, r.groupId, {
    clientId: r.clientId,
    ...(r.onError ? { onError: r.onError } : {}),
    ...(r.shared ? { shared: r.shared } : {}),
  });
}
