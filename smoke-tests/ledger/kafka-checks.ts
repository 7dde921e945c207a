// The Kafka-specific analyses of Jepsen's jepsen.tests.kafka workload (reference §1.4), over the ledger's rows:
// positions come from send results (ack partition/offset) and from deliveries. A "value" is one message id.
import { type Ledger, messageState } from "./ledger";

export interface KafkaCheckOptions {
  /** Idempotent producer: a value at two offsets (duplicate write) or out-of-order acks are then errors. */
  idempotent: boolean;
  /** Consumers use subscribe (group rebalances): re-reads and skips on reassignment are then allowed. */
  subscribed: boolean;
  sampleLimit?: number;
}

export interface KafkaCheckCounts {
  /** (partition, offset) pairs holding more than one value. Always an error. */
  inconsistentOffsets: number;
  /** Values seen at more than one offset: written twice. An error with idempotence. */
  duplicateWrites: number;
  /** Acked, never read, at an offset at or below the highest offset any consumer read in that partition. */
  lostWrites: number;
  /** Acked, never read at all (after the drain this must be 0). */
  unseen: number;
  /** Per producer and partition, a later send acknowledged at a lower or equal offset. */
  nonmonotonicSends: number;
  /** Per consumer and partition, a delivery at a lower or equal offset than the previous one. */
  nonmonotonicPolls: number;
  /** Per consumer and partition, a jump over an offset that holds one of our values. */
  pollSkips: number;
}

export interface KafkaCheckResult {
  valid: boolean;
  counts: KafkaCheckCounts;
  /** Per anomaly, a few human-readable examples ("p0@17: run/p1/4 and run/p2/9"). */
  samples: Record<keyof KafkaCheckCounts, string[]>;
  problems: string[];
  /** Per partition: where our writes landed (from the produce responses) and how far consumers read. */
  partitions: KafkaPartitionPositions[];
}

export interface KafkaPartitionPositions {
  partition: number;
  /** Distinct offsets holding one of our values (acknowledged or read). */
  values: number;
  /** Acknowledged writes, and the first and last offset the produce responses gave them (-1: none). */
  acked: number;
  firstAckedOffset: number;
  lastAckedOffset: number;
  highestReadOffset: number;
}

/** Positions of values: one row per ack and per delivery, deduplicated after sorting. */
interface PositionTable {
  partition: Int32Array;
  offset: Float64Array;
  value: Float64Array;
  length: number;
}

// Producer index and seq packed into one float: exact while producers < 2^21 and seq < 2^32.
const valueKey = (producerIndex: number, seq: number) => producerIndex * 2 ** 32 + seq;

export function checkKafka(ledger: Ledger, options: KafkaCheckOptions): KafkaCheckResult {
  const limit = options.sampleLimit ?? 20;
  const counts: KafkaCheckCounts = {
    inconsistentOffsets: 0,
    duplicateWrites: 0,
    lostWrites: 0,
    unseen: 0,
    nonmonotonicSends: 0,
    nonmonotonicPolls: 0,
    pollSkips: 0,
  };
  const samples = Object.fromEntries(
    Object.keys(counts).map((k) => [k, [] as string[]]),
  ) as KafkaCheckResult["samples"];
  const note = (kind: keyof KafkaCheckCounts, text: () => string) => {
    counts[kind]++;
    if (samples[kind].length < limit) samples[kind].push(text());
  };
  const idOf = (key: number) => ledger.messageId(Math.floor(key / 2 ** 32), key % 2 ** 32);

  const table = sortedUniquePositions(ledger);
  const offsetsByPartition = distinctOffsetsByPartition(table);
  findInconsistentOffsets(table, (p, o, a, b) =>
    note("inconsistentOffsets", () => `p${p}@${o}: ${idOf(a)} and ${idOf(b)}`),
  );
  findDuplicateWrites(table, (key, positions) => note("duplicateWrites", () => `${idOf(key)} at ${positions}`));

  const highestRead = new Map<number, number>();
  ledger.forEachDelivery(({ partition, offset }) => {
    if (partition >= 0) highestRead.set(partition, Math.max(highestRead.get(partition) ?? -1, offset));
  });

  const lastAckOffset = new Map<string, number>();
  const acks = new Map<number, { acked: number; first: number; last: number }>();
  ledger.forEachMessage(({ producerIndex, seq, state, consumeCount, ackPartition, ackOffset }) => {
    const id = () => ledger.messageId(producerIndex, seq);
    if (!(state & messageState.ok)) return;
    if (consumeCount === 0) {
      // Each lost message with where the produce response put it: the partition and offset to look at.
      note("unseen", () => (ackPartition >= 0 ? `${id()} acked at p${ackPartition}@${ackOffset}` : id()));
      if (ackPartition >= 0 && ackOffset <= (highestRead.get(ackPartition) ?? -1)) {
        note("lostWrites", () => `${id()} at p${ackPartition}@${ackOffset}`);
      }
    }
    if (ackPartition < 0) return;
    const a = acks.get(ackPartition) ?? { acked: 0, first: ackOffset, last: ackOffset };
    acks.set(ackPartition, {
      acked: a.acked + 1,
      first: Math.min(a.first, ackOffset),
      last: Math.max(a.last, ackOffset),
    });
    const stream = `${producerIndex}:${ackPartition}`;
    const previous = lastAckOffset.get(stream);
    if (previous !== undefined && ackOffset <= previous) {
      note("nonmonotonicSends", () => `${id()} acked at p${ackPartition}@${ackOffset} after @${previous}`);
    }
    lastAckOffset.set(stream, ackOffset);
  });

  const lastPolled = new Map<string, number>();
  ledger.forEachDelivery(({ producerIndex, seq, partition, offset, consumer }) => {
    if (partition < 0) return;
    const stream = `${consumer ?? ""}|${partition}`;
    const previous = lastPolled.get(stream);
    lastPolled.set(stream, offset);
    if (previous === undefined) return;
    const where = () =>
      `${consumer ?? "consumer"} p${partition}: @${previous} then @${offset} (${ledger.messageId(producerIndex, seq)})`;
    if (offset <= previous) note("nonmonotonicPolls", where);
    else if (offset > previous + 1 && hasOffsetBetween(offsetsByPartition.get(partition), previous, offset)) {
      note("pollSkips", where);
    }
  });

  const problems = problemsOf(counts, options);
  return {
    valid: problems.length === 0,
    counts,
    samples,
    problems,
    partitions: [...offsetsByPartition.entries()]
      .sort(([a], [b]) => a - b)
      .map(([partition, offsets]) => ({
        partition,
        values: offsets.length,
        acked: acks.get(partition)?.acked ?? 0,
        firstAckedOffset: acks.get(partition)?.first ?? -1,
        lastAckedOffset: acks.get(partition)?.last ?? -1,
        highestReadOffset: highestRead.get(partition) ?? -1,
      })),
  };
}

function problemsOf(c: KafkaCheckCounts, options: KafkaCheckOptions): string[] {
  const always: Array<[keyof KafkaCheckCounts, string]> = [
    ["inconsistentOffsets", "offsets hold more than one value"],
    ["lostWrites", "acknowledged writes below the highest read offset were never read (lost-write)"],
    ["unseen", "acknowledged writes were never read"],
  ];
  const whenIdempotent: Array<[keyof KafkaCheckCounts, string]> = [
    ["duplicateWrites", "values were written at more than one offset despite idempotence"],
    ["nonmonotonicSends", "acks went backwards within a producer and partition despite idempotence"],
  ];
  const whenAssigned: Array<[keyof KafkaCheckCounts, string]> = [
    ["nonmonotonicPolls", "a consumer read offsets going backwards without a rebalance"],
    ["pollSkips", "a consumer skipped offsets holding our values without a rebalance"],
  ];
  const rules = [...always, ...(options.idempotent ? whenIdempotent : []), ...(options.subscribed ? [] : whenAssigned)];
  return rules.filter(([kind]) => c[kind] > 0).map(([kind, text]) => `${c[kind]} ${kind}: ${text}`);
}

function sortedUniquePositions(ledger: Ledger): PositionTable {
  // Collected into typed arrays directly to stay compact for 10^6 acks plus 10^6 deliveries.
  let capacity = 1024;
  let partition = new Int32Array(capacity);
  let offset = new Float64Array(capacity);
  let value = new Float64Array(capacity);
  let length = 0;
  const add = (p: number, o: number, v: number) => {
    if (length === capacity) {
      capacity *= 2;
      partition = grow(partition, new Int32Array(capacity));
      offset = grow(offset, new Float64Array(capacity));
      value = grow(value, new Float64Array(capacity));
    }
    partition[length] = p;
    offset[length] = o;
    value[length] = v;
    length++;
  };
  ledger.forEachMessage((m) => {
    if (m.ackPartition >= 0) add(m.ackPartition, m.ackOffset, valueKey(m.producerIndex, m.seq));
  });
  ledger.forEachDelivery((d) => {
    if (d.partition >= 0) add(d.partition, d.offset, valueKey(d.producerIndex, d.seq));
  });
  const order = new Uint32Array(length).map((_, i) => i);
  order.sort(
    (a, b) =>
      (partition[a] as number) - (partition[b] as number) ||
      (offset[a] as number) - (offset[b] as number) ||
      (value[a] as number) - (value[b] as number),
  );
  const out: PositionTable = {
    partition: new Int32Array(length),
    offset: new Float64Array(length),
    value: new Float64Array(length),
    length: 0,
  };
  for (const i of order) {
    const n = out.length;
    const p = partition[i] as number;
    const o = offset[i] as number;
    const v = value[i] as number;
    if (n > 0 && out.partition[n - 1] === p && out.offset[n - 1] === o && out.value[n - 1] === v) continue;
    out.partition[n] = p;
    out.offset[n] = o;
    out.value[n] = v;
    out.length++;
  }
  return out;
}

function grow<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
}

function findInconsistentOffsets(t: PositionTable, report: (p: number, o: number, a: number, b: number) => void) {
  for (let i = 1; i < t.length; i++) {
    const samePosition = t.partition[i] === t.partition[i - 1] && t.offset[i] === t.offset[i - 1];
    const firstConflictHere = i < 2 || t.partition[i - 2] !== t.partition[i] || t.offset[i - 2] !== t.offset[i];
    if (samePosition && firstConflictHere) {
      report(t.partition[i] as number, t.offset[i] as number, t.value[i - 1] as number, t.value[i] as number);
    }
  }
}

function findDuplicateWrites(t: PositionTable, report: (value: number, positions: string) => void) {
  const order = new Uint32Array(t.length).map((_, i) => i);
  order.sort((a, b) => (t.value[a] as number) - (t.value[b] as number));
  let start = 0;
  for (let i = 1; i <= order.length; i++) {
    const sameValue = i < order.length && t.value[order[i] as number] === t.value[order[start] as number];
    if (sameValue) continue;
    if (i - start > 1) {
      const positions = [...order.subarray(start, i)].map((j) => `p${t.partition[j]}@${t.offset[j]}`).join(", ");
      report(t.value[order[start] as number] as number, positions);
    }
    start = i;
  }
}

function distinctOffsetsByPartition(t: PositionTable): Map<number, Float64Array> {
  const result = new Map<number, number[]>();
  for (let i = 0; i < t.length; i++) {
    const p = t.partition[i] as number;
    const o = t.offset[i] as number;
    let offsets = result.get(p);
    if (!offsets) {
      offsets = [];
      result.set(p, offsets);
    }
    if (offsets[offsets.length - 1] !== o) offsets.push(o);
  }
  return new Map([...result].map(([p, offsets]) => [p, Float64Array.from(offsets)]));
}

/** Binary search in a sorted array: is there a known offset strictly between low and high? */
function hasOffsetBetween(sorted: Float64Array | undefined, low: number, high: number): boolean {
  if (!sorted) return false;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= low) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && (sorted[lo] as number) < high;
}
