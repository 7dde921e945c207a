// The bench says whether our consumers kept up: one line with the median over the counted rounds.
import type { Sustained } from "../../stats/sustained";
import { consumersLine, median } from "../consumers";

const sustained = (over: Partial<Sustained>): Sustained => ({
  publishedPerSec: 21_700,
  consumedPerSec: 21_300,
  backlogEarly: 1_200,
  backlogEnd: 900,
  growing: false,
  sustainedPerSec: 21_700,
  ...over,
});

describe("median", () => {
  it("the middle value, the mean of the two middle ones, NaN of nothing", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe("the consumers line", () => {
  it("bounded in every round: medians of each figure", () => {
    expect(
      consumersLine([
        sustained({ consumedPerSec: 20_000 }),
        sustained({}),
        sustained({ consumedPerSec: 25_000, backlogEnd: 5_000 }),
      ]),
    ).toBe("consumers (ours): 21,300 msg/s consumed vs 21,700 acknowledged; backlog 1,200 → 900: bounded");
  });

  it("growing in every round: says consumers did not keep up, with the sustained rate", () => {
    const g = sustained({ consumedPerSec: 15_000, backlogEnd: 60_000, growing: true, sustainedPerSec: 15_000 });
    expect(consumersLine([g, g])).toBe(
      "consumers (ours): 15,000 msg/s consumed vs 21,700 acknowledged; backlog 1,200 → 60,000: " +
        "growing: consumers did not keep up (sustained 15,000 msg/s)",
    );
  });

  it("growing in some rounds: says in how many", () => {
    const g = sustained({ growing: true, sustainedPerSec: 15_000 });
    expect(consumersLine([g, sustained({}), sustained({})])).toMatch(
      /: growing in 1 of 3 rounds: consumers did not keep up \(sustained 21,700 msg\/s\)$/,
    );
  });

  it("nothing to say without figures (a bench.json from before)", () => {
    expect(consumersLine([undefined, undefined])).toBeUndefined();
    expect(consumersLine([])).toBeUndefined();
  });
});
