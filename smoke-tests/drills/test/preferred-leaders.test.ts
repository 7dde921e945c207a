// A drill whose fault must be the only thing moving leaders first waits for Kafka's own preferred-leader rebalance.
import type { PartitionPlacement } from "../../stats/partition-stalls";
import { awaitPreferredLeaders, notPreferred, notPreferredText, settleLeaders } from "../preferred-leaders";

const placements = (...leaders: string[]): Map<number, PartitionPlacement> =>
  new Map(
    leaders.map((leader, p) => [
      p,
      // Partition p prefers kafka-broker-p: the first of its replicas.
      { leader, replicas: [0, 1, 2].map((i) => `kafka-broker-${(p + i) % 3}`) },
    ]),
  );

describe("preferred leaders", () => {
  it("names each partition led by a replica other than its first (as the e2e's harmless run met p2)", () => {
    const left = notPreferred(placements("kafka-broker-0", "kafka-broker-1", "kafka-broker-0"));
    expect(left).toEqual([{ partition: 2, leader: "kafka-broker-0", preferred: "kafka-broker-2" }]);
    expect(notPreferredText(left)).toBe("p2 led by kafka-broker-0, preferred kafka-broker-2");
    expect(notPreferred(placements("kafka-broker-0", "kafka-broker-1", "kafka-broker-2"))).toEqual([]);
  });

  it("returns at once when every leader is preferred, saying there was nothing to wait for", async () => {
    const said: string[] = [];
    const r = await awaitPreferredLeaders(
      async () => placements("kafka-broker-0", "kafka-broker-1", "kafka-broker-2"),
      330_000,
      (l) => said.push(l),
    );
    expect(r.first).toEqual([]);
    expect(said).toEqual([]);
  });

  it("past its bound goes on, with what Kafka left led elsewhere (an imbalance below its threshold is never moved)", async () => {
    const r = await awaitPreferredLeaders(
      async () => placements("kafka-broker-1", "kafka-broker-1", "kafka-broker-2"),
      -1,
      () => {},
    );
    expect(r.left).toEqual([{ partition: 0, leader: "kafka-broker-1", preferred: "kafka-broker-0" }]);
  });

  it("waits while the rebalance is pending, says so once, and reports what it waited for", async () => {
    jest.useFakeTimers();
    try {
      const reads = [
        placements("kafka-broker-0", "kafka-broker-1", "kafka-broker-0"),
        placements("kafka-broker-0", "kafka-broker-1", "kafka-broker-2"),
      ];
      const said: string[] = [];
      const waiting = awaitPreferredLeaders(
        async () => reads.shift() ?? new Map(),
        330_000,
        (l) => said.push(l),
      );
      await jest.advanceTimersByTimeAsync(2_000);
      const r = await waiting;
      expect(r.first.map((x) => x.partition)).toEqual([2]);
      expect(r.left).toEqual([]);
      expect(said).toEqual([
        "waiting for Kafka's preferred-leader rebalance before the load: p2 led by kafka-broker-0, preferred kafka-broker-2",
      ]);
    } finally {
      jest.useRealTimers();
    }
  });

  it("notes on the drill's timeline what Kafka left led elsewhere past the bound", async () => {
    const notes: string[] = [];
    await settleLeaders(
      async () => placements("kafka-broker-1", "kafka-broker-1", "kafka-broker-2"),
      -1,
      (l) => notes.push(l),
    );
    expect(notes).toEqual([
      "Kafka left p0 led by kafka-broker-1, preferred kafka-broker-0 after 0 s: below its rebalance threshold, not moved",
    ]);
  });
});
