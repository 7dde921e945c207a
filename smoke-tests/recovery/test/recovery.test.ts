import { emptyBucket, type Timeline, type TimelineBucket, type TimelineEvent } from "../../stats/timeline";
import { clusterRecovery, measureRecoveries, steadyGapMs } from "../recovery";

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

/** Ack times of one partition: one every 10 ms from 0 to durationMs, except where `silent` holds, plus `extra`. */
function acksEvery10ms(durationMs: number, silent: (t: number) => boolean, extra: number[] = []): number[] {
  const times = extra.slice();
  for (let t = 0; t < durationMs; t += 10) if (!silent(t)) times.push(t);
  return times.sort((a, b) => a - b);
}

const fault = (atMs: number, label = "kill kafka-1", landedAtMs?: number): TimelineEvent => ({
  atMs,
  kind: "fault",
  label,
  ...(landedAtMs === undefined ? {} : { landedAtMs }),
});
const heal = (atMs: number): TimelineEvent => ({ atMs, kind: "heal", label: "heal" });
const health = (atMs: number, healthy: boolean): TimelineEvent => ({ atMs, kind: "health", label: "probe", healthy });
const drain = (atMs: number): TimelineEvent => ({ atMs, kind: "phase", label: "drain" });

/** Writes stall from 20 s to 29.5 s (timeouts), consumers then work off a backlog until 31 s. */
function hardKill(atMs: number): Partial<TimelineBucket> {
  if (atMs >= 20_000 && atMs < 29_500) {
    return { acked: 0, consumed: 0, firstAckMs: null, unknown: atMs % 1000 === 0 ? 3 : 0, unseenMin: 5, unseenMax: 5 };
  }
  if (atMs >= 29_500 && atMs < 31_000)
    return { acked: 200, consumed: 60, firstAckMs: atMs + 120, unseenMin: 150, unseenMax: 400 };
  return {};
}

describe("recovery after a hard kill of the leader, timed from when the kill landed", () => {
  // Asked for at 19.8 s, landed at 20 s: acks kept coming in between, then none until 29.62 s.
  const events = [
    fault(19_800, "kill kafka-1", 20_000),
    heal(35_000),
    health(20_500, false),
    health(25_000, false),
    health(33_000, true),
    drain(55_000),
  ];
  const acks = new Map([[0, acksEvery10ms(60_000, (t) => t >= 20_000 && t < 29_620, [29_620])]]);
  const [recovery] = measureRecoveries(timeline(60_000, hardKill, events), acks);

  test("the report keeps both moments: asked and landed", () => {
    expect(recovery?.fault).toMatchObject({ atMs: 19_800, landedAtMs: 20_000 });
  });

  test("writes: the longest gap between acks from the landing on (9.62 s)", () => {
    expect(recovery?.writes).toMatchObject({ status: "recovered", ms: 9_620, atMs: 29_620 });
  });

  test("consumers: landing → unseen back to its pre-fault level, to within one bucket", () => {
    expect(recovery?.consumers).toMatchObject({ status: "recovered", ms: 11_250 });
  });

  test("cluster: landing → the health probe's first healthy report", () => {
    expect(recovery?.cluster).toMatchObject({ status: "recovered", ms: 13_000 });
    expect(recovery?.heal?.atMs).toBe(35_000);
  });
});

describe("write recovery edge cases", () => {
  const steadyAcks = (durationMs: number) => new Map([[0, acksEvery10ms(durationMs, () => false)]]);

  test("a fault that never interrupts acks is 'not disrupted', with no number", () => {
    const [r] = measureRecoveries(
      timeline(30_000, () => ({}), [fault(10_100), drain(25_000)]),
      steadyAcks(30_000),
    );
    expect(r?.writes).toMatchObject({ status: "not-disrupted", ms: null, atMs: null });
    expect(r?.writes.how).toContain("acks never paused longer than 10 ms");
    expect(r?.consumers).toMatchObject({ status: "not-disrupted", ms: null });
    expect(r?.cluster.status).toBe("no-data");
  });

  test("acks between the fault's request and its landing do not shorten the stall", () => {
    // Asked at 10 s, landed at 10.25 s; acks until 10.24 s, then none until 14 s.
    const acks = new Map([[0, acksEvery10ms(30_000, (t) => t >= 10_250 && t < 14_000)]]);
    const [r] = measureRecoveries(
      timeline(30_000, () => ({}), [fault(10_000, "kill", 10_250), drain(25_000)]),
      acks,
    );
    expect(r?.writes).toMatchObject({ status: "recovered", ms: 3_750, atMs: 14_000 });
  });

  test("writes that never come back before the drain are 'not recovered', the trailing silence named", () => {
    const shape = (atMs: number) => (atMs >= 10_000 ? { acked: 0, failed: 4, firstAckMs: null, consumed: 0 } : {});
    const acks = new Map([[0, acksEvery10ms(30_000, (t) => t >= 10_000)]]);
    const [r] = measureRecoveries(timeline(30_000, shape, [fault(10_000), drain(25_000)]), acks);
    expect(r?.writes).toMatchObject({ status: "not-recovered", ms: null });
    expect(r?.writes.how).toBe(
      "its one partition or queue: no acknowledged write in the last 15.00 s before the load ended",
    );
    expect(r?.consumers.status).toBe("not-recovered");
  });

  test("one partition that acks once after the fault and then falls silent is not recovered, by name", () => {
    const acks = new Map([
      [0, acksEvery10ms(30_000, () => false)],
      [1, acksEvery10ms(30_000, (t) => t > 10_040)],
    ]);
    const [r] = measureRecoveries(
      timeline(30_000, () => ({}), [fault(10_000), drain(25_000)]),
      acks,
    );
    expect(r?.writes).toMatchObject({ status: "not-recovered", ms: null });
    expect(r?.writes.how).toBe("p1: no acknowledged write in the last 14.96 s before the load ended");
  });

  test("publishes that failed while acks kept flowing are a disruption, timed by the longest gap", () => {
    const shape = (atMs: number) => (atMs === 10_250 ? { failed: 3 } : {});
    const [r] = measureRecoveries(timeline(30_000, shape, [fault(10_000), drain(25_000)]), steadyAcks(30_000));
    expect(r?.writes).toMatchObject({ status: "recovered", ms: 10 });
    expect(r?.writes.how).toContain("3 publishes failed or timed out");
  });

  test("a pause no longer than the steady state's own is not a disruption", () => {
    // Every 400 ms a 300 ms pause before the fault and after it: steady, not the fault's doing.
    const silent = (t: number) => t % 400 < 300 && t % 400 > 0;
    const acks = new Map([[0, acksEvery10ms(30_000, silent)]]);
    expect(steadyGapMs(acks, 0, 10_000)).toBe(300);
    const [r] = measureRecoveries(
      timeline(30_000, () => ({}), [fault(10_000), drain(25_000)]),
      acks,
    );
    expect(r?.writes.status).toBe("not-disrupted");
  });

  test("a pause under the 1.5 s floor, long after the landing, is the machine's noise; one past it is a disruption", () => {
    // As kill-leader --kill decoy saw on the cluster: one 1.02 s pause 40 s after a kill that touched no broker.
    const withPause = (ms: number) => new Map([[0, acksEvery10ms(60_000, (t) => t >= 40_000 && t < 40_000 + ms)]]);
    const run = (ms: number) =>
      measureRecoveries(
        timeline(60_000, () => ({}), [fault(10_000), drain(55_000)]),
        withPause(ms),
      )[0]?.writes;
    expect(run(1_020)?.status).toBe("not-disrupted");
    expect(run(1_600)).toMatchObject({ status: "recovered", ms: 1_610 });
  });

  test("an earlier fault's stall in the baseline window does not excuse the next one", () => {
    // A 3 s stall at 2 s, then steady, then the fault at 10 s stalls writes for 2 s.
    const acks = new Map([[0, acksEvery10ms(30_000, (t) => (t >= 2_000 && t < 5_000) || (t >= 10_000 && t < 12_000))]]);
    expect(steadyGapMs(acks, 0, 10_000)).toBe(10);
    const [r] = measureRecoveries(
      timeline(30_000, () => ({}), [fault(10_000), drain(25_000)]),
      acks,
    );
    expect(r?.writes).toMatchObject({ status: "recovered", ms: 2_000 });
  });

  test("repeated faults are measured separately, each up to the next fault", () => {
    const acks = new Map([
      [0, acksEvery10ms(50_000, (t) => (t >= 10_000 && t < 12_000) || (t >= 30_000 && t < 33_000))],
    ]);
    const rs = measureRecoveries(
      timeline(50_000, () => ({}), [fault(10_000, "kill kafka-0"), fault(30_000, "kill kafka-2"), drain(45_000)]),
      acks,
    );
    expect(rs.map((r) => [r.fault.label, r.writes.ms])).toEqual([
      ["kill kafka-0", 2_000],
      ["kill kafka-2", 3_000],
    ]);
  });

  test("no acks at all is 'no data', not 'not disrupted'", () => {
    const [r] = measureRecoveries(
      timeline(30_000, () => ({}), [fault(10_000)]),
      new Map(),
    );
    expect(r?.writes).toMatchObject({ status: "no-data", ms: null });
  });
});

describe("cluster recovery", () => {
  test("cluster health that flaps counts from the last unhealthy probe", () => {
    const probes = [health(1_000, false), health(2_000, true), health(3_000, false), health(4_000, true)];
    expect(clusterRecovery(probes, 0, Number.POSITIVE_INFINITY)).toMatchObject({ status: "recovered", ms: 4_000 });
    expect(clusterRecovery([health(1_000, false)], 0, 10_000).status).toBe("not-recovered");
    expect(clusterRecovery([health(1_000, true)], 0, 10_000)).toMatchObject({ status: "not-disrupted", ms: null });
  });
});
