// What every Kafka counting consumer shares, whichever library reads: how a record becomes a delivery for the ledger,
// where each partition resumes (right after the last record counted), which counted positions are still to commit,
// and whether the topic was read to its end. Pure, so each consumer is held to the same rules by the same tests.
import { decodeEnvelope, unreadableBodyId } from "./envelope";
import type { ReadToEnd, Received } from "./types";

/**
 * Pure: one record as the ledger receives it. A body encodeEnvelope did not write keeps an id that is never valid, so
 * the ledger counts it unexpected; its send time is unknown (NaN), so it adds no end-to-end latency.
 */
export function kafkaDelivery(
  value: Buffer | null | undefined,
  partition: number,
  offset: bigint | string,
  receivedAt: number,
): Received {
  const env = value ? decodeEnvelope(value) : undefined;
  return {
    id: env?.id ?? unreadableBodyId(value ?? null),
    sentAt: env?.sentAt ?? Number.NaN,
    receivedAt,
    partition,
    offset: typeof offset === "bigint" ? offset.toString() : offset,
  };
}

/**
 * Per partition, the offset after the last record counted (where a restarted or re-assigned consumer resumes), and
 * what was last committed, so commits go out only for partitions that moved and never behind what counted.
 */
export class CountedPositions {
  private readonly next = new Map<number, bigint>();
  private readonly committed = new Map<number, bigint>();

  /** The topic's end offsets before the run: a partition not yet read resumes there (earlier runs are not re-read). */
  seed(ends: Iterable<readonly [number, bigint]>): void {
    for (const [partition, offset] of ends) if (!this.next.has(partition)) this.next.set(partition, offset);
  }

  /** A record at `offset` was counted: the partition resumes after it (a re-read never moves it back). */
  counted(partition: number, offset: bigint): void {
    const after = offset + 1n;
    if ((this.next.get(partition) ?? -1n) < after) this.next.set(partition, after);
  }

  /** Where the partition resumes, undefined when neither seeded nor read. */
  resumeAt(partition: number): bigint | undefined {
    return this.next.get(partition);
  }

  get nextOffsets(): ReadonlyMap<number, bigint> {
    return this.next;
  }

  /**
   * The partitions (among `only`, when given) whose position moved past their last commit, with the offset to commit:
   * after the last counted, or, for one not read yet, where the run started it (so a member taking it over starts there).
   */
  dueCommits(only?: ReadonlySet<number>): Array<{ partition: number; offset: bigint }> {
    const due: Array<{ partition: number; offset: bigint }> = [];
    for (const [partition, offset] of this.next) {
      if (only && !only.has(partition)) continue;
      if (offset > (this.committed.get(partition) ?? -1n)) due.push({ partition, offset });
    }
    return due.sort((a, b) => a.partition - b.partition);
  }

  /** A commit landed: those partitions are not due again until read further. */
  markCommitted(commits: ReadonlyArray<{ partition: number; offset: bigint }>): void {
    for (const c of commits) {
      if ((this.committed.get(c.partition) ?? -1n) < c.offset) this.committed.set(c.partition, c.offset);
    }
  }
}

/** Pure: whether every partition was read to its end offset (the high watermark), naming those that were not. */
export function readToEndOffsets(
  next: ReadonlyMap<number, bigint>,
  allEnds: ReadonlyMap<number, bigint>,
  only?: ReadonlySet<number>,
): ReadToEnd {
  const end = only ? new Map([...allEnds].filter(([p]) => only.has(p))) : allEnds;
  const behind = [...end].filter(([p, e]) => (next.get(p) ?? 0n) < e).sort(([a], [b]) => a - b);
  const which = only
    ? `its ${end.size} assigned partition(s) [${[...end.keys()].sort((a, b) => a - b).join(",")}]`
    : `all ${end.size} partitions`;
  return behind.length === 0
    ? { atEnd: true, detail: `${which} read to their high watermark` }
    : { atEnd: false, detail: behind.map(([p, e]) => `p${p} read to ${next.get(p) ?? 0n} of ${e}`).join(", ") };
}

/**
 * How often a counting consumer commits what it counted. A commit is a replicated write to __consumer_offsets; kafkajs's
 * subscriber used to await one after every batch, which bounded it to one batch per commit round trip (3.1k msg/s
 * consumed while 10.7k were acknowledged). Commits only tell a later member of the group where to start: this process
 * resumes from its own positions, so a commit a second late costs re-reads (counted as re-deliveries), never a loss.
 */
export const COMMIT_INTERVAL_MS = 1_000;
