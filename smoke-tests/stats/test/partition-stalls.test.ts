import { faultStalls, longestGap, PartitionAcks } from "../partition-stalls";

describe("the write stall per partition after a fault", () => {
  const acks = new PartitionAcks();
  // p0 keeps writing; p1 lost its leader: one in-flight ack lands 40 ms after the fault is marked (the kill had not
  // landed yet), then nothing for 9.4 s; p2 never writes again within the window.
  for (const t of [900, 1000, 1010, 1020, 1030]) acks.record(t, 0);
  for (const t of [950, 1040, 10_440, 10_450]) acks.record(t, 1);
  acks.record(990, 2);
  const leaders = new Map([
    [0, "kafka-0"],
    [1, "kafka-1"],
    [2, "kafka-2"],
  ]);

  it("is the longest gap between acks from the fault on, so an ack that beat the kill does not hide the stall", () => {
    const s = faultStalls(acks.snapshot(), "kill kafka-1 (leader)", 1000, 20_000, leaders);
    expect(s.partitions).toEqual([
      { partition: 0, leader: "kafka-0", leaderLost: false, ms: 10 },
      { partition: 1, leader: "kafka-1", leaderLost: true, ms: 9400 },
      { partition: 2, leader: "kafka-2", leaderLost: false, ms: null },
    ]);
    expect(s.leaderLostMs).toBe(9400);
    // A partition that never wrote again makes its group "never", not its longest number.
    expect(s.leaderKeptMs).toBeNull();
  });

  it("without leaders, partitions are still timed but not grouped", () => {
    const s = faultStalls(acks.snapshot(), "kill kafka-1 (leader)", 1000, 20_000);
    expect(s.partitions.map((p) => p.ms)).toEqual([10, 9400, null]);
    expect(s.leaderLostMs).toBeUndefined();
  });

  it("acks after the window's end do not count", () => {
    expect(longestGap([1040, 10_440], 1000, 5000)).toBe(40);
    expect(longestGap([], 1000, 5000)).toBeNull();
  });

  it("records one time per batch, not per message", () => {
    const a = new PartitionAcks();
    a.record(5, 0);
    a.record(5, 0);
    a.record(6, 0);
    expect(a.snapshot().get(0)).toEqual([5, 6]);
  });
});
