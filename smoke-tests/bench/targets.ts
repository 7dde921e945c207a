// The ratios issue 28 sets for our clients against the reference tools, as named figures, and whether a median meets
// one. A client below its target is shown with a CPU profile of its rounds (`--profile`), never given a lower target.
import type { KafkaClientName } from "../../contract/kafka-clients";
import type { SystemName } from "../../contract/systems";

/** kafkajs against ProducerPerformance at our settings (kafkajs's own limits, one send per partition at a time). */
export const KAFKAJS_TARGET_AT_OUR_SETTINGS = 0.8;
/** librdkafka and @platformatic/kafka against ProducerPerformance at its best settings. */
export const KAFKA_CLIENT_TARGET_AT_BEST = 0.9;
/** amqplib against PerfTest at its best confirm window. */
export const RABBITMQ_TARGET_AT_BEST = 0.9;

export interface RatioTarget {
  /** Which ratio the target is for: against the reference at our settings, or at its best. */
  against: "our settings" | "its best";
  target: number;
}

/** Pure: the target for a system's ratio (Kafka: by the client that produced). */
export function ratioTarget(system: SystemName, client?: KafkaClientName): RatioTarget {
  if (system === "rabbitmq") return { against: "its best", target: RABBITMQ_TARGET_AT_BEST };
  return client === undefined || client === "kafkajs"
    ? { against: "our settings", target: KAFKAJS_TARGET_AT_OUR_SETTINGS }
    : { against: "its best", target: KAFKA_CLIENT_TARGET_AT_BEST };
}

/** Pure: "meets 0.8" or "below 0.8" (a ratio not measured, NaN, is below). */
export function targetVerdict(ratio: number, target: number): string {
  return ratio >= target ? `meets ${target}` : `below ${target}`;
}

/** Pure: the ratio the target is for, out of a median pair, and the verdict on it: "target 0.8 at our settings: below 0.8". */
export function targetLine(t: RatioTarget, medianRatio: number, medianRatioBest: number): string {
  const ratio = t.against === "our settings" ? medianRatio : medianRatioBest;
  return `target ${t.target} at ${t.against}: ${targetVerdict(ratio, t.target)}`;
}
