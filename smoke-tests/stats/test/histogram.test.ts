import { exactQuantile, Histogram } from "../histogram";

/** A deterministic pseudo-random generator (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const quantiles = [0, 0.5, 0.9, 0.95, 0.99, 0.999, 1];

const distributions: Record<string, (r: () => number) => number> = {
  uniform: (r) => 1 + r() * 99,
  "log-normal latency": (r) => Math.exp(1 + 0.8 * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r())),
  "mostly fast with a 9 s failover tail": (r) => (r() < 0.995 ? 2 + r() * 3 : 9000 + r() * 2000),
  "sub-millisecond": (r) => 0.01 + r() * 0.5,
};

describe("Histogram percentiles against a brute-force sort", () => {
  for (const [name, draw] of Object.entries(distributions)) {
    test(`${name}: every quantile within 1% of the exact nearest-rank value`, () => {
      const r = random(42);
      const h = new Histogram(0.01);
      const samples = Float64Array.from({ length: 50_000 }, () => draw(r));
      for (const v of samples) h.record(v);
      samples.sort();
      for (const q of quantiles) {
        const exact = exactQuantile(samples, q);
        expect(Math.abs(h.quantile(q) - exact)).toBeLessThanOrEqual(0.01 * exact + 1e-12);
      }
      const s = h.summary();
      expect(s.min).toBe(samples[0]);
      expect(s.max).toBe(samples[samples.length - 1]);
      expect(s.count).toBe(samples.length);
    });
  }

  test("zero latencies are counted exactly", () => {
    const h = new Histogram();
    for (let i = 0; i < 99; i++) h.record(0);
    h.record(10);
    expect(h.quantile(0.5)).toBe(0);
    expect(h.quantile(1)).toBe(10);
  });

  test("an empty histogram answers NaN rather than a made-up number", () => {
    expect(new Histogram().summary().p99).toBeNaN();
  });

  test("merging equals recording everything in one", () => {
    const r = random(7);
    const [a, b, all] = [new Histogram(), new Histogram(), new Histogram()];
    for (let i = 0; i < 1000; i++) {
      const v = r() * 100;
      (i % 2 ? a : b).record(v);
      all.record(v);
    }
    a.merge(b);
    expect(a.summary()).toEqual(all.summary());
  });

  test("memory is bounded by buckets, not samples", () => {
    const h = new Histogram();
    const r = random(1);
    for (let i = 0; i < 200_000; i++) h.record(0.001 + r() * 600_000);
    // log(6e8)/log(1.0202) ≈ 1010 buckets at most
    expect((h as unknown as { buckets: Map<number, number> }).buckets.size).toBeLessThan(1100);
  });
});
