// Whether our consumers keep up in the bench: the sustained throughput (smoke-tests/stats/sustained.ts) over the load
// window of each of our rounds, and its median over the counted rounds as one line. Pure, for tests.
import type { Sustained } from "../stats/sustained";

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? Number.NaN : s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const n = (v: number) => Math.round(v).toLocaleString("en");

/**
 * One line over the counted rounds, each figure their median: "consumers (ours): 21,300 msg/s consumed vs 21,700
 * acknowledged; backlog 1,200 → 900: bounded", or "...: growing: consumers did not keep up (sustained N msg/s)" when
 * the backlog grew in every round ("growing in k of n rounds" when only in some). Undefined without any figures.
 */
export function consumersLine(rounds: ReadonlyArray<Sustained | undefined>, who = "ours"): string | undefined {
  const xs = rounds.filter((s): s is Sustained => s !== undefined);
  if (xs.length === 0) return undefined;
  const m = (f: (s: Sustained) => number) => median(xs.map(f));
  const grew = xs.filter((s) => s.growing).length;
  const verdict =
    grew === 0
      ? "bounded"
      : `${grew === xs.length ? "growing" : `growing in ${grew} of ${xs.length} rounds`}: consumers did not keep up ` +
        `(sustained ${n(m((s) => s.sustainedPerSec))} msg/s)`;
  return (
    `consumers (${who}): ${n(m((s) => s.consumedPerSec))} msg/s consumed vs ${n(m((s) => s.publishedPerSec))} ` +
    `acknowledged; backlog ${n(m((s) => s.backlogEarly))} → ${n(m((s) => s.backlogEnd))}: ${verdict}`
  );
}
