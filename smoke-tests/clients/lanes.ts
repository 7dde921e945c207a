// Which partition each send goes to. The workload keeps a few sends in flight per publisher, each from its own lane;
// a lane waits for its send before the next. If every lane wrote to every partition in turn, each lane would sooner
// or later wait on a partition whose leader just died, and writes to every partition would stop: a stall of our
// generator, not of the client (seen: kafkajs and librdkafka both at 0 acks for ~9 s on all partitions). So each lane
// owns a share of the partitions; together the lanes cover them all, and a dead leader holds up only its share.

export interface Lane {
  index: number;
  count: number;
}

/** Pure: the partitions one lane writes to. */
export function laneShare(partitions: readonly number[], lane: Lane): number[] {
  if (partitions.length === 0) throw new Error("no partitions to write to");
  if (lane.count >= partitions.length) return [partitions[lane.index % partitions.length] as number];
  return partitions.filter((_, i) => i % lane.count === lane.index % lane.count);
}

/** The next partition for a send: round robin within the lane's share (over all partitions without a lane). */
export class PartitionRouter {
  private unlaned = 0;
  private readonly perLane = new Map<number, number>();

  constructor(private readonly partitions: readonly number[]) {
    if (partitions.length === 0) throw new Error("no partitions to write to");
  }

  next(lane?: Lane): number {
    if (!lane) return this.partitions[this.unlaned++ % this.partitions.length] as number;
    const share = laneShare(this.partitions, lane);
    const k = this.perLane.get(lane.index) ?? 0;
    this.perLane.set(lane.index, k + 1);
    return share[k % share.length] as number;
  }
}
