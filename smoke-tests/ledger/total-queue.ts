// The total-queue checker, as rabbitmq/jepsen's README defines its fields: run it after the heal, the wait and the
// drain. lost and unexpected must be 0; duplicates are allowed only under at-least-once delivery.
import { type Ledger, outcomeOf, type StrayDeliveries } from "./ledger";

export interface TotalQueueCounts {
  attempted: number;
  acknowledged: number;
  failed: number;
  unknown: number;
  /** Attempted but no outcome recorded by the time of the check: treated like unknown. */
  pending: number;
  /** Distinct messages of ours consumed at least once. */
  consumed: number;
  /** Every delivery of ours, redeliveries included. */
  deliveries: number;
  /** Acknowledged, never consumed. Must be 0. */
  lost: number;
  /** Consumed, but never attempted: our run id, another run's, or not a message id at all. Must be 0. */
  unexpected: number;
  /** Consumed more than once, for either reason below. */
  duplicated: number;
  /**
   * Of those, read again from the same write: Kafka, the same partition and offset read twice (a consumer restarted
   * before committing); RabbitMQ, a delivery the broker flagged redelivered. Normal under at-least-once delivery.
   */
  redelivered: number;
  /**
   * Of those, written more than once: Kafka, the same id at two offsets; RabbitMQ, a second delivery the broker did
   * not flag as a redelivery (a second copy in the queue). Our publishers never send an id twice, so this is the
   * broker or the client duplicating a write: an idempotence failure worth an alarm.
   */
  duplicateWrites: number;
  /** Outcome unknown (or pending), consumed anyway: the write did land. */
  recovered: number;
  /** Outcome unknown (or pending), never consumed: allowed, the write did not land (the drain read to the end). */
  unknownMissing: number;
  /**
   * Definitely failed (a nack, a mandatory publish returned unroutable, nothing sent), consumed anyway: Jepsen's G1a
   * aborted read, for every system whose publisher can tell a failure from an unknown. Always a problem.
   */
  failedButConsumed: number;
  /** Of the unexpected: messages from another run (same id format, other run id), leftovers in a shared topic. */
  foreignRun: number;
}

/** Each count divided by attempted (0 when nothing was attempted); okFrac = acknowledged and consumed. */
export interface TotalQueueFractions {
  okFrac: number;
  lostFrac: number;
  unexpectedFrac: number;
  duplicatedFrac: number;
  recoveredFrac: number;
  unknownMissingFrac: number;
}

/** One acknowledged message no consumer read, with where the produce response put it (Kafka only). */
export interface LostMessage {
  id: string;
  partition?: number;
  offset?: number;
}

/**
 * The most lost messages report.json lists one by one: every one a drill loses in practice (the unsafe runs lose
 * hundreds), while a consumer that read nothing of 10^6 messages does not make a 100 MB report.
 */
export const lostListLimit = 100_000;

export interface TotalQueueVerdict {
  valid: boolean;
  duplicatesAllowed: boolean;
  counts: TotalQueueCounts;
  fractions: TotalQueueFractions;
  /** A few message ids per anomaly, so a report can point at concrete messages. */
  samples: {
    lost: string[];
    unexpected: string[];
    duplicated: string[];
    duplicateWrites: string[];
    failedButConsumed: string[];
  };
  /** Every lost message (up to lostListLimit; counts.lost says how many in all), in producer and seq order. */
  lostMessages: LostMessage[];
  /** One sentence per reason the verdict is invalid; empty when valid. */
  problems: string[];
}

export interface TotalQueueOptions {
  /** RabbitMQ and Kafka without idempotence deliver at least once: duplicates are reported, not failed. */
  duplicatesAllowed: boolean;
  sampleLimit?: number;
}

export function checkTotalQueue(ledger: Ledger, options: TotalQueueOptions): TotalQueueVerdict {
  const sampleLimit = options.sampleLimit ?? 20;
  const counts = emptyCounts(ledger.deliveryCount, ledger.strayDeliveries);
  const samples: TotalQueueVerdict["samples"] = {
    lost: [],
    unexpected: [],
    duplicated: [],
    duplicateWrites: [],
    failedButConsumed: [],
  };
  const sample = (kind: keyof typeof samples, producerIndex: number, seq: number) => {
    if (samples[kind].length < sampleLimit) samples[kind].push(ledger.messageId(producerIndex, seq));
  };
  const lostMessages: LostMessage[] = [];
  const copies = copiesOfDuplicates(ledger);
  ledger.forEachMessage(({ producerIndex, seq, state, consumeCount, ackPartition, ackOffset }) => {
    const outcome = outcomeOf(state);
    const wasConsumed = consumeCount > 0;
    if (wasConsumed) counts.consumed++;
    if (consumeCount > 1) {
      counts.duplicated++;
      sample("duplicated", producerIndex, seq);
      const c = copies.get(messageKey(producerIndex, seq));
      if (c && c.writes > 1) {
        counts.duplicateWrites++;
        sample("duplicateWrites", producerIndex, seq);
      }
      if (c && c.rereads > 0) counts.redelivered++;
    }
    switch (outcome) {
      case "never-attempted":
        counts.unexpected++;
        sample("unexpected", producerIndex, seq);
        return;
      case "ok":
        counts.acknowledged++;
        if (!wasConsumed) {
          counts.lost++;
          sample("lost", producerIndex, seq);
          if (lostMessages.length < lostListLimit) {
            lostMessages.push(lostMessage(ledger.messageId(producerIndex, seq), ackPartition, ackOffset));
          }
        }
        break;
      case "fail":
        counts.failed++;
        if (wasConsumed) {
          counts.failedButConsumed++;
          sample("failedButConsumed", producerIndex, seq);
        }
        break;
      case "unknown":
      case "pending":
        counts[outcome]++;
        if (wasConsumed) counts.recovered++;
        else counts.unknownMissing++;
        break;
    }
    counts.attempted++;
  });
  for (const id of [...ledger.strayDeliveries.malformedSamples, ...ledger.strayDeliveries.foreignRunSamples]) {
    if (samples.unexpected.length < sampleLimit) samples.unexpected.push(id);
  }
  const problems = problemsOf(counts, options.duplicatesAllowed);
  return {
    valid: problems.length === 0,
    duplicatesAllowed: options.duplicatesAllowed,
    counts,
    fractions: fractionsOf(counts),
    samples,
    lostMessages,
    problems,
  };
}

// The ledger stores "no position" as -1; report.json leaves the fields out instead.
function lostMessage(id: string, partition: number, offset: number): LostMessage {
  return partition < 0 ? { id } : { id, partition, offset };
}

function emptyCounts(deliveries: number, strays: Readonly<StrayDeliveries>): TotalQueueCounts {
  return {
    attempted: 0,
    acknowledged: 0,
    failed: 0,
    unknown: 0,
    pending: 0,
    consumed: 0,
    deliveries,
    lost: 0,
    unexpected: strays.malformed + strays.foreignRun,
    duplicated: 0,
    redelivered: 0,
    duplicateWrites: 0,
    recovered: 0,
    unknownMissing: 0,
    failedButConsumed: 0,
    foreignRun: strays.foreignRun,
  };
}

const messageKey = (producerIndex: number, seq: number) => producerIndex * 2 ** 32 + seq;

/**
 * For each message delivered more than once: how many distinct writes were read (Kafka: distinct offsets; RabbitMQ:
 * deliveries not flagged redelivered) and how many deliveries re-read a write already read.
 */
function copiesOfDuplicates(ledger: Ledger): Map<number, { writes: number; rereads: number }> {
  const seen = new Map<number, { offsets: Set<string> | undefined; fresh: number; total: number }>();
  ledger.forEachDelivery(({ producerIndex, seq, partition, offset, redelivered }) => {
    const key = messageKey(producerIndex, seq);
    let s = seen.get(key);
    if (!s) {
      s = { offsets: undefined, fresh: 0, total: 0 };
      seen.set(key, s);
    }
    s.total++;
    if (partition >= 0) {
      s.offsets ??= new Set();
      s.offsets.add(`${partition}@${offset}`);
    } else if (!redelivered) s.fresh++;
  });
  const out = new Map<number, { writes: number; rereads: number }>();
  for (const [key, s] of seen) {
    if (s.total < 2) continue;
    // A RabbitMQ message's first delivery is its write even if flagged (a consumer died before acking it).
    const writes = s.offsets ? s.offsets.size : Math.max(1, s.fresh);
    out.set(key, { writes, rereads: s.total - writes });
  }
  return out;
}

function fractionsOf(c: TotalQueueCounts): TotalQueueFractions {
  const of = (n: number) => (c.attempted === 0 ? 0 : n / c.attempted);
  return {
    okFrac: of(c.acknowledged - c.lost),
    lostFrac: of(c.lost),
    unexpectedFrac: of(c.unexpected),
    duplicatedFrac: of(c.duplicated),
    recoveredFrac: of(c.recovered),
    unknownMissingFrac: of(c.unknownMissing),
  };
}

function problemsOf(c: TotalQueueCounts, duplicatesAllowed: boolean): string[] {
  const problems: string[] = [];
  if (c.lost > 0) problems.push(`${c.lost} acknowledged message(s) were never consumed (lost)`);
  if (c.unexpected > 0) {
    const foreign = c.foreignRun > 0 ? `, ${c.foreignRun} of them from another run` : "";
    problems.push(`${c.unexpected} consumed message(s) were never sent by this run (unexpected${foreign})`);
  }
  if (c.failedButConsumed > 0) {
    problems.push(`${c.failedButConsumed} publish(es) that definitely failed (nack, return) were consumed anyway`);
  }
  if (c.duplicated > 0 && !duplicatesAllowed) {
    problems.push(`${c.duplicated} message(s) were consumed more than once, and duplicates are not allowed here`);
  }
  return problems;
}
