// Per partition, how long writes stopped after a fault. A leader kill should stop writes only to the partitions the
// dead broker led; a client that stops writing everywhere shows here, where a whole-topic recovery time cannot tell
// the two apart. A stall is the longest gap between acknowledged writes on the partition from the moment the fault
// landed to the end of the window, the trailing silence included: a partition that acked once and then never again
// stalled for the whole window, not for the gap before that one ack.

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
  /** The node that led the partition as the fault came, when known. */
  leader?: string;
  /** Whether that leader is the node the fault hit (named in the fault's label). */
  leaderLost?: boolean;
  /** The longest gap between acknowledged writes from the fault on, the trailing gap to the window's end included, ms. */
  ms: number;
  /** That longest gap ran to the window's end: no write was acknowledged after it (the stall may have gone on). */
  untilEnd: boolean;
}

export interface FaultStalls {
  /** The fault's label, as on the timeline. */
  fault: string;
  partitions: PartitionStall[];
  /** The longest stall of the partitions whose leader the fault hit, and of the others (undefined: none such). */
  leaderLostMs?: number;
  leaderKeptMs?: number;
}

export interface Gap {
  ms: number;
  /** The ack that ended the gap; null when the gap ran to the window's end. */
  endedAt: number | null;
}

/**
 * Pure: the longest of the gaps from `from` to the first ack, between acks, and from the last ack to `windowEnd`
 * (acks outside [from, windowEnd] do not count). The earliest of equal gaps wins.
 */
export function longestGap(acks: readonly number[], from: number, windowEnd: number): Gap {
  let last = from;
  let longest: Gap = { ms: 0, endedAt: null };
  for (const t of acks) {
    if (t < from) continue;
    if (t > windowEnd) break;
    if (t - last > longest.ms) longest = { ms: t - last, endedAt: t };
    last = t;
  }
  return windowEnd - last > longest.ms ? { ms: windowEnd - last, endedAt: null } : longest;
}

/** The worst of some stalls; undefined if there are none. */
function worst(stalls: PartitionStall[]): number | undefined {
  return stalls.length === 0 ? undefined : Math.max(...stalls.map((s) => s.ms));
}

/** Pure: each partition's stall after a fault that landed at `faultAt`, up to `windowEnd` (epoch ms both). */
export function faultStalls(
  acks: ReadonlyMap<number, readonly number[]>,
  fault: string,
  faultAt: number,
  windowEnd: number,
  leaders: ReadonlyMap<number, string> = new Map(),
): FaultStalls {
  const hit = new Set(fault.split(/[\s()]+/));
  const partitions: PartitionStall[] = [...acks.keys()]
    .sort((a, b) => a - b)
    .map((partition) => {
      const leader = leaders.get(partition);
      const gap = longestGap(acks.get(partition) ?? [], faultAt, windowEnd);
      return {
        partition,
        ...(leader ? { leader, leaderLost: hit.has(leader) } : {}),
        ms: gap.ms,
        untilEnd: gap.endedAt === null,
      };
    });
  const known = partitions.filter((p) => p.leaderLost !== undefined);
  return {
    fault,
    partitions,
    ...(known.length > 0
      ? {
          leaderLostMs: worst(known.filter((p) => p.leaderLost)),
          leaderKeptMs: worst(known.filter((p) => !p.leaderLost)),
        }
      : {}),
  };
}
