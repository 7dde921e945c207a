// Recovery after a fault, measured three ways from the client's timeline (reference §0.4 and §4: time it from the
// client, not from management metrics), each from the moment the fault landed (took effect), not when it was asked:
//   writes     the longest gap between acknowledged writes on any partition (Kafka) or the queue (RabbitMQ), from the
//              landing to the end of the load, the trailing gap included: the longest writes stood still;
//   consumers  landing → consumers caught up: "acked but not yet consumed" back to its pre-fault level;
//   cluster    landing → the health probe reports healthy again after its last unhealthy report.
// All are pure functions of a Timeline (and the ack times), so they are tested on synthetic timelines.
import { type Gap, longestGap } from "../stats/partition-stalls";
import type { Timeline, TimelineBucket, TimelineEvent } from "../stats/timeline";

export type RecoveryStatus = "recovered" | "not-disrupted" | "not-recovered" | "no-data";

export interface RecoveryMeasure {
  status: RecoveryStatus;
  /** Milliseconds of disruption; null unless recovered ("not disrupted" is a status, never 0 ms). */
  ms: number | null;
  /** When it ended, in timeline ms; null when ms is. */
  atMs: number | null;
  /** One sentence a report can print: what was measured, or why there is no number. */
  how: string;
}

export interface FaultRecovery {
  /** The fault as asked for (atMs) and as it landed (landedAtMs, when the injector could tell). */
  fault: TimelineEvent;
  heal: TimelineEvent | null;
  writes: RecoveryMeasure;
  consumers: RecoveryMeasure;
  cluster: RecoveryMeasure;
}

export interface RecoveryOptions {
  /**
   * The longest write gap that is never a disruption, however steady the load was before (timer, GC and scheduling
   * jitter). 1.5 s: on this 2-core machine, kills that hit a decoy beside the broker (nothing disrupted) still saw
   * single pauses of 930 ms and 1.02 s within 110 s of load while the steady state's p99 was 360 ms, and 1.45 s under
   * a load average of 70; none was the drill's own event loop (no timer of it was late by 250 ms).
   */
  quietFloorMs: number;
  /** The pre-fault window: its longest write gap and its highest unseen count are the steady state's. */
  baselineMs: number;
  /** The drill's phase event that ends the load (producers stop): measuring writes after it is meaningless. */
  loadEndPhase: string;
}

export const defaultRecoveryOptions: RecoveryOptions = {
  quietFloorMs: 1_500,
  baselineMs: 10_000,
  loadEndPhase: "drain",
};

/** Acknowledgement times per partition (the queue is partition 0), epoch ms, ascending: PartitionAcks' snapshot. */
export type AckTimes = ReadonlyMap<number, readonly number[]>;

/** When a fault took effect, in timeline ms: its landing when known, else when it was asked for. */
export const landedAt = (fault: TimelineEvent): number => fault.landedAtMs ?? fault.atMs;

/** One entry per fault event, in time order. */
export function measureRecoveries(
  timeline: Timeline,
  acks: AckTimes,
  options: Partial<RecoveryOptions> = {},
): FaultRecovery[] {
  const opts = { ...defaultRecoveryOptions, ...options };
  const faults = timeline.events.filter((e) => e.kind === "fault");
  const sinceStart = new Map([...acks].map(([p, times]) => [p, times.map((t) => t - timeline.startedAt)]));
  return faults.map((fault, i) => {
    const nextFaultMs = faults[i + 1]?.atMs ?? Number.POSITIVE_INFINITY;
    const from = landedAt(fault);
    const loadEndMs = timeline.events.find(
      (e) => e.kind === "phase" && e.label === opts.loadEndPhase && e.atMs > fault.atMs,
    )?.atMs;
    const lastAckMs = Math.max(from, ...[...sinceStart.values()].map((t) => t.at(-1) ?? from));
    // Without a load-end event (a saved or synthetic run), the load ended with its last ack anywhere.
    const loadWindowEndMs = Math.min(nextFaultMs, loadEndMs ?? lastAckMs);
    const heal = timeline.events.find((e) => e.kind === "heal" && e.atMs >= fault.atMs && e.atMs < nextFaultMs) ?? null;
    const writes = writeRecovery(timeline, sinceStart, fault.atMs, from, loadWindowEndMs, opts);
    return {
      fault,
      heal,
      writes,
      consumers: consumerRecovery(timeline, from, writes.atMs ?? from, nextFaultMs, opts.baselineMs),
      cluster: clusterRecovery(timeline.events, from, nextFaultMs),
    };
  });
}

/**
 * Pure: the steady state's pause, the 99th percentile of the gaps between consecutive acks of each partition inside
 * [fromMs, toMs): its jitter, but not a stall an earlier fault left in the window (repeated kills), which would
 * otherwise excuse the next one.
 */
export function steadyGapMs(acks: AckTimes, fromMs: number, toMs: number): number {
  const gaps: number[] = [];
  for (const times of acks.values()) {
    const inside = times.filter((t) => t >= fromMs && t < toMs);
    for (let i = 1; i < inside.length; i++) gaps.push((inside[i] as number) - (inside[i - 1] as number));
  }
  gaps.sort((a, b) => a - b);
  return gaps[Math.ceil(gaps.length * 0.99) - 1] ?? 0;
}

const fmt = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

/**
 * The longest write gap of any partition from the landing (`fromMs`) to `windowEndMs`, trailing gap included. Longer
 * than the steady state's own longest pause (and than quietFloorMs): recovered after that gap, or not recovered when
 * the gap ran to the window's end. Otherwise not disrupted, unless publishes failed or timed out meanwhile.
 */
export function writeRecovery(
  timeline: Timeline,
  acks: AckTimes,
  askedMs: number,
  fromMs: number,
  windowEndMs: number,
  opts: Pick<RecoveryOptions, "quietFloorMs" | "baselineMs">,
): RecoveryMeasure {
  if (acks.size === 0) return { status: "no-data", ms: null, atMs: null, how: "no acknowledged write to time" };
  const steady = steadyGapMs(acks, askedMs - opts.baselineMs, askedMs);
  const quiet = Math.max(steady, opts.quietFloorMs);
  const gaps = [...acks].map(([partition, times]) => ({ partition, ...longestGap(times, fromMs, windowEndMs) }));
  const worst = gaps.reduce<Gap & { partition: number }>(
    (a, b) => (b.ms > a.ms ? b : a),
    gaps[0] as Gap & {
      partition: number;
    },
  );
  const where = acks.size > 1 ? `p${worst.partition}` : "its one partition or queue";
  const limit = `the steady state's pause (p99) ${fmt(steady)}, the floor ${fmt(opts.quietFloorMs)}`;
  if (worst.ms > quiet && worst.endedAt === null) {
    return {
      status: "not-recovered",
      ms: null,
      atMs: null,
      how: `${where}: no acknowledged write in the last ${fmt(worst.ms)} before the load ended`,
    };
  }
  if (worst.ms > quiet) {
    return {
      status: "recovered",
      ms: worst.ms,
      atMs: worst.endedAt,
      how: `longest gap between acknowledged writes after the fault landed: ${where}, ${fmt(worst.ms)} (${limit})`,
    };
  }
  const { buckets, bucketMs } = timeline;
  const errors = buckets
    .slice(Math.floor(fromMs / bucketMs), Math.ceil(windowEndMs / bucketMs))
    .reduce((n, b: TimelineBucket) => n + b.failed + b.unknown, 0);
  if (errors > 0) {
    return {
      status: "recovered",
      ms: worst.ms,
      atMs: worst.endedAt ?? windowEndMs,
      how: `${errors} publishes failed or timed out, while acks never paused longer than ${fmt(worst.ms)} (${where})`,
    };
  }
  return {
    status: "not-disrupted",
    ms: null,
    atMs: null,
    how: `acks never paused longer than ${fmt(worst.ms)} (${where}; ${limit}) and no publish failed`,
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
    if (i === first) return { status: "not-disrupted", ms: null, atMs: null, how };
    return { status: "recovered", ms: atMs - faultMs, atMs, how };
  }
  if (buckets.slice(start, end).every((b) => b.unseenMin === null)) {
    return { status: "no-data", ms: null, atMs: null, how: "the timeline has no unseen samples after the fault" };
  }
  return { status: "not-recovered", ms: null, atMs: null, how: `unseen never fell back to ≤ ${caughtUpLevel}` };
}

/** landing → the first healthy probe after the last unhealthy one (before the next fault): flapping counts as down. */
export function clusterRecovery(events: TimelineEvent[], faultMs: number, windowEndMs: number): RecoveryMeasure {
  const probes = events.filter((e) => e.kind === "health" && e.atMs >= faultMs && e.atMs < windowEndMs);
  if (probes.length === 0)
    return { status: "no-data", ms: null, atMs: null, how: "no health probe results after the fault" };
  const lastUnhealthy = probes.findLastIndex((e) => e.healthy === false);
  if (lastUnhealthy === -1) {
    return {
      status: "not-disrupted",
      ms: null,
      atMs: null,
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
