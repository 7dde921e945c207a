// Throughput that counts: the rate at which consumers keep up, not the rate at which a broker buffers. A run whose
// "acknowledged, not yet consumed" backlog keeps growing is not sustaining its publish rate, and says so.
import type { Timeline } from "./timeline";

export interface Sustained {
  /** Acknowledged publishes per second over the load. */
  publishedPerSec: number;
  /** Consumed per second over the same window. */
  consumedPerSec: number;
  /** Backlog (acknowledged, not yet consumed) early in the load and at its end. */
  backlogEarly: number;
  backlogEnd: number;
  /** The backlog kept growing: consumers did not keep up with the publish rate. */
  growing: boolean;
  /** The rate sustained with a bounded backlog: the publish rate, or the consumer rate when the backlog grew. */
  sustainedPerSec: number;
}

/**
 * Over the buckets before `loadEndMs` (the drain phase): the backlog grows when it ends the load higher than it was a
 * quarter of the way in by more than one second of publishing (a fixed window of in-flight work is not growth).
 */
export function sustainedThroughput(timeline: Timeline, loadEndMs: number): Sustained {
  const load = timeline.buckets.filter((b) => b.atMs < loadEndMs && b.atMs >= 0);
  const seconds = Math.max(0.001, (load.length * timeline.bucketMs) / 1000);
  const acked = load.reduce((n, b) => n + b.acked, 0);
  const consumed = load.reduce((n, b) => n + b.consumed, 0);
  const publishedPerSec = acked / seconds;
  const consumedPerSec = consumed / seconds;
  const backlog = load.map((b) => b.unseenMax).filter((v): v is number => v !== null);
  const at = (fraction: number) => backlog[Math.min(backlog.length - 1, Math.floor(backlog.length * fraction))] ?? 0;
  const backlogEarly = at(0.25);
  const backlogEnd =
    backlog.length > 0 ? Math.max(...backlog.slice(-Math.max(1, Math.floor(1000 / timeline.bucketMs)))) : 0;
  const growing = backlogEnd - backlogEarly > Math.max(publishedPerSec, 100);
  return {
    publishedPerSec,
    consumedPerSec,
    backlogEarly,
    backlogEnd,
    growing,
    sustainedPerSec: growing ? Math.min(publishedPerSec, consumedPerSec) : publishedPerSec,
  };
}

/**
 * The load's window on a run's timeline (ms since its start): from the "steady" phase, when producing began, to the
 * "drain" phase. Workers' start-up (pods admitted, groups joined) comes before it and is no part of any rate.
 */
export function loadWindowOf(timeline: Timeline): { fromMs: number; toMs: number } {
  const phase = (label: string) => timeline.events.find((e) => e.kind === "phase" && e.label === label)?.atMs;
  return { fromMs: phase("steady") ?? 0, toMs: phase("drain") ?? Number.POSITIVE_INFINITY };
}

/** How long the load ran: its window, ended by the timeline's end when it never drained. */
export function loadDurationMs(timeline: Timeline): number {
  const w = loadWindowOf(timeline);
  return Math.max(0, Math.min(w.toMs, timeline.buckets.length * timeline.bucketMs) - w.fromMs);
}

/**
 * Sustained throughput from `loadStartMs` to `loadEndMs` (ms since the timeline start): the buckets before the first
 * publish (consumers joining their group, workers starting) are left out, as the publish rate leaves them out.
 */
export function sustainedOverLoad(timeline: Timeline, loadStartMs: number, loadEndMs: number): Sustained {
  const from = Math.floor(loadStartMs / timeline.bucketMs) * timeline.bucketMs;
  return sustainedThroughput({ ...timeline, buckets: timeline.buckets.filter((b) => b.atMs >= from) }, loadEndMs);
}
