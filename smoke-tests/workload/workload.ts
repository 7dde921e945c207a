// The Jepsen "generator" half of a workload: keeps publishers busy at a target rate (or as fast as the in-flight
// window allows), records every outcome in the ledger and the timeline, and drains at the end. Faults are applied
// by the caller between phases; this module only produces, consumes and measures.
import type { Envelope } from "../clients/envelope";
import { encodeEnvelope } from "../clients/envelope";
import type { Publisher, PublishOutcome, Subscriber } from "../clients/types";
import type { Ledger } from "../ledger";
import type { TimelineRecorder } from "../stats";
import type { PartitionAcks } from "../stats/partition-stalls";
import { type ProgressSample, Recording, type RecordingTap, type WorkloadStats } from "./recording";

export type { ProgressSample, WorkloadStats } from "./recording";

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

export interface DrainResult {
  drained: boolean;
  unseen: number;
  tookMs: number;
  detail: string;
}

/** What a drill drives: one workload in this process, or several workers merged into one ledger (workers/pool.ts). */
export interface Load {
  readonly stats: WorkloadStats;
  readonly partitionAcks: PartitionAcks;
  noteError(what: string): void;
  startConsuming(): Promise<void>;
  startProducing(): void;
  stopProducing(): Promise<void>;
  drain(quietMs: number): Promise<DrainResult>;
  ackedSince(since: number): boolean;
  progress(now?: number): ProgressSample;
  close(): Promise<void>;
}

/** Pure: the drain goes on while a message was consumed in the last `quietMs`, and for at most ten times that in all. */
export function drainGoesOn(now: number, startedAt: number, lastProgressAt: number, quietMs: number): boolean {
  return now - lastProgressAt < quietMs && now - startedAt < quietMs * 10;
}

/**
 * After the producers stopped: waits until every acknowledged message has been consumed, nothing is in flight, and
 * every subscriber has read all the broker holds (each partition to its high watermark, the queue to empty), or
 * `quietMs` pass without one more message consumed (at most ten times that in all: a slow consumer under load still
 * drains; a stalled one is named). Only then may the checker call an unknown write that was not read "not landed",
 * and see writes past the last acknowledged one.
 */
export async function drainLedger(
  ledger: Ledger,
  timeline: TimelineRecorder,
  readEnds: () => Promise<{ atEnd: boolean; detail: string }>,
  quietMs: number,
): Promise<DrainResult> {
  const start = Date.now();
  let detail = "";
  let lastUnseen = ledger.unseen;
  let lastProgress = start;
  while (drainGoesOn(Date.now(), start, lastProgress, quietMs)) {
    if (ledger.unseen < lastUnseen) {
      lastUnseen = ledger.unseen;
      lastProgress = Date.now();
    }
    timeline.unseen(Date.now(), ledger.unseen);
    if (ledger.unseen === 0 && ledger.inFlight === 0) {
      const ends = await readEnds();
      detail = ends.detail;
      if (ends.atEnd) return { drained: true, unseen: 0, tookMs: Date.now() - start, detail };
    }
    await sleep(100);
  }
  // What the broker still holds tells a stalled consumer (the messages wait in the queue) from a loss (it is empty).
  if (ledger.unseen > 0) detail = (await readEnds()).detail;
  return { drained: false, unseen: ledger.unseen, tookMs: Date.now() - start, detail };
}

export class Workload implements Load {
  private readonly recording: Recording;
  private producing = false;
  private loops: Promise<void>[] = [];
  private seqs = new Map<string, number>();

  /** `tap` sees every outcome as it is recorded: a worker streams its journal through it. */
  constructor(
    private readonly ledger: Ledger,
    private readonly timeline: TimelineRecorder,
    private readonly publishers: Array<{ name: string; publisher: Publisher }>,
    private readonly subscribers: Subscriber[],
    private readonly opts: WorkloadOptions,
    tap?: RecordingTap,
  ) {
    this.recording = new Recording(ledger, timeline, opts.messageBytes, tap);
  }

  get stats(): WorkloadStats {
    return this.recording.stats;
  }

  get partitionAcks(): PartitionAcks {
    return this.recording.partitionAcks;
  }

  noteError(what: string): void {
    this.recording.noteError(what);
  }

  async startConsuming(): Promise<void> {
    await Promise.all(this.subscribers.map((s, i) => s.start((d) => this.recording.delivered(d, `c${i}`))));
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
      batch.push(encodeEnvelope(this.ledger.idFor(producer, seq), now, this.opts.messageBytes));
    }
    this.recording.sent(
      batch.map((env) => env.id),
      now,
    );
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
      this.recording.outcome(env.id, at, outcomes[i] ?? { type: "info", error: "no outcome" });
    });
    this.recording.settled(at);
  }

  /** Epoch ms of the latest acknowledgement: where a throughput measurement ends (not at disconnect). */
  get lastAcknowledgedAt(): number {
    return this.recording.lastAcknowledgedAt;
  }

  /** Whether any publish was acknowledged at or after `since` (epoch ms). */
  ackedSince(since: number): boolean {
    return this.recording.ackedSince(since);
  }

  /** drainLedger over this workload's ledger and subscribers. */
  drain(quietMs: number): Promise<DrainResult> {
    return drainLedger(this.ledger, this.timeline, () => readEndsOf(this.subscribers), quietMs);
  }

  progress(now = Date.now()): ProgressSample {
    return this.recording.progress(now);
  }

  async close(): Promise<void> {
    await this.stopProducing();
    await Promise.all(this.subscribers.map((s) => s.stop()));
    await Promise.all(this.publishers.map((p) => p.publisher.close()));
  }
}

/** Whether every subscriber has read all the broker holds, and what each says of it. */
export async function readEndsOf(subscribers: readonly Subscriber[]): Promise<{ atEnd: boolean; detail: string }> {
  const ends = await Promise.all(subscribers.map((s) => s.atEnd?.() ?? { atEnd: true, detail: "" }));
  return {
    atEnd: ends.every((e) => e.atEnd),
    detail: ends
      .map((e) => e.detail)
      .filter(Boolean)
      .join("; "),
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
