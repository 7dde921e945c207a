import { RateMeter, throughput } from "../rate";
import { coarsen, TimelineRecorder } from "../timeline";

describe("rates", () => {
  test("messages and MiB per second", () => {
    expect(throughput(2000, 2 * 1024 * 1024, 2000)).toMatchObject({ messagesPerSecond: 1000, megabytesPerSecond: 1 });
    expect(throughput(5, 5, 0).messagesPerSecond).toBe(0);
  });

  test("the recent window forgets old slots, the overall rate does not", () => {
    const meter = new RateMeter(1000, 250);
    for (let t = 0; t < 10_000; t += 10) meter.mark(t, 1, 1024); // 100 msg/s for 10 s
    for (let t = 10_000; t < 12_000; t += 5) meter.mark(t, 1, 1024); // then 200 msg/s for 2 s
    expect(meter.recent(11_999).messagesPerSecond).toBeCloseTo(200, -1);
    expect(meter.overall().messages).toBe(1000 + 400);
    expect(meter.overall().messagesPerSecond).toBeCloseTo(1400 / 11.995, 1);
  });

  test("the overall rate spans from the earliest mark, when several workers' marks arrive out of order", () => {
    const meter = new RateMeter(1000, 250);
    meter.mark(2_000, 100);
    meter.mark(1_000, 100);
    meter.mark(3_000, 100);
    expect(meter.overall()).toMatchObject({ messages: 300, elapsedMs: 2_000, messagesPerSecond: 150 });
  });
});

describe("timeline recorder", () => {
  const t0 = 1_700_000_000_000;

  test("puts each observation in its bucket and fills holes", () => {
    const rec = new TimelineRecorder(t0, 250);
    rec.sent(t0 + 10, 100);
    rec.acked(t0 + 20, 10);
    rec.acked(t0 + 15, 12);
    rec.consumed(t0 + 30, 100, 20);
    rec.failed(t0 + 800);
    rec.unknown(t0 + 810);
    rec.unseen(t0 + 20, 3);
    rec.unseen(t0 + 40, 1);
    rec.event(t0 + 500, "fault", "kill kafka-1");
    const tl = rec.snapshot();
    expect(tl.buckets.map((b) => b.atMs)).toEqual([0, 250, 500, 750]);
    expect(tl.buckets[0]).toMatchObject({ sent: 1, acked: 2, consumed: 1, sentBytes: 100, firstAckMs: 15 });
    expect(tl.buckets[0]).toMatchObject({ unseenMin: 1, unseenMax: 3, endToEndP99Ms: 20 });
    expect(tl.buckets[0]?.ackP99Ms).toBeCloseTo(12, 0);
    expect(tl.buckets[1]).toMatchObject({ sent: 0, ackP99Ms: null });
    expect(tl.buckets[3]).toMatchObject({ failed: 1, unknown: 1 });
    expect(tl.events).toEqual([{ atMs: 500, kind: "fault", label: "kill kafka-1" }]);
  });

  test("coarsening to one-second buckets adds counts and keeps the worst p99", () => {
    const rec = new TimelineRecorder(t0, 250);
    for (let i = 0; i < 8; i++) {
      rec.acked(t0 + i * 250, i);
      rec.sent(t0 + i * 250);
    }
    const seconds = coarsen(rec.snapshot(), 1000);
    expect(seconds.map((b) => [b.atMs, b.acked, b.sent])).toEqual([
      [0, 4, 4],
      [1000, 4, 4],
    ]);
    expect(seconds[1]?.ackP99Ms).toBeCloseTo(7, 0);
    expect(seconds[1]?.firstAckMs).toBe(1000);
  });
});
