import { faultStalls, PartitionAcks } from "../partition-stalls";

describe("the write stall per partition after a fault", () => {
  const acks = new PartitionAcks();
  // p0 keeps writing; p1 lost its leader and writes again 9.4 s later; p2 never again within the window.
  for (const t of [900, 1000, 1010, 1020]) acks.record(t, 0);
  for (const t of [950, 10_400]) acks.record(t, 1);
  acks.record(990, 2);

  it("measures fault → each partition's first acknowledged write, with its leader at the fault", () => {
    const s = faultStalls(acks.snapshot(), "kill kafka-1", 1000, 20_000, new Map([[1, "kafka-1"]]));
    expect(s.partitions).toEqual([
      { partition: 0, ms: 0 },
      { partition: 1, leader: "kafka-1", ms: 9400 },
      { partition: 2, ms: null },
    ]);
    expect(s.firstAckMs).toBe(0);
    // A partition that never wrote again has no longest stall to give: it is "never", not the longest number.
    expect(s.longestMs).toBeNull();
  });

  it("the longest stall is the slowest partition when every partition wrote again", () => {
    const s = faultStalls(acks.snapshot(), "kill kafka-1", 1000, 20_000);
    const recovered = { ...s, partitions: s.partitions.filter((p) => p.partition !== 2) };
    expect(recovered.partitions.map((p) => p.ms)).toEqual([0, 9400]);
    const only01 = new PartitionAcks();
    for (const t of [1005, 10_400]) only01.record(t, 0);
    only01.record(3000, 1);
    expect(faultStalls(only01.snapshot(), "f", 1000, 20_000)).toMatchObject({ firstAckMs: 5, longestMs: 2000 });
  });

  it("acks after the window's end do not count", () => {
    expect(faultStalls(acks.snapshot(), "f", 1000, 5000).partitions[1]?.ms).toBeNull();
  });

  it("records one time per batch, not per message", () => {
    const a = new PartitionAcks();
    a.record(5, 0);
    a.record(5, 0);
    a.record(6, 0);
    expect(a.snapshot().get(0)).toEqual([5, 6]);
  });
});
