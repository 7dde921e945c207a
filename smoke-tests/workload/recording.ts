// Where a workload's outcomes go: the ledger, the timeline, the rate and latency figures and the per-partition ack
// times, all from the same few calls. A workload in this process calls them as its clients answer; the coordinator of
// several workers calls them as each worker's journal arrives, so one merged run is counted exactly as one in-process
// run is.
import type { PublishOutcome, Received } from "../clients/types";
import type { Ledger } from "../ledger";
import { Histogram, RateMeter, type TimelineRecorder } from "../stats";
import { PartitionAcks } from "../stats/partition-stalls";

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

/** Sees every outcome as it is recorded: a worker's journal writer, which streams them out of the worker. */
export interface RecordingTap {
  sent(ids: readonly string[], at: number): void;
  outcome(id: string, at: number, outcome: PublishOutcome): void;
  delivered(d: Received, consumer: string): void;
  error(what: string): void;
}

export class Recording {
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
  /** Epoch ms of the latest acknowledgement (acks are recorded in time order, so this answers "acked since t?"). */
  private lastAckAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly ledger: Ledger,
    readonly timeline: TimelineRecorder,
    private readonly messageBytes: number,
    private readonly tap?: RecordingTap,
  ) {}

  noteError(what: string): void {
    this.tap?.error(what);
    this.stats.errors++;
    this.stats.lastError = what;
  }

  /** A batch handed to the client library. */
  sent(ids: readonly string[], at: number): void {
    this.tap?.sent(ids, at);
    for (const id of ids) this.ledger.attempted(id, at);
    this.stats.sent.mark(at, ids.length, ids.length * this.messageBytes);
    for (let i = 0; i < ids.length; i++) this.timeline.sent(at, this.messageBytes);
  }

  /** One message's publish outcome; settled() follows a batch of them. */
  outcome(id: string, at: number, o: PublishOutcome): void {
    this.tap?.outcome(id, at, o);
    if (o.type === "ok") {
      const latency = this.ledger.acknowledged(id, at, o.position);
      this.stats.publishLatency.record(Math.max(0, latency));
      this.stats.acked.mark(at, 1, this.messageBytes);
      this.timeline.acked(at, latency);
      // A queue has no partitions: its acks are timed as partition 0, so write recovery is per queue there.
      this.partitionAcks.record(at, o.position?.partition ?? 0);
      this.lastAckAt = Math.max(this.lastAckAt, at);
    } else if (o.type === "fail") {
      this.ledger.failed(id, at);
      this.timeline.failed(at);
      this.noteError(o.error);
    } else {
      this.ledger.unknown(id, at);
      this.timeline.unknown(at);
      this.noteError(o.error);
    }
  }

  /** After a batch of outcomes: the backlog (acknowledged, not yet consumed) sampled once. */
  settled(at: number): void {
    this.timeline.unseen(at, this.ledger.unseen);
  }

  delivered(d: Received, consumer: string): void {
    this.tap?.delivered(d, consumer);
    const e2e = this.ledger.consumed(d.id, {
      at: d.receivedAt,
      partition: d.partition,
      offset: d.offset === undefined ? undefined : Number(d.offset),
      consumer,
      redelivered: d.redelivered,
    });
    if (e2e !== undefined) this.stats.endToEndLatency.record(Math.max(0, e2e));
    this.stats.consumed.mark(d.receivedAt, 1, this.messageBytes);
    this.timeline.consumed(d.receivedAt, this.messageBytes, e2e);
    // The backlog over time: consumer recovery and sustained throughput read it.
    this.timeline.unseen(d.receivedAt, this.ledger.unseen);
  }

  /** Epoch ms of the latest acknowledgement: where a throughput measurement ends (not at disconnect). */
  get lastAcknowledgedAt(): number {
    return this.lastAckAt;
  }

  /** Whether any publish was acknowledged at or after `since` (epoch ms). */
  ackedSince(since: number): boolean {
    return this.lastAckAt >= since;
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
}
