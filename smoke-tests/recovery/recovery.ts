// Recovery after a fault, measured three ways from the client's timeline (reference §0.4 and §4: time it from the
// client, not from management metrics):
//   writes     fault → first acknowledged write of a stable stretch (acks flowing, no publish errors);
//   consumers  fault → consumers caught up: "acked but not yet consumed" back to its pre-fault level;
//   cluster    fault → the health probe reports healthy again after its last unhealthy report.
// All are pure functions of a Timeline, so they are tested on synthetic timelines and re-run on saved reports.
import type { Timeline, TimelineBucket, TimelineEvent } from "../stats/timeline";

export type RecoveryStatus = "recovered" | "not-disrupted" | "not-recovered" | "no-data";

export interface RecoveryMeasure {
  status: RecoveryStatus;
  /** Milliseconds from the fault; null unless recovered or not-disrupted (then 0 or within one bucket). */
  ms: number | null;
  /** When, in timeline ms; null when ms is. */
  atMs: number | null;
  /** One sentence a report can print: what was measured, or why there is no number. */
  how: string;
}

export interface FaultRecovery {
  fault: TimelineEvent;
  heal: TimelineEvent | null;
  writes: RecoveryMeasure;
  consumers: RecoveryMeasure;
  cluster: RecoveryMeasure;
}

export interface RecoveryOptions {
  /** How long acks must flow without publish errors to count as recovered; one bucket after a fault is noise. */
  stableMs: number;
  /** The pre-fault window whose highest unseen count is the "caught up" level under steady load. */
  baselineMs: number;
  /** The drill's phase event that ends the load (producers stop): measuring writes after it is meaningless. */
  loadEndPhase: string;
}

export const defaultRecoveryOptions: RecoveryOptions = { stableMs: 1000, baselineMs: 10_000, loadEndPhase: "drain" };

/** One entry per fault event, in time order. */
export function measureRecoveries(timeline: Timeline, options: Partial<RecoveryOptions> = {}): FaultRecovery[] {
  const opts = { ...defaultRecoveryOptions, ...options };
  const faults = timeline.events.filter((e) => e.kind === "fault");
  return faults.map((fault, i) => {
    const nextFaultMs = faults[i + 1]?.atMs ?? Number.POSITIVE_INFINITY;
    const loadEndMs = timeline.events.find(
      (e) => e.kind === "phase" && e.label === opts.loadEndPhase && e.atMs > fault.atMs,
    )?.atMs;
    const loadWindowEndMs = Math.min(nextFaultMs, loadEndMs ?? Number.POSITIVE_INFINITY);
    const heal = timeline.events.find((e) => e.kind === "heal" && e.atMs >= fault.atMs && e.atMs < nextFaultMs) ?? null;
    const writes = writeRecovery(timeline, fault.atMs, loadWindowEndMs, opts.stableMs);
    return {
      fault,
      heal,
      writes,
      consumers: consumerRecovery(timeline, fault.atMs, writes.atMs ?? fault.atMs, nextFaultMs, opts.baselineMs),
      cluster: clusterRecovery(timeline.events, fault.atMs, nextFaultMs),
    };
  });
}

const ackedWithoutErrors = (b: TimelineBucket) => b.acked > 0 && b.failed + b.unknown === 0;

/** fault → first ack of the first stretch of stableMs in which every bucket has acks and no publish errors. */
export function writeRecovery(
  timeline: Timeline,
  faultMs: number,
  windowEndMs: number,
  stableMs: number,
): RecoveryMeasure {
  const { buckets, bucketMs } = timeline;
  const first = Math.floor(faultMs / bucketMs);
  const end = Math.min(buckets.length, Math.ceil(windowEndMs / bucketMs));
  const stableBuckets = Math.max(1, Math.ceil(stableMs / bucketMs));
  for (let i = first; i < end; i++) {
    const stretch = buckets.slice(i, Math.min(i + stableBuckets, end));
    if (!stretch.every(ackedWithoutErrors)) continue;
    const bucket = buckets[i] as TimelineBucket;
    const atMs = Math.max(bucket.firstAckMs ?? bucket.atMs, faultMs);
    const ms = atMs - faultMs;
    if (i === first) {
      return { status: "not-disrupted", ms, atMs, how: "acks kept flowing without publish errors through the fault" };
    }
    return {
      status: "recovered",
      ms,
      atMs,
      how: `first ack of the first ${stableMs} ms with acks and no publish errors`,
    };
  }
  return {
    status: "not-recovered",
    ms: null,
    atMs: null,
    how: `no ${stableMs} ms stretch of clean acks before the load ended`,
  };
}

/**
 * fault → consumers caught up. Under steady load "acked but not yet consumed" is never exactly 0 (messages in flight
 * between ack and delivery), so caught up means: back at or below the highest level seen in the baseline window
 * before the fault, in a bucket where consumers received something, no earlier than writes recovered (a stalled
 * system has a flat unseen count too). At the final drain that level is reached by unseen → 0 anyway.
 */
export function consumerRecovery(
  timeline: Timeline,
  faultMs: number,
  writesRecoveredMs: number,
  windowEndMs: number,
  baselineMs: number,
): RecoveryMeasure {
  const { buckets, bucketMs } = timeline;
  const before = buckets.filter((b) => b.atMs >= faultMs - baselineMs && b.atMs + bucketMs <= faultMs);
  const sampled = before.filter((b) => b.unseenMax !== null);
  const caughtUpLevel = sampled.length > 0 ? Math.max(...sampled.map((b) => b.unseenMax as number)) : 0;
  const first = Math.floor(faultMs / bucketMs);
  const start = Math.max(first, Math.floor(writesRecoveredMs / bucketMs));
  const end = Math.min(buckets.length, Math.ceil(windowEndMs / bucketMs));
  for (let i = start; i < end; i++) {
    const b = buckets[i] as TimelineBucket;
    if (b.consumed === 0 || b.unseenMin === null || b.unseenMin > caughtUpLevel) continue;
    // The bucket end: the moment unseen dipped is somewhere inside it, so this errs late by under one bucket.
    const atMs = Math.max(b.atMs + bucketMs, writesRecoveredMs);
    const how = `unseen back to ≤ ${caughtUpLevel} (its pre-fault level), to within ${bucketMs} ms`;
    return { status: i === first ? "not-disrupted" : "recovered", ms: atMs - faultMs, atMs, how };
  }
  if (buckets.slice(start, end).every((b) => b.unseenMin === null)) {
    return { status: "no-data", ms: null, atMs: null, how: "the timeline has no unseen samples after the fault" };
  }
  return { status: "not-recovered", ms: null, atMs: null, how: `unseen never fell back to ≤ ${caughtUpLevel}` };
}

/** fault → the first healthy probe after the last unhealthy one (before the next fault): flapping counts as down. */
export function clusterRecovery(events: TimelineEvent[], faultMs: number, windowEndMs: number): RecoveryMeasure {
  const probes = events.filter((e) => e.kind === "health" && e.atMs >= faultMs && e.atMs < windowEndMs);
  if (probes.length === 0)
    return { status: "no-data", ms: null, atMs: null, how: "no health probe results after the fault" };
  const lastUnhealthy = probes.findLastIndex((e) => e.healthy === false);
  if (lastUnhealthy === -1) {
    return {
      status: "not-disrupted",
      ms: 0,
      atMs: faultMs,
      how: "the health probe never reported the cluster unhealthy",
    };
  }
  const healthyAgain = probes.slice(lastUnhealthy + 1).find((e) => e.healthy === true);
  if (!healthyAgain) {
    const last = probes[lastUnhealthy] as TimelineEvent;
    return { status: "not-recovered", ms: null, atMs: null, how: `still unhealthy at the last probe: ${last.label}` };
  }
  return {
    status: "recovered",
    ms: healthyAgain.atMs - faultMs,
    atMs: healthyAgain.atMs,
    how: "first healthy probe after the last unhealthy one",
  };
}
