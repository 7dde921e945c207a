// The Jepsen "generator" half of a workload: keeps publishers busy at a target rate (or as fast as the in-flight
// window allows), records every outcome in the ledger and the timeline, and drains at the end. Faults are applied
// by the caller between phases; this module only produces, consumes and measures.
import type { Envelope } from "../clients/envelope";
import { encodeEnvelope } from "../clients/envelope";
import type { Publisher, PublishOutcome, Received, Subscriber } from "../clients/types";
import type { Ledger } from "../ledger";
import { Histogram, RateMeter, type TimelineRecorder } from "../stats";
import { PartitionAcks } from "../stats/partition-stalls";

export interface WorkloadOptions {
  /** Payload size of every message in bytes (the reference benchmarks use 1 KiB). */
  messageBytes: number;
  /** Messages per publish call. */
  batchSize: number;
  /** Publish calls in flight per publisher. */
  inFlightBatches: number;
  /** Target rate over all publishers in messages/s; undefined = as fast as the in-flight window allows. */
  ratePerSec?: number;
}

export interface WorkloadStats {
  publishLatency: Histogram;
  endToEndLatency: Histogram;
  sent: RateMeter;
  acked: RateMeter;
  consumed: RateMeter;
  errors: number;
  lastError?: string;
}

export interface ProgressSample {
  at: number;
  sentPerSec: number;
  ackedPerSec: number;
  consumedPerSec: number;
  inFlight: number;
  unseen: number;
  errors: number;
  lastError?: string;
}

/** Pure: the drain goes on while a message was consumed in the last `quietMs`, and for at most ten times that in all. */
export function drainGoesOn(now: number, startedAt: number, lastProgressAt: number, quietMs: number): boolean {
  return now - lastProgressAt < quietMs && now - startedAt < quietMs * 10;
}

export class Workload {
  readonly stats: WorkloadStats = {
    publishLatency: new Histogram(),
    endToEndLatency: new Histogram(),
    sent: new RateMeter(),
    acked: new RateMeter(),
    consumed: new RateMeter(),
    errors: 0,
  };
  /** When each partition (Kafka) or the queue (RabbitMQ, as partition 0) acknowledged writes: recovery is timed on them. */
  readonly partitionAcks = new PartitionAcks();
  private producing = false;
  private loops: Promise<void>[] = [];
  private seqs = new Map<string, number>();
  /** Epoch ms of the latest acknowledgement (acks are recorded in time order, so this answers "acked since t?"). */
  private lastAckAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly ledger: Ledger,
    private readonly timeline: TimelineRecorder,
    private readonly publishers: Array<{ name: string; publisher: Publisher }>,
    private readonly subscribers: Subscriber[],
    private readonly opts: WorkloadOptions,
  ) {}

  noteError(what: string): void {
    this.stats.errors++;
    this.stats.lastError = what;
  }

  async startConsuming(): Promise<void> {
    await Promise.all(this.subscribers.map((s, i) => s.start((d) => this.onReceived(d, `c${i}`))));
  }

  private onReceived(d: Received, consumer: string): void {
    const e2e = this.ledger.consumed(d.id, {
      at: d.receivedAt,
      partition: d.partition,
      offset: d.offset === undefined ? undefined : Number(d.offset),
      consumer,
      redelivered: d.redelivered,
    });
    if (e2e !== undefined) this.stats.endToEndLatency.record(Math.max(0, e2e));
    this.stats.consumed.mark(d.receivedAt, 1, this.opts.messageBytes);
    this.timeline.consumed(d.receivedAt, this.opts.messageBytes, e2e);
    // The backlog (acknowledged, not yet consumed) over time: consumer recovery and sustained throughput read it.
    this.timeline.unseen(d.receivedAt, this.ledger.unseen);
  }

  /** Starts one loop per publisher, each with its own in-flight window. */
  startProducing(): void {
    if (this.producing) return;
    this.producing = true;
    const perPublisherRate =
      this.opts.ratePerSec === undefined ? undefined : this.opts.ratePerSec / this.publishers.length;
    for (const p of this.publishers) {
      for (let w = 0; w < this.opts.inFlightBatches; w++) {
        this.loops.push(this.produceLoop(p.name, p.publisher, perPublisherRate, w));
      }
    }
  }

  async stopProducing(): Promise<void> {
    this.producing = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  private nextBatch(producer: string): Envelope[] {
    const now = Date.now();
    const batch: Envelope[] = [];
    for (let i = 0; i < this.opts.batchSize; i++) {
      const seq = this.seqs.get(producer) ?? 0;
      this.seqs.set(producer, seq + 1);
      const env = encodeEnvelope(this.ledger.idFor(producer, seq), now, this.opts.messageBytes);
      this.ledger.attempted(env.id, now);
      batch.push(env);
    }
    this.stats.sent.mark(now, batch.length, batch.length * this.opts.messageBytes);
    for (let i = 0; i < batch.length; i++) this.timeline.sent(now, this.opts.messageBytes);
    return batch;
  }

  private async produceLoop(producer: string, publisher: Publisher, rate: number | undefined, lane: number) {
    // Each lane paces itself: lanes × batchSize / interval = rate.
    const intervalMs = rate === undefined ? 0 : (this.opts.inFlightBatches * this.opts.batchSize * 1000) / rate;
    let next = Date.now() + (intervalMs * lane) / Math.max(1, this.opts.inFlightBatches);
    while (this.producing) {
      if (intervalMs > 0) {
        const wait = next - Date.now();
        if (wait > 0) await sleep(wait);
        // No catch-up bursts after a stall: the rate stays the offered rate, as a real client's would.
        next = Math.max(next + intervalMs, Date.now());
        if (!this.producing) break;
      }
      const batch = this.nextBatch(producer);
      const outcomes = await publisher.publish(batch, { index: lane, count: this.opts.inFlightBatches });
      this.record(batch, outcomes);
      // After a failure, back off briefly instead of spinning against a broker that is down.
      if (outcomes.some((o) => o.type !== "ok")) await sleep(50);
    }
  }

  private record(batch: Envelope[], outcomes: PublishOutcome[]): void {
    const at = Date.now();
    batch.forEach((env, i) => {
      const o = outcomes[i] ?? { type: "info", error: "no outcome" };
      if (o.type === "ok") {
        const latency = this.ledger.acknowledged(env.id, at, o.position);
        this.stats.publishLatency.record(Math.max(0, latency));
        this.stats.acked.mark(at, 1, this.opts.messageBytes);
        this.timeline.acked(at, latency);
        // A queue has no partitions: its acks are timed as partition 0, so write recovery is per queue there.
        this.partitionAcks.record(at, o.position?.partition ?? 0);
      } else if (o.type === "fail") {
        this.ledger.failed(env.id, at);
        this.timeline.failed(at);
        this.noteError(o.error);
      } else {
        this.ledger.unknown(env.id, at);
        this.timeline.unknown(at);
        this.noteError(o.error);
      }
    });
    if (outcomes.some((o) => o.type === "ok")) this.lastAckAt = at;
    this.timeline.unseen(at, this.ledger.unseen);
  }

  /** Whether any publish was acknowledged at or after `since` (epoch ms). */
  /** Epoch ms of the latest acknowledgement: where a throughput measurement ends (not at disconnect). */
  get lastAcknowledgedAt(): number {
    return this.lastAckAt;
  }

  ackedSince(since: number): boolean {
    return this.lastAckAt >= since;
  }

  /**
   * After the producers stopped: waits until every acknowledged message has been consumed, nothing is in flight, and
   * every subscriber has read all the broker holds (each partition to its high watermark, the queue to empty), or
   * `quietMs` pass without one more message consumed (at most ten times that in all: a slow consumer under load still
   * drains; a stalled one is named). Only then may the checker call an unknown write that was not read "not landed",
   * and see writes past the last acknowledged one.
   */
  async drain(quietMs: number): Promise<{ drained: boolean; unseen: number; tookMs: number; detail: string }> {
    const start = Date.now();
    let detail = "";
    let lastUnseen = this.ledger.unseen;
    let lastProgress = start;
    while (drainGoesOn(Date.now(), start, lastProgress, quietMs)) {
      if (this.ledger.unseen < lastUnseen) {
        lastUnseen = this.ledger.unseen;
        lastProgress = Date.now();
      }
      this.timeline.unseen(Date.now(), this.ledger.unseen);
      if (this.ledger.unseen === 0 && this.ledger.inFlight === 0) {
        const ends = await this.readEnds();
        detail = ends.detail;
        if (ends.atEnd) return { drained: true, unseen: 0, tookMs: Date.now() - start, detail };
      }
      await sleep(100);
    }
    // What the broker still holds tells a stalled consumer (the messages wait in the queue) from a loss (it is empty).
    if (this.ledger.unseen > 0) detail = (await this.readEnds()).detail;
    return { drained: false, unseen: this.ledger.unseen, tookMs: Date.now() - start, detail };
  }

  /** Whether every subscriber has read all the broker holds, and what each says of it. */
  private async readEnds(): Promise<{ atEnd: boolean; detail: string }> {
    const ends = await Promise.all(this.subscribers.map((s) => s.atEnd?.() ?? { atEnd: true, detail: "" }));
    return {
      atEnd: ends.every((e) => e.atEnd),
      detail: ends
        .map((e) => e.detail)
        .filter(Boolean)
        .join("; "),
    };
  }

  progress(now = Date.now()): ProgressSample {
    return {
      at: now,
      sentPerSec: this.stats.sent.recent(now).messagesPerSecond,
      ackedPerSec: this.stats.acked.recent(now).messagesPerSecond,
      consumedPerSec: this.stats.consumed.recent(now).messagesPerSecond,
      inFlight: this.ledger.inFlight,
      unseen: this.ledger.unseen,
      errors: this.stats.errors,
      lastError: this.stats.lastError,
    };
  }

  async close(): Promise<void> {
    await this.stopProducing();
    await Promise.all(this.subscribers.map((s) => s.stop()));
    await Promise.all(this.publishers.map((p) => p.publisher.close()));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
