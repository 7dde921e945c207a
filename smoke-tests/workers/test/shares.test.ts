import { perCoreRate, sharesText, workerShareOf, workerShares } from "../shares";

describe("each worker's share of the merged throughput", () => {
  // 3,000 acknowledged over a 10 s load: 300 msg/s merged.
  const loadMs = 10_000;

  it("splits the merged rate by acknowledged writes: the shares add up to it", () => {
    const shares = workerShares(
      [
        { worker: "w0", acknowledged: 2000, delivered: 1500 },
        { worker: "w1", acknowledged: 1000, delivered: 1500 },
      ],
      loadMs,
    );
    expect(shares.map((s) => [s.worker, s.ackedPerSec, s.fraction])).toEqual([
      ["w0", 200, 2 / 3],
      ["w1", 100, 1 / 3],
    ]);
    expect(shares.reduce((sum, s) => sum + s.ackedPerSec, 0)).toBe(300);
  });

  it("says which worker was gone and how many of its writes were in flight (unknown)", () => {
    const text = sharesText(
      workerShares(
        [
          { worker: "w0", acknowledged: 2000, delivered: 3000 },
          { worker: "w1", acknowledged: 1000, delivered: 0, gone: { inFlight: 40 } },
        ],
        loadMs,
      ),
    );
    expect(text).toBe(
      "workers: 2, shares of 300 msg/s acknowledged: w0 200 msg/s (67%), w1 100 msg/s (33%), then gone with 40 in flight (unknown)",
    );
  });

  it("gives 0, not NaN, when nothing was acknowledged", () => {
    const [s] = workerShares([{ worker: "w0", acknowledged: 0, delivered: 0 }], 0);
    expect([s?.ackedPerSec, s?.fraction]).toEqual([0, 0]);
  });
});

describe("the workers' CPU, for a capacity plan", () => {
  it("each worker's cores over the load, and the messages one worker core carries", () => {
    // 10 s of load: w0 acknowledged 20,000 on 5 CPU s (0.5 cores), w1 10,000 on 2 CPU s (0.2 cores).
    const shares = workerShares(
      [
        { worker: "w0", acknowledged: 20_000, delivered: 20_000, cpuMicros: 5_000_000 },
        { worker: "w1", acknowledged: 10_000, delivered: 10_000, cpuMicros: 2_000_000 },
      ],
      10_000,
    );
    expect(shares.map((s) => s.cores)).toEqual([0.5, 0.2]);
    expect(perCoreRate(shares)).toBeCloseTo(3_000 / 0.7, 6);
    expect(sharesText(shares)).toBe(
      "workers: 2, shares of 3000 msg/s acknowledged: w0 2000 msg/s (67%, 0.50 cores), w1 1000 msg/s (33%, 0.20 cores); 4286 msg/s per worker core",
    );
  });

  it("a worker gone before it stopped said no CPU: the per-core rate is over those that did", () => {
    const shares = workerShares(
      [
        { worker: "w0", acknowledged: 20_000, delivered: 20_000, cpuMicros: 5_000_000 },
        { worker: "w1", acknowledged: 1_000, delivered: 0, gone: { inFlight: 40 } },
      ],
      10_000,
    );
    expect(shares[1]?.cores).toBeUndefined();
    expect(perCoreRate(shares)).toBe(4_000);
    expect(perCoreRate(workerShares([{ worker: "w0", acknowledged: 5, delivered: 5 }], 10_000))).toBeUndefined();
  });
});

describe("one worker's load", () => {
  const load = { messageBytes: 1024, batchSize: 20, inFlightBatches: 4 };

  it("divides the rate by the workers, so the merged rate is the one asked for", () => {
    expect(workerShareOf({ ...load, ratePerSec: 1000 }, 4)).toEqual({ ...load, ratePerSec: 250 });
  });

  it("leaves an unpaced load unpaced: each worker as fast as its in-flight window allows", () => {
    expect(workerShareOf(load, 4)).toEqual(load);
  });
});
