// Per partition, how long writes stopped after a fault. A leader kill should stop writes only to the partitions the
// dead broker led; a client that stops writing everywhere shows here, where a whole-topic recovery time cannot tell
// the two apart. A stall is the longest gap between acknowledged writes on the partition from the fault on: the
// fault is marked as the kill is ordered, so writes acknowledged in the few milliseconds before it lands must not
// count as "writing again".

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
  /** The longest gap between acknowledged writes from the fault on, in ms; null when none came before the window end. */
  ms: number | null;
}

export interface FaultStalls {
  /** The fault's label, as on the timeline. */
  fault: string;
  partitions: PartitionStall[];
  /** The longest stall of the partitions whose leader the fault hit, and of the others (undefined: none such). */
  leaderLostMs?: number | null;
  leaderKeptMs?: number | null;
}

/** Pure: the longest gap between `faultAt` and the acks after it (up to `windowEnd`); null when there is none. */
export function longestGap(acks: readonly number[], faultAt: number, windowEnd: number): number | null {
  let last = faultAt;
  let longest: number | null = null;
  for (const t of acks) {
    if (t < faultAt) continue;
    if (t > windowEnd) break;
    longest = Math.max(longest ?? 0, t - last);
    last = t;
  }
  return longest;
}

/** The worst of some stalls: null if any partition never wrote again, undefined if there are none. */
function worst(stalls: PartitionStall[]): number | null | undefined {
  if (stalls.length === 0) return undefined;
  if (stalls.some((s) => s.ms === null)) return null;
  return Math.max(...stalls.map((s) => s.ms as number));
}

/** Pure: each partition's stall after a fault at `faultAt`, up to `windowEnd` (epoch ms both). */
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
      return {
        partition,
        ...(leader ? { leader, leaderLost: hit.has(leader) } : {}),
        ms: longestGap(acks.get(partition) ?? [], faultAt, windowEnd),
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
