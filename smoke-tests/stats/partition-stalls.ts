// Per partition, how long writes stopped after a fault. A leader kill should stop writes only to the partitions the
// dead broker was a replica of (with acks=all a dead follower holds writes until it is fenced); a client that stops
// writing everywhere shows on the partitions without the victim among their replicas, where a whole-topic recovery
// time cannot tell the two apart. A stall is the longest gap between acknowledged writes on the partition from the
// moment the fault landed to the end of the window, the trailing silence included: a partition that acked once and
// then never again stalled for the whole window, not for the gap before that one ack.

/** Binary search: the index of the first time in the sorted list at or after `at`. */
function firstNotBefore(sorted: readonly number[], at: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Acknowledgement times per partition, ascending (an ack recorded late goes in its place). */
export class PartitionAcks {
  private readonly times = new Map<number, number[]>();

  record(at: number, partition: number): void {
    const list = this.times.get(partition);
    if (list === undefined) this.times.set(partition, [at]);
    else if ((list.at(-1) as number) < at) list.push(at);
    else {
      // Several workers' journals interleave: an ack a little older than the last goes in its place, kept sorted.
      const i = firstNotBefore(list, at);
      if (list[i] !== at) list.splice(i, 0, at);
    }
  }

  snapshot(): ReadonlyMap<number, readonly number[]> {
    return this.times;
  }
}

/** Where a partition lived as the fault came: the node leading it ("none" while leaderless) and its replicas. */
export interface PartitionPlacement {
  leader: string;
  replicas: readonly string[];
}

/**
 * What the fault's victim (a node named in its label) was to a partition: its leader, a follower (a replica, not the
 * leader), or absent (not among its replicas: the partition's stall is the client's own).
 */
export type VictimRole = "leader" | "follower" | "absent";

export interface PartitionStall {
  partition: number;
  /** The node that led the partition as the fault came, when known. */
  leader?: string;
  /** The partition's replicas as the fault came, when known. */
  replicas?: readonly string[];
  /** What the victim was to this partition, when its placement is known. */
  victim?: VictimRole;
  /** The longest gap between acknowledged writes from the fault on, the trailing gap to the window's end included, ms. */
  ms: number;
  /** That longest gap ran to the window's end: no write was acknowledged after it (the stall may have gone on). */
  untilEnd: boolean;
}

export interface FaultStalls {
  /** The fault's label, as on the timeline. */
  fault: string;
  partitions: PartitionStall[];
  /** The longest stall of the partitions per victim role (undefined: no partition in that role). */
  victimLedMs?: number;
  victimFollowedMs?: number;
  victimAbsentMs?: number;
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

/** Pure: the victim's role in a partition when the fault hits the nodes `hit`; leading any partition wins. */
export function victimRole(placement: PartitionPlacement, hit: ReadonlySet<string>): VictimRole {
  if (hit.has(placement.leader)) return "leader";
  return placement.replicas.some((r) => hit.has(r)) ? "follower" : "absent";
}

/** Pure: the nodes a fault hit, as its label names them ("kill kafka-1 (leader)" → kafka-1 among the words). */
export function victimsOf(fault: string): Set<string> {
  return new Set(fault.split(/[\s(),]+/).filter((w) => w !== ""));
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
  placements: ReadonlyMap<number, PartitionPlacement> = new Map(),
): FaultStalls {
  const hit = victimsOf(fault);
  const partitions: PartitionStall[] = [...acks.keys()]
    .sort((a, b) => a - b)
    .map((partition) => {
      const placement = placements.get(partition);
      const gap = longestGap(acks.get(partition) ?? [], faultAt, windowEnd);
      return {
        partition,
        ...(placement
          ? { leader: placement.leader, replicas: placement.replicas, victim: victimRole(placement, hit) }
          : {}),
        ms: gap.ms,
        untilEnd: gap.endedAt === null,
      };
    });
  const inRole = (role: VictimRole) => worst(partitions.filter((p) => p.victim === role));
  return {
    fault,
    partitions,
    ...(partitions.some((p) => p.victim !== undefined)
      ? { victimLedMs: inRole("leader"), victimFollowedMs: inRole("follower"), victimAbsentMs: inRole("absent") }
      : {}),
  };
}
