// What every Kafka counting consumer shares, whichever library reads: a record as the ledger receives it, where each
// partition resumes, what is due to commit, and which library a flag names.
import type { KafkaTarget } from "../../../contract/target";
import { encodeEnvelope } from "../envelope";
import { kafkaConsumerNames, parseKafkaConsumer } from "../kafka-consumer";
import { CountedPositions, kafkaDelivery } from "../kafka-positions";
import { platformaticConnection } from "../platformatic-kafka";
import { platformaticConsumerOptions, topicEnds } from "../platformatic-subscriber";

const target = {
  bootstrapServers: ["10.213.0.10:9092"],
  sasl: { mechanism: "scram-sha-512", username: "app", password: "s3cret-value" },
  tls: false,
  nodes: [],
} as unknown as KafkaTarget;

describe("a record as the ledger receives it", () => {
  it("ours: its id and send time from the body, the partition and offset (bigint or string) as the broker gave them", () => {
    const { body } = encodeEnvelope("r1-b0-7", 1_700_000_000_123, 1024);
    const fromBigint = kafkaDelivery(body, 3, 41n, 1_700_000_000_200);
    expect(fromBigint).toEqual({
      id: "r1-b0-7",
      sentAt: 1_700_000_000_123,
      receivedAt: 1_700_000_000_200,
      partition: 3,
      offset: "41",
    });
    expect(kafkaDelivery(body, 3, "41", 1_700_000_000_200)).toEqual(fromBigint);
  });

  it("a body we did not write, or none, keeps an id that is never valid and no send time: the ledger counts it", () => {
    const foreign = kafkaDelivery(Buffer.from("hello"), 0, 5n, 10);
    expect(foreign.id).toBe("unreadable body of 5 bytes");
    expect(foreign.sentAt).toBeNaN();
    expect(kafkaDelivery(null, 0, 6n, 10).id).toBe("unreadable body of 0 bytes");
    expect(kafkaDelivery(undefined, 0, 7n, 10).id).toBe("unreadable body of 0 bytes");
  });
});

describe("counted positions", () => {
  it("a partition resumes where the topic ended before the run, then right after the last record counted", () => {
    const p = new CountedPositions();
    p.seed([
      [0, 100n],
      [1, 50n],
    ]);
    expect(p.resumeAt(0)).toBe(100n);
    p.counted(0, 100n);
    p.counted(0, 101n);
    expect(p.resumeAt(0)).toBe(102n);
    // A re-read (a re-delivery after a restart) never moves it back; a later seed does not either.
    p.counted(0, 100n);
    p.seed([[0, 0n]]);
    expect(p.resumeAt(0)).toBe(102n);
    expect(p.resumeAt(1)).toBe(50n);
    expect(p.resumeAt(2)).toBeUndefined();
    expect([...p.nextOffsets]).toEqual([
      [0, 102n],
      [1, 50n],
    ]);
  });

  it("commits are due for partitions read past their last commit, among those assigned, never behind", () => {
    const p = new CountedPositions();
    p.seed([
      [0, 10n],
      [1, 20n],
      [2, 30n],
    ]);
    p.counted(1, 24n);
    p.counted(2, 30n);
    expect(p.dueCommits(new Set([1, 2]))).toEqual([
      { partition: 1, offset: 25n },
      { partition: 2, offset: 31n },
    ]);
    p.markCommitted([{ partition: 1, offset: 25n }]);
    // An older commit answering late changes nothing.
    p.markCommitted([{ partition: 1, offset: 21n }]);
    expect(p.dueCommits(new Set([1, 2]))).toEqual([{ partition: 2, offset: 31n }]);
    p.markCommitted([{ partition: 2, offset: 31n }]);
    expect(p.dueCommits(new Set([1, 2]))).toEqual([]);
    p.counted(1, 25n);
    expect(p.dueCommits()).toEqual([
      { partition: 0, offset: 10n },
      { partition: 1, offset: 26n },
    ]);
  });
});

describe("choosing the counting consumer", () => {
  it("accepts kafkajs and platformatic and refuses anything else, naming field, value and rule", () => {
    expect(kafkaConsumerNames).toEqual(["kafkajs", "platformatic"]);
    expect(parseKafkaConsumer("platformatic")).toBe("platformatic");
    expect(() => parseKafkaConsumer("librdkafka")).toThrow(
      "--kafka-consumer = librdkafka: must be one of kafkajs, platformatic",
    );
    expect(() => parseKafkaConsumer("", "bench.kafkaConsumer")).toThrow(/^bench\.kafkaConsumer = : must be one of/);
  });
});

describe("the @platformatic/kafka consumer", () => {
  it("connects as the producer does and joins with kafkajs's group timings, commits after counting only", () => {
    const o = platformaticConsumerOptions(target, "mp-bench-consumer", "mp-bench-r1");
    expect(o).toEqual({
      ...platformaticConnection(target, "mp-bench-consumer"),
      groupId: "mp-bench-r1",
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      rebalanceTimeout: 20_000,
      autocommit: false,
      maxWaitTime: 500,
    });
    expect(o.sasl).toEqual({ mechanism: "SCRAM-SHA-512", username: "app", password: "s3cret-value" });
    expect(o).not.toHaveProperty("tls");
    const ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    expect(platformaticConsumerOptions({ ...target, tls: true, ca }, "c", "g").tls).toEqual({
      ca: [ca],
      rejectUnauthorized: true,
    });
  });

  it("reads a ListOffsets answer as partition → offset, and a topic it does not name as missing", () => {
    expect([...topicEnds(new Map([["mp-bench", [5n, 0n, 7n]]]), "mp-bench")]).toEqual([
      [0, 5n],
      [1, 0n],
      [2, 7n],
    ]);
    expect(() => topicEnds(new Map(), "mp-bench")).toThrow("topic mp-bench has no partitions (does it exist?)");
  });
});
