import { drainGoesOn } from "../workload";

describe("how long the drain waits", () => {
  it("goes on past the quiet time while messages are still being consumed (a slow consumer under load)", () => {
    expect(drainGoesOn(100_000, 0, 99_000, 30_000)).toBe(true);
  });

  it("stops once nothing was consumed for the quiet time (a stalled consumer is named, not waited for)", () => {
    expect(drainGoesOn(100_000, 0, 70_000, 30_000)).toBe(false);
  });

  it("stops at ten times the quiet time in all, however it progresses", () => {
    expect(drainGoesOn(300_000, 0, 299_000, 30_000)).toBe(false);
  });
});
