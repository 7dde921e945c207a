// What happened when, in fixed-size buckets (250 ms by default): the raw material for the report's chart and for
// the recovery measures. Times inside a Timeline are milliseconds since its start, so charts and tests need no
// epoch arithmetic; startedAt keeps the wall-clock anchor.
import { Histogram } from "./histogram";

export interface TimelineBucket {
  /** Bucket start, ms since the timeline start. */
  atMs: number;
  sent: number;
  acked: number;
  /** Definite publish failures (nack, refused). */
  failed: number;
  /** Indeterminate publish outcomes (timeouts, connection lost mid-flight). */
  unknown: number;
  consumed: number;
  sentBytes: number;
  consumedBytes: number;
  /** p99 of publish→ack latency in this bucket, ms; null when nothing was acked. */
  ackP99Ms: number | null;
  /** p99 of publish→consume latency in this bucket, ms; null when nothing was consumed. */
  endToEndP99Ms: number | null;
  /** First ack inside the bucket, ms since the timeline start: recovery is timed to it, not to the bucket edge. */
  firstAckMs: number | null;
  /** Lowest and highest "acked but not yet consumed" count sampled in the bucket; null when never sampled. */
  unseenMin: number | null;
  unseenMax: number | null;
}

/** fault/heal come from the nemesis, health from the cluster health probe, phase/note from the drill. */
export type TimelineEventKind = "fault" | "heal" | "health" | "phase" | "note";

export interface TimelineEvent {
  atMs: number;
  kind: TimelineEventKind;
  /** "kill kafka-1", "heal", "steady", "drain", "under-replicated partitions: 3". */
  label: string;
  /** Health probe result; only on kind "health". */
  healthy?: boolean;
  /**
   * Only on kind "fault": publishes attempted with no outcome yet at that moment. A fault that hits an idle client
   * proves little, so the report says how many it could have caught.
   */
  inFlight?: number;
  /**
   * Only on kind "fault": when the fault took effect (the kill's processes gone, the rule applied), ms since the
   * timeline start; absent when the injector cannot tell (then recovery is timed from atMs, when it was asked for).
   */
  landedAtMs?: number;
}

/** What an event may carry besides its label. */
export type TimelineEventDetail = Pick<TimelineEvent, "healthy" | "inFlight">;

export interface Timeline {
  /** Epoch ms of atMs = 0. */
  startedAt: number;
  bucketMs: number;
  buckets: TimelineBucket[];
  events: TimelineEvent[];
}

interface OpenBucket {
  bucket: TimelineBucket;
  ackLatency: Histogram;
  endToEndLatency: Histogram;
}

export class TimelineRecorder {
  private readonly open: OpenBucket[] = [];
  private readonly events: TimelineEvent[] = [];

  /** startedAt and every `at` below are epoch ms (Date.now()). */
  constructor(
    readonly startedAt: number,
    readonly bucketMs = 250,
  ) {}

  sent(at: number, bytes = 0): void {
    const b = this.bucketAt(at).bucket;
    b.sent++;
    b.sentBytes += bytes;
  }

  acked(at: number, latencyMs: number): void {
    const open = this.bucketAt(at);
    open.bucket.acked++;
    open.ackLatency.record(latencyMs);
    const atMs = at - this.startedAt;
    if (open.bucket.firstAckMs === null || atMs < open.bucket.firstAckMs) open.bucket.firstAckMs = atMs;
  }

  failed(at: number): void {
    this.bucketAt(at).bucket.failed++;
  }

  unknown(at: number): void {
    this.bucketAt(at).bucket.unknown++;
  }

  /** latencyMs: publish→consume, when the message is ours (the ledger returns it). */
  consumed(at: number, bytes = 0, latencyMs?: number): void {
    const open = this.bucketAt(at);
    open.bucket.consumed++;
    open.bucket.consumedBytes += bytes;
    if (latencyMs !== undefined) open.endToEndLatency.record(latencyMs);
  }

  /** Sample the ledger's unseen count (cheap: call it after every ack and delivery). */
  unseen(at: number, count: number): void {
    const b = this.bucketAt(at).bucket;
    b.unseenMin = b.unseenMin === null ? count : Math.min(b.unseenMin, count);
    b.unseenMax = b.unseenMax === null ? count : Math.max(b.unseenMax, count);
  }

  event(at: number, kind: TimelineEventKind, label: string, detail: TimelineEventDetail = {}): void {
    this.events.push({ atMs: at - this.startedAt, kind, label, ...detail });
  }

  /** The latest fault took effect at `at` (epoch ms): recovery is timed from here, not from when it was asked for. */
  landed(at: number): void {
    const fault = this.events.findLast((e) => e.kind === "fault");
    if (fault) fault.landedAtMs = at - this.startedAt;
  }

  /** Plain data, with empty buckets filled in so the chart's x axis has no holes. */
  snapshot(): Timeline {
    const buckets: TimelineBucket[] = [];
    for (let i = 0; i < this.open.length; i++) {
      const open = this.open[i];
      if (!open) {
        buckets.push(emptyBucket(i * this.bucketMs));
        continue;
      }
      buckets.push({
        ...open.bucket,
        ackP99Ms: open.ackLatency.count > 0 ? open.ackLatency.quantile(0.99) : null,
        endToEndP99Ms: open.endToEndLatency.count > 0 ? open.endToEndLatency.quantile(0.99) : null,
      });
    }
    const events = [...this.events].sort((a, b) => a.atMs - b.atMs);
    return { startedAt: this.startedAt, bucketMs: this.bucketMs, buckets, events };
  }

  private bucketAt(at: number): OpenBucket {
    // Anything before the start (a clock step, a late callback) lands in the first bucket rather than vanishing.
    const index = Math.max(0, Math.floor((at - this.startedAt) / this.bucketMs));
    let open = this.open[index];
    if (!open) {
      open = {
        bucket: emptyBucket(index * this.bucketMs),
        ackLatency: new Histogram(),
        endToEndLatency: new Histogram(),
      };
      this.open[index] = open;
    }
    return open;
  }
}

export function emptyBucket(atMs: number): TimelineBucket {
  return {
    atMs,
    sent: 0,
    acked: 0,
    failed: 0,
    unknown: 0,
    consumed: 0,
    sentBytes: 0,
    consumedBytes: 0,
    ackP99Ms: null,
    endToEndP99Ms: null,
    firstAckMs: null,
    unseenMin: null,
    unseenMax: null,
  };
}

/** Re-buckets a timeline to a coarser width (the chart plots per second): counts add, p99 takes the worst. */
export function coarsen(timeline: Timeline, bucketMs: number): TimelineBucket[] {
  const factor = Math.max(1, Math.round(bucketMs / timeline.bucketMs));
  const out: TimelineBucket[] = [];
  timeline.buckets.forEach((b, i) => {
    const j = Math.floor(i / factor);
    const into = out[j] ?? emptyBucket(j * factor * timeline.bucketMs);
    out[j] = into;
    into.sent += b.sent;
    into.acked += b.acked;
    into.failed += b.failed;
    into.unknown += b.unknown;
    into.consumed += b.consumed;
    into.sentBytes += b.sentBytes;
    into.consumedBytes += b.consumedBytes;
    into.ackP99Ms = maxOrNull(into.ackP99Ms, b.ackP99Ms);
    into.endToEndP99Ms = maxOrNull(into.endToEndP99Ms, b.endToEndP99Ms);
    into.firstAckMs = into.firstAckMs ?? b.firstAckMs;
    into.unseenMin = b.unseenMin === null ? into.unseenMin : Math.min(into.unseenMin ?? b.unseenMin, b.unseenMin);
    into.unseenMax = maxOrNull(into.unseenMax, b.unseenMax);
  });
  return out;
}

function maxOrNull(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}
