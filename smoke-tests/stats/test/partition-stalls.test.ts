import { faultStalls, longestGap, PartitionAcks, victimRole, victimsOf } from "../partition-stalls";

describe("the write stall per partition after a fault", () => {
  const acks = new PartitionAcks();
  // The fault lands at 1000, the load ends at 10_500. p0 keeps writing every 10 ms; p1 lost its leader: one in-flight
  // ack lands 40 ms after the fault, then nothing for 9.4 s; p2 acks once after the fault and never again; p3 (without
  // the victim among its replicas) pauses 300 ms.
  for (let t = 900; t <= 10_500; t += 10) acks.record(t, 0);
  for (const t of [950, 1040, 10_440, 10_450]) acks.record(t, 1);
  for (const t of [990, 1030]) acks.record(t, 2);
  for (const t of [1000, 1300, 1310]) acks.record(t, 3);
  for (let t = 1310; t <= 10_500; t += 10) acks.record(t, 3);
  // Four brokers, replication factor 3: kafka-1 leads p1, follows p0 and p2, and is no replica of p3.
  const placements = new Map([
    [0, { leader: "kafka-0", replicas: ["kafka-0", "kafka-1", "kafka-2"] }],
    [1, { leader: "kafka-1", replicas: ["kafka-1", "kafka-2", "kafka-3"] }],
    [2, { leader: "kafka-2", replicas: ["kafka-2", "kafka-3", "kafka-1"] }],
    [3, { leader: "kafka-3", replicas: ["kafka-3", "kafka-0", "kafka-2"] }],
  ]);

  it("is the longest gap between acks from the fault on, so an ack that beat the kill does not hide the stall", () => {
    const s = faultStalls(acks.snapshot(), "kill kafka-1 (leader)", 1000, 10_500, placements);
    expect(s.partitions.map(({ partition, victim, ms, untilEnd }) => ({ partition, victim, ms, untilEnd }))).toEqual([
      { partition: 0, victim: "follower", ms: 10, untilEnd: false },
      { partition: 1, victim: "leader", ms: 9400, untilEnd: false },
      { partition: 2, victim: "follower", ms: 9470, untilEnd: true },
      { partition: 3, victim: "absent", ms: 300, untilEnd: false },
    ]);
    expect(s.partitions[1]).toMatchObject({ leader: "kafka-1", replicas: ["kafka-1", "kafka-2", "kafka-3"] });
  });

  it("reports the worst stall of each victim role: led by the victim, the victim a follower, the victim absent", () => {
    const s = faultStalls(acks.snapshot(), "kill kafka-1 (leader)", 1000, 10_500, placements);
    expect(s.victimLedMs).toBe(9400);
    // The partition that went silent counts for its whole silence, up to the end of the load.
    expect(s.victimFollowedMs).toBe(9470);
    expect(s.victimAbsentMs).toBe(300);
  });

  it("leaves a role without partitions undefined: on 3 brokers with RF 3 the victim is a replica of every partition", () => {
    const three = new Map([...placements].filter(([p]) => p !== 3));
    const s = faultStalls(acks.snapshot(), "kill kafka-1 (leader)", 1000, 10_500, three);
    expect(s.victimAbsentMs).toBeUndefined();
    expect(s.partitions.find((p) => p.partition === 3)?.victim).toBeUndefined();
  });

  it("without placements, partitions are still timed but not grouped", () => {
    const s = faultStalls(acks.snapshot(), "kill kafka-1 (leader)", 1000, 10_500);
    expect(s.partitions.map((p) => p.ms)).toEqual([10, 9400, 9470, 300]);
    expect(s.victimLedMs).toBeUndefined();
    expect(s.victimFollowedMs).toBeUndefined();
  });

  it("includes the trailing silence: one ack and then 3.96 s of nothing is a 3.96 s stall, not 40 ms", () => {
    expect(longestGap([1040, 10_440], 1000, 5000)).toEqual({ ms: 3960, endedAt: null });
    expect(longestGap([], 1000, 5000)).toEqual({ ms: 4000, endedAt: null });
    expect(longestGap([1040, 4990], 1000, 5000)).toEqual({ ms: 3950, endedAt: 4990 });
  });

  it("records one time per batch, not per message", () => {
    const a = new PartitionAcks();
    a.record(5, 0);
    a.record(5, 0);
    a.record(6, 0);
    expect(a.snapshot().get(0)).toEqual([5, 6]);
  });

  it("keeps the times sorted when several workers' journals interleave (an older ack arrives after a newer one)", () => {
    const a = new PartitionAcks();
    for (const at of [10, 30, 20, 5, 30, 20, 40]) a.record(at, 1);
    expect(a.snapshot().get(1)).toEqual([5, 10, 20, 30, 40]);
  });
});

describe("the victim's role in a partition", () => {
  const p = { leader: "kafka-0", replicas: ["kafka-0", "kafka-1", "kafka-2"] };

  it("is leader, follower or absent by the placement at the fault", () => {
    expect(victimRole(p, new Set(["kafka-0"]))).toBe("leader");
    expect(victimRole(p, new Set(["kafka-2"]))).toBe("follower");
    expect(victimRole(p, new Set(["kafka-3"]))).toBe("absent");
  });

  it("is leader when a fault that hits several nodes hits the leader among them", () => {
    expect(victimRole(p, new Set(["kafka-1", "kafka-0"]))).toBe("leader");
  });

  it("is follower, not leader, for a replica of a partition that had no leader at the fault", () => {
    expect(victimRole({ leader: "none", replicas: p.replicas }, new Set(["kafka-0"]))).toBe("follower");
  });

  it("reads the victims from the fault's label, whole words only (kafka-1 is not kafka-10)", () => {
    expect(victimsOf("kill kafka-1 (leader)").has("kafka-1")).toBe(true);
    expect(victimsOf("isolate kafka-1,kafka-2 (minority)").has("kafka-2")).toBe(true);
    expect(victimsOf("kill kafka-10 (leader)").has("kafka-1")).toBe(false);
  });
});
