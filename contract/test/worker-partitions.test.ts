// More Kafka workers than the shared topic's partitions is refused before any load: a worker's consumer would get no
// partition in the group. RabbitMQ's workers compete on one queue, so there is no such bound.
import { refuseWorkersBeyondPartitions, workersBeyondPartitions } from "../worker-partitions";

const topic = { name: "smoke.orders", partitions: 6 };

describe("workers beyond the Kafka topic's partitions", () => {
  it("allows up to one worker per partition", () => {
    expect(workersBeyondPartitions("kafka", 6, topic)).toBeUndefined();
    expect(workersBeyondPartitions("kafka", 1, topic)).toBeUndefined();
  });

  it("refuses one more, naming field, value and rule", () => {
    expect(workersBeyondPartitions("kafka", 7, topic, "gate.workers")).toEqual({
      field: "gate.workers",
      value: 7,
      rule: expect.stringMatching(/^must be at most the 6 partitions of Kafka topic smoke\.orders: /),
    });
    expect(() => refuseWorkersBeyondPartitions("kafka", 7, topic)).toThrow(
      /^--workers = 7 must be at most the 6 partitions of Kafka topic smoke\.orders: the workers' consumers share one group/,
    );
  });

  it("has no bound for RabbitMQ, nor for one worker (the load in this process) or an undeclared topic", () => {
    expect(workersBeyondPartitions("rabbitmq", 64, topic)).toBeUndefined();
    expect(workersBeyondPartitions("kafka", 1, { name: "one", partitions: 1 })).toBeUndefined();
    expect(workersBeyondPartitions("kafka", 7, undefined)).toBeUndefined();
    expect(() => refuseWorkersBeyondPartitions("rabbitmq", 64, topic)).not.toThrow();
  });
});
