// Which Kafka client library a workload's producers use. The client is what an application brings to a broker loss,
// so the drills, the bench and the comparison run each one with the settings its maintainers give for no loss, and
// every report names the client and those settings. The consumer that counts is the same for all (kafkajs), so a
// difference in lost or duplicated writes is the producer's.

import { isKafkaClientName, type KafkaClientName, kafkaClientNames } from "../../contract/kafka-clients";
import type { KafkaProducerClient } from "./kafka-producer";
import { DEFAULT_DELIVERY_TIMEOUT_MS, KafkaPublisher, kafka, kafkajsIdempotent } from "./kafkajs";

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
