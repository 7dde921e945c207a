// The Kafka client libraries a workload can run with: named here, once, because the stack config (gate.kafkaClient),
// the command lines (--kafka-client) and the reports all use these words.
export const kafkaClientNames = ["kafkajs", "librdkafka", "platformatic"] as const;
export type KafkaClientName = (typeof kafkaClientNames)[number];
/** The client the gate, drills and bench use unless told otherwise. */
export const defaultKafkaClient: KafkaClientName = "kafkajs";

export function isKafkaClientName(value: unknown): value is KafkaClientName {
  return kafkaClientNames.includes(value as KafkaClientName);
}
