// Per partition, how long writes stopped after a fault. A leader kill should stop writes only to the partitions the
// dead broker led; a client that stalls every partition (kafkajs waits for the broker to be fenced before it sends
// anywhere) shows here, where a whole-topic recovery time cannot tell the two apart.

/** Acknowledgement times per partition, in the order they came (ascending). */
export class PartitionAcks {
  private readonly times = new Map<number, number[]>();

  record(at: number, partition: number): void {
    const list = this.times.get(partition);
    if (list === undefined) this.times.set(partition, [at]);
    else if (list[list.length - 1] !== at) list.push(at);
  }

  snapshot(): ReadonlyMap<number, readonly number[]> {
    return this.times;
  }
}

export interface PartitionStall {
  partition: number;
  /** The node that led the partition just before the fault, when known. */
  leader?: string;
  /** Fault → the partition's first acknowledged write after it, in ms; null when none came before the window end. */
  ms: number | null;
}

export interface FaultStalls {
  /** The fault's label, as on the timeline. */
  fault: string;
  partitions: PartitionStall[];
  /** The first acknowledged write on any partition after the fault (ms), and the longest per-partition stall. */
  firstAckMs: number | null;
  longestMs: number | null;
}

/** Pure: first ack at or after `faultAt` on each partition, up to `windowEnd` (epoch ms both). */
export function faultStalls(
  acks: ReadonlyMap<number, readonly number[]>,
  fault: string,
  faultAt: number,
  windowEnd: number,
  leaders: ReadonlyMap<number, string> = new Map(),
): FaultStalls {
  const partitions = [...acks.keys()]
    .sort((a, b) => a - b)
    .map((partition) => {
      const next = (acks.get(partition) ?? []).find((t) => t >= faultAt && t <= windowEnd);
      const leader = leaders.get(partition);
      return { partition, ...(leader ? { leader } : {}), ms: next === undefined ? null : next - faultAt };
    });
  const known = partitions.map((p) => p.ms).filter((ms): ms is number => ms !== null);
  const unrecovered = partitions.some((p) => p.ms === null);
  return {
    fault,
    partitions,
    firstAckMs: known.length > 0 ? Math.min(...known) : null,
    longestMs: unrecovered || known.length === 0 ? null : Math.max(...known),
  };
}
