// The gate's judgements, each able to fail: every broker's durability defaults, the vhost's default queue type even
// when it cannot be read, and the throughput check on a run whose Kafka checks failed.
import { sampleKafkaRun } from "../../reports/test/sample-run";
import { brokerDefaultsProblems, defaultQueueTypeProblem } from "../checks";
import { throughputResult } from "../gate";

describe("durability defaults, read from every broker", () => {
  const expected = { "min.insync.replicas": "2", "unclean.leader.election.enable": "false" };
  const good = { "min.insync.replicas": "2", "unclean.leader.election.enable": "false" };

  it("pass when every broker says what the deployment promised", () => {
    expect(
      brokerDefaultsProblems(
        expected,
        [1, 2, 3].map((id) => ({ id: String(id), config: good })),
      ),
    ).toEqual([]);
  });

  it("fail on the one broker that differs, or that could not be read, or when there is none", () => {
    const brokers = [
      { id: "1", config: good },
      { id: "2", config: { ...good, "min.insync.replicas": "1" } },
      { id: "3", error: "Connection timeout" },
    ];
    expect(brokerDefaultsProblems(expected, brokers)).toEqual([
      "min.insync.replicas = 1 on broker 2, expected 2",
      "cannot read broker 3's settings: Connection timeout",
    ]);
    expect(brokerDefaultsProblems(expected, [])).toEqual(["target.kafka.nodes has no broker"]);
  });
});

describe("the vhost's default queue type", () => {
  it("passes only when read and as promised", () => {
    expect(defaultQueueTypeProblem("/", "quorum", { value: "quorum" })).toBeUndefined();
    expect(defaultQueueTypeProblem("/", "quorum", { value: "classic" })).toBe(
      "vhost / default queue type is classic, expected quorum",
    );
  });

  it("fails when it cannot be read, instead of skipping the check", () => {
    expect(defaultQueueTypeProblem("/", "quorum", { error: "HTTP 503" })).toBe(
      "cannot read vhost /'s default queue type: HTTP 503",
    );
    expect(defaultQueueTypeProblem("/", "quorum", { value: undefined })).toBe(
      "vhost / reports no default queue type, expected quorum",
    );
  });
});

describe("the throughput check", () => {
  it("fails a fast run whose Kafka offset checks failed", () => {
    const run = sampleKafkaRun();
    expect(throughputResult(run, { messagesPerSec: 1 }).passed).toBe(true);
    const kafka = {
      ...(run.kafka as NonNullable<typeof run.kafka>),
      valid: false,
      problems: ["1 inconsistentOffsets"],
    };
    const result = throughputResult({ ...run, kafka }, { messagesPerSec: 1 });
    expect(result.passed).toBe(false);
    expect(result.detail).toContain("— 1 inconsistentOffsets");
  });
});
