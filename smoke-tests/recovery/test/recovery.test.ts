import { emptyBucket, type Timeline, type TimelineBucket, type TimelineEvent } from "../../stats/timeline";
import { clusterRecovery, measureRecoveries } from "../recovery";

const bucketMs = 250;

/**
 * A synthetic drill: steady load (40 acks and deliveries per bucket, unseen ~5), then per bucket overrides.
 * `shape(atMs)` returns the fields that differ from steady state at that moment.
 */
function timeline(
  durationMs: number,
  shape: (atMs: number) => Partial<TimelineBucket>,
  events: TimelineEvent[],
): Timeline {
  const buckets = Array.from({ length: durationMs / bucketMs }, (_, i) => {
    const atMs = i * bucketMs;
    const steady = { sent: 40, acked: 40, consumed: 40, firstAckMs: atMs + 3, unseenMin: 2, unseenMax: 5 };
    return { ...emptyBucket(atMs), ...steady, ...shape(atMs) };
  });
  return { startedAt: 0, bucketMs, buckets, events };
}

const fault = (atMs: number, label = "kill kafka-1"): TimelineEvent => ({ atMs, kind: "fault", label });
const heal = (atMs: number): TimelineEvent => ({ atMs, kind: "heal", label: "heal" });
const health = (atMs: number, healthy: boolean): TimelineEvent => ({ atMs, kind: "health", label: "probe", healthy });

/** Writes stall from 20 s to 29.5 s (timeouts), consumers then work off a backlog until 31 s. */
function hardKill(atMs: number): Partial<TimelineBucket> {
  if (atMs >= 20_000 && atMs < 29_500) {
    return { acked: 0, consumed: 0, firstAckMs: null, unknown: atMs % 1000 === 0 ? 3 : 0, unseenMin: 5, unseenMax: 5 };
  }
  if (atMs >= 29_500 && atMs < 31_000)
    return { acked: 200, consumed: 60, firstAckMs: atMs + 120, unseenMin: 150, unseenMax: 400 };
  return {};
}

describe("recovery after a hard kill of the leader", () => {
  const events = [fault(20_000), heal(35_000), health(20_500, false), health(25_000, false), health(33_000, true)];
  const [recovery] = measureRecoveries(timeline(60_000, hardKill, events));

  test("writes: fault → first ack of the first clean stretch (9.5 s + 120 ms)", () => {
    expect(recovery?.writes).toMatchObject({ status: "recovered", ms: 9_620, atMs: 29_620 });
  });

  test("consumers: fault → unseen back to its pre-fault level, to within one bucket", () => {
    expect(recovery?.consumers).toMatchObject({ status: "recovered", ms: 11_250 });
  });

  test("cluster: fault → the health probe's first healthy report", () => {
    expect(recovery?.cluster).toMatchObject({ status: "recovered", ms: 13_000 });
    expect(recovery?.heal?.atMs).toBe(35_000);
  });
});

describe("recovery edge cases", () => {
  test("a graceful fault that never interrupts acks is 'not disrupted', 0 ms", () => {
    const [r] = measureRecoveries(timeline(30_000, () => ({}), [fault(10_100)]));
    expect(r?.writes).toMatchObject({ status: "not-disrupted", ms: 0 });
    expect(r?.consumers.status).toBe("not-disrupted");
    expect(r?.cluster.status).toBe("no-data");
  });

  test("acks still landing just after the fault do not count as recovery when the stall follows", () => {
    const shape = (atMs: number) => (atMs >= 10_250 && atMs < 14_000 ? { acked: 0, firstAckMs: null } : {});
    const [r] = measureRecoveries(timeline(30_000, shape, [fault(10_000)]));
    expect(r?.writes).toMatchObject({ status: "recovered", ms: 4_003 });
  });

  test("writes that never come back before the drain are 'not recovered'", () => {
    const shape = (atMs: number) => (atMs >= 10_000 ? { acked: 0, failed: 4, firstAckMs: null, consumed: 0 } : {});
    const drain: TimelineEvent = { atMs: 25_000, kind: "phase", label: "drain" };
    const [r] = measureRecoveries(timeline(30_000, shape, [fault(10_000), drain]));
    expect(r?.writes).toMatchObject({ status: "not-recovered", ms: null });
    expect(r?.consumers.status).toBe("not-recovered");
  });

  test("repeated faults are measured separately, each up to the next fault", () => {
    const shape = (atMs: number) =>
      (atMs >= 10_000 && atMs < 12_000) || (atMs >= 30_000 && atMs < 33_000) ? { acked: 0, firstAckMs: null } : {};
    const rs = measureRecoveries(
      timeline(50_000, shape, [fault(10_000, "kill kafka-0"), fault(30_000, "kill kafka-2")]),
    );
    expect(rs.map((r) => [r.fault.label, r.writes.ms])).toEqual([
      ["kill kafka-0", 2_003],
      ["kill kafka-2", 3_003],
    ]);
  });

  test("cluster health that flaps counts from the last unhealthy probe", () => {
    const probes = [health(1_000, false), health(2_000, true), health(3_000, false), health(4_000, true)];
    expect(clusterRecovery(probes, 0, Number.POSITIVE_INFINITY)).toMatchObject({ status: "recovered", ms: 4_000 });
    expect(clusterRecovery([health(1_000, false)], 0, 10_000).status).toBe("not-recovered");
    expect(clusterRecovery([health(1_000, true)], 0, 10_000).status).toBe("not-disrupted");
  });
});
