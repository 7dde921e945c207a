// Pure: what a StatefulSet roll did, from samples of its pods taken while it ran.
import type { PodSample, RollObservation } from "./types";

/**
 * A pod counts as replaced when its name now belongs to a new pod (another uid). "Down at once" counts, per
 * StatefulSet, the pods missing or not Ready in one sample: a roll that keeps one at a time never exceeds 1.
 */
export function foldRoll(before: PodSample[], samples: PodSample[][]): RollObservation {
  const statefulSetOf = (pod: string) => pod.slice(0, pod.lastIndexOf("-"));
  const names = before.map((p) => p.name).sort();
  const mostDown = new Map<string, number>();
  const order: string[] = [];
  for (const sample of samples) {
    const byName = new Map(sample.map((p) => [p.name, p]));
    const down = new Map<string, number>();
    for (const name of names) {
      if (byName.get(name)?.ready) continue;
      if (!order.includes(name)) order.push(name);
      down.set(statefulSetOf(name), (down.get(statefulSetOf(name)) ?? 0) + 1);
    }
    for (const [sts, n] of down) mostDown.set(sts, Math.max(mostDown.get(sts) ?? 0, n));
  }
  const last = new Map((samples.at(-1) ?? []).map((p) => [p.name, p]));
  const uidBefore = new Map(before.map((p) => [p.name, p.uid]));
  const replaced = names.filter((n) => last.get(n) && last.get(n)?.uid !== uidBefore.get(n));
  return {
    pods: names,
    replaced,
    order,
    mostDownAtOnce: Math.max(0, ...mostDown.values()),
    samples: samples.length,
  };
}
