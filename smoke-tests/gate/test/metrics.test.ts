// The gate's metrics check: every broker scraped and up, and nothing firing about the system's namespace.
import { judgeMetrics } from "../metrics";

const up = (pod: string, value: number) => ({ metric: { job: "kafka", namespace: "kafka", pod }, value });
const alert = (alertname: string, state: "firing" | "pending", namespace = "kafka", pod?: string) => ({
  labels: { alertname, namespace, ...(pod ? { pod } : {}) },
  state,
  activeAt: "2026-12-07T02:00:00Z",
});
const pods = ["kafka-broker-0", "kafka-broker-1", "kafka-broker-2"];

describe("the gate's metrics check", () => {
  it("passes when every broker is scraped and up, and nothing fires in its namespace", () => {
    expect(
      judgeMetrics({
        pods,
        up: pods.map((p) => up(p, 1)),
        // Pending is not firing; another namespace's alert is not this system's.
        alerts: [alert("KafkaUnderReplicatedPartitions", "pending"), alert("RabbitMQNodeDown", "firing", "rabbitmq")],
        namespace: "kafka",
      }),
    ).toEqual({
      ok: true,
      detail:
        "3 of 3 brokers scraped and up (kafka-broker-0, kafka-broker-1, kafka-broker-2); no alert firing in kafka",
    });
  });

  it("fails naming a broker not scraped, one whose scrape fails, and each alert firing", () => {
    const j = judgeMetrics({
      pods,
      up: [up("kafka-broker-0", 1), up("kafka-broker-1", 0)],
      alerts: [alert("KafkaNodeDown", "firing", "kafka", "kafka-broker-1")],
      namespace: "kafka",
    });
    expect(j).toEqual({
      ok: false,
      detail:
        "not scraped: kafka-broker-2; scrape failing (up 0): kafka-broker-1; firing: KafkaNodeDown (kafka-broker-1)",
    });
  });
});
