import { sharesText, workerShareOf, workerShares } from "../shares";

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

describe("one worker's load", () => {
  const load = { messageBytes: 1024, batchSize: 20, inFlightBatches: 4 };

  it("divides the rate by the workers, so the merged rate is the one asked for", () => {
    expect(workerShareOf({ ...load, ratePerSec: 1000 }, 4)).toEqual({ ...load, ratePerSec: 250 });
  });

  it("leaves an unpaced load unpaced: each worker as fast as its in-flight window allows", () => {
    expect(workerShareOf(load, 4)).toEqual(load);
  });
});
