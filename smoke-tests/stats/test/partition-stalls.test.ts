import { faultStalls, longestGap, PartitionAcks } from "../partition-stalls";

describe("the write stall per partition after a fault", () => {
  const acks = new PartitionAcks();
  // The fault lands at 1000, the load ends at 10_500. p0 keeps writing every 10 ms; p1 lost its leader: one in-flight
  // ack lands 40 ms after the fault, then nothing for 9.4 s; p2 acks once after the fault and never again.
  for (let t = 900; t <= 10_500; t += 10) acks.record(t, 0);
  for (const t of [950, 1040, 10_440, 10_450]) acks.record(t, 1);
  for (const t of [990, 1030]) acks.record(t, 2);
  const leaders = new Map([
    [0, "kafka-0"],
    [1, "kafka-1"],
    [2, "kafka-2"],
  ]);

  it("is the longest gap between acks from the fault on, so an ack that beat the kill does not hide the stall", () => {
    const s = faultStalls(acks.snapshot(), "kill kafka-1 (leader)", 1000, 10_500, leaders);
    expect(s.partitions).toEqual([
      { partition: 0, leader: "kafka-0", leaderLost: false, ms: 10, untilEnd: false },
      { partition: 1, leader: "kafka-1", leaderLost: true, ms: 9400, untilEnd: false },
      { partition: 2, leader: "kafka-2", leaderLost: false, ms: 9470, untilEnd: true },
    ]);
    expect(s.leaderLostMs).toBe(9400);
    // The partition that went silent counts for its whole silence, up to the end of the load.
    expect(s.leaderKeptMs).toBe(9470);
  });

  it("without leaders, partitions are still timed but not grouped", () => {
    const s = faultStalls(acks.snapshot(), "kill kafka-1 (leader)", 1000, 10_500);
    expect(s.partitions.map((p) => p.ms)).toEqual([10, 9400, 9470]);
    expect(s.leaderLostMs).toBeUndefined();
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
});
