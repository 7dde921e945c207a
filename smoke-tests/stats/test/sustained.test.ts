// A throughput figure is the rate sustained with a bounded backlog, or it says that it is not.
import { loadDurationMs, loadWindowOf, sustainedOverLoad, sustainedThroughput } from "../sustained";
import type { Timeline, TimelineBucket } from "../timeline";

function timeline(
  perBucket: Array<{ acked: number; consumed: number; backlog: number | null }>,
  events: Timeline["events"] = [],
): Timeline {
  const buckets = perBucket.map(
    (b, i): TimelineBucket => ({
      atMs: i * 250,
      sent: b.acked,
      acked: b.acked,
      failed: 0,
      unknown: 0,
      consumed: b.consumed,
      sentBytes: 0,
      consumedBytes: 0,
      ackP99Ms: null,
      endToEndP99Ms: null,
      firstAckMs: null,
      unseenMin: b.backlog,
      unseenMax: b.backlog,
    }),
  );
  return { startedAt: 0, bucketMs: 250, buckets, events };
}

describe("sustained throughput", () => {
  it("consumers keeping up: the publish rate is sustained, the backlog stays a window wide", () => {
    const t = timeline(Array.from({ length: 40 }, () => ({ acked: 250, consumed: 250, backlog: 200 })));
    const s = sustainedThroughput(t, 10_000);
    expect(s).toMatchObject({ publishedPerSec: 1000, consumedPerSec: 1000, growing: false, sustainedPerSec: 1000 });
  });

  it("consumers falling behind: the backlog grows and the sustained rate is the consumers'", () => {
    // 10,400 msg/s acknowledged, 7,800 consumed: the backlog grows by 2,600 a second, as the gate once measured.
    const t = timeline(Array.from({ length: 32 }, (_, i) => ({ acked: 2600, consumed: 1950, backlog: 650 * (i + 1) })));
    const s = sustainedThroughput(t, 8_000);
    expect(s.growing).toBe(true);
    expect(s.publishedPerSec).toBe(10_400);
    expect(s.sustainedPerSec).toBe(7_800);
    expect(s.backlogEnd).toBe(20_800);
  });

  it("only the load counts: the drain after it is left out", () => {
    const t = timeline([
      ...Array.from({ length: 8 }, () => ({ acked: 250, consumed: 250, backlog: 100 })),
      ...Array.from({ length: 8 }, () => ({ acked: 0, consumed: 0, backlog: 0 })),
    ]);
    expect(sustainedThroughput(t, 2_000).publishedPerSec).toBe(1000);
  });

  it("over the load only: the start-up before the first publish and the drain after it are left out", () => {
    // 3 s of joining (nothing), 4 s of load at 1,000 msg/s consumed as published, 1 s of drain.
    const t = timeline([
      ...Array.from({ length: 12 }, () => ({ acked: 0, consumed: 0, backlog: null })),
      ...Array.from({ length: 16 }, () => ({ acked: 250, consumed: 250, backlog: 200 })),
      ...Array.from({ length: 4 }, () => ({ acked: 0, consumed: 800, backlog: 0 })),
    ]);
    expect(sustainedOverLoad(t, 3_010, 7_000)).toMatchObject({
      publishedPerSec: 1_000,
      consumedPerSec: 1_000,
      growing: false,
      sustainedPerSec: 1_000,
    });
  });

  it("the load's window is a run's steady phase to its drain: three workers' 20 s start-up is no part of the rate", () => {
    const phase = (atMs: number, label: string) => ({ atMs, kind: "phase" as const, label });
    const t = timeline(
      [
        ...Array.from({ length: 80 }, () => ({ acked: 0, consumed: 0, backlog: null })),
        ...Array.from({ length: 32 }, () => ({ acked: 850, consumed: 850, backlog: 900 })),
        ...Array.from({ length: 8 }, () => ({ acked: 0, consumed: 900, backlog: 0 })),
      ],
      [phase(0, "connect"), phase(20_000, "steady"), phase(28_000, "drain")],
    );
    expect(loadWindowOf(t)).toEqual({ fromMs: 20_000, toMs: 28_000 });
    const w = loadWindowOf(t);
    expect(sustainedOverLoad(t, w.fromMs, w.toMs).publishedPerSec).toBe(3_400);
    expect(loadDurationMs(t)).toBe(8_000);
  });

  it("a timeline without phases is all load", () => {
    expect(loadWindowOf(timeline([]))).toEqual({ fromMs: 0, toMs: Number.POSITIVE_INFINITY });
    expect(loadDurationMs(timeline(Array.from({ length: 6 }, () => ({ acked: 1, consumed: 1, backlog: 0 }))))).toBe(
      1_500,
    );
  });
});
