// How many workers a Kafka topic can take: every worker's consumer joins one group (docs/workers.md), and a group
// gives each partition to one consumer, so a worker beyond the partitions would consume nothing and its share of the
// reads would never be "read to the end". RabbitMQ's workers compete on one queue: no such limit.
import type { GateProblem } from "./gate-settings";
import type { SystemName } from "./systems";

/** The Kafka topic the workers share: its name for the message, its partition count for the rule. */
export interface SharedTopic {
  name: string;
  partitions: number;
}

/**
 * Pure: the problem with running `workers` workers of `system` on `topic`, or undefined when there is none. `field`
 * names where the count came from (`--workers`, `gate.workers`), so the refusal names field, value and rule.
 */
export function workersBeyondPartitions(
  system: SystemName,
  workers: number,
  topic: SharedTopic | undefined,
  field = "--workers",
): GateProblem | undefined {
  if (system !== "kafka" || workers <= 1 || topic === undefined || workers <= topic.partitions) return undefined;
  return {
    field,
    value: workers,
    rule:
      `must be at most the ${topic.partitions} partitions of Kafka topic ${topic.name}: the workers' consumers share ` +
      "one group, which gives each partition to one consumer, so a worker beyond them would consume nothing",
  };
}

/** Throws `<field> = <value> <rule>` for workersBeyondPartitions' problem: a command's refusal before any load. */
export function refuseWorkersBeyondPartitions(
  system: SystemName,
  workers: number,
  topic: SharedTopic | undefined,
  field = "--workers",
): void {
  const problem = workersBeyondPartitions(system, workers, topic, field);
  if (problem) throw new Error(`${problem.field} = ${problem.value} ${problem.rule}`);
}
