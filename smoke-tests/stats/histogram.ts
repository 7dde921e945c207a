// A latency histogram with bounded relative error, in the style of DDSketch (Masson et al., VLDB 2019) and close in
// spirit to HdrHistogram: values fall into logarithmic buckets [γ^(i-1), γ^i) with γ = (1+α)/(1-α), and a quantile is
// answered with the bucket's midpoint 2γ^i/(γ+1). Every reported quantile q is then within ±α·x of the exact
// nearest-rank value x (α = 1% by default); min, max, count and mean are exact. Memory grows with the number of
// distinct buckets (≈ 700 for 1 µs..10 min at 1%), not with the number of samples.

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

export class Histogram {
  private readonly gamma: number;
  private readonly logGamma: number;
  private readonly buckets = new Map<number, number>();
  /** Values ≤ 0 (a clock that did not move) are counted exactly, apart from the log buckets. */
  private zeroCount = 0;
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  constructor(readonly relativeAccuracy = 0.01) {
    if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) throw new Error(`relative accuracy must be in (0, 1)`);
    this.gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    this.logGamma = Math.log(this.gamma);
  }

  record(value: number, times = 1): void {
    if (!Number.isFinite(value)) return;
    if (value <= 0) this.zeroCount += times;
    else {
      const index = Math.ceil(Math.log(value) / this.logGamma);
      this.buckets.set(index, (this.buckets.get(index) ?? 0) + times);
    }
    this.count += times;
    this.sum += value * times;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** Adds another histogram's samples; both must use the same accuracy. */
  merge(other: Histogram): void {
    if (other.relativeAccuracy !== this.relativeAccuracy)
      throw new Error("cannot merge histograms of different accuracy");
    for (const [index, n] of other.buckets) this.buckets.set(index, (this.buckets.get(index) ?? 0) + n);
    this.zeroCount += other.zeroCount;
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }

  /** The nearest-rank q-quantile (q in [0, 1]) within the relative accuracy; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    if (rank <= this.zeroCount) return Math.max(this.min, 0);
    let seen = this.zeroCount;
    for (const index of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(index) as number;
      if (seen >= rank) {
        const midpoint = (2 * this.gamma ** index) / (this.gamma + 1);
        // Clamping to the exact extremes only moves the answer closer to the truth.
        return Math.min(this.max, Math.max(this.min, midpoint));
      }
    }
    return this.max;
  }

  summary(): LatencySummary {
    const empty = this.count === 0;
    return {
      count: this.count,
      min: empty ? Number.NaN : this.min,
      mean: empty ? Number.NaN : this.sum / this.count,
      p50: this.quantile(0.5),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
      p999: this.quantile(0.999),
      max: empty ? Number.NaN : this.max,
    };
  }
}

/** Exact nearest-rank quantile of raw samples: the reference the histogram is tested against. */
export function exactQuantile(sortedAscending: ArrayLike<number>, q: number): number {
  if (sortedAscending.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * sortedAscending.length));
  return sortedAscending[rank - 1] as number;
}
