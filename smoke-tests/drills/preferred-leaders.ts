// Kafka moves a partition's leadership back to its preferred replica (the first of its replicas) on its own, every
// leader.imbalance.check.interval.seconds (300 s by default): an earlier drill's leader kill leaves work for it that
// can land inside a later drill and stall writes there. A drill whose fault must be the only thing moving leaders
// (the e2e's harmless fault) waits for that rebalance first.
import type { PartitionPlacement } from "../stats/partition-stalls";

export interface NotPreferred {
  partition: number;
  leader: string;
  preferred: string;
}

/** Every partition not led by its preferred replica. Pure. */
export function notPreferred(placements: ReadonlyMap<number, PartitionPlacement>): NotPreferred[] {
  return [...placements.entries()]
    .filter(([, p]) => p.replicas[0] !== undefined && p.leader !== p.replicas[0])
    .map(([partition, p]) => ({ partition, leader: p.leader, preferred: p.replicas[0] as string }))
    .sort((a, b) => a.partition - b.partition);
}

export const notPreferredText = (xs: readonly NotPreferred[]): string =>
  xs.map((x) => `p${x.partition} led by ${x.leader}, preferred ${x.preferred}`).join("; ");

/**
 * Reads the placements every 2 s until every partition is led by its preferred replica, or for `withinMs`: Kafka
 * rebalances a broker only when more than leader.imbalance.per.broker.percentage (10 %) of the partitions it prefers
 * (all topics') are led elsewhere, so a small imbalance is never moved and there is nothing to wait for. Resolves
 * with how long it waited, what it found first, and what was still led elsewhere at the end (empty when settled).
 */
export async function awaitPreferredLeaders(
  read: () => Promise<ReadonlyMap<number, PartitionPlacement>>,
  withinMs: number,
  onWaiting: (line: string) => void,
): Promise<{ waitedMs: number; first: NotPreferred[]; left: NotPreferred[] }> {
  const started = Date.now();
  let first: NotPreferred[] | undefined;
  let said = "";
  for (;;) {
    const left = notPreferred(await read());
    first ??= left;
    const text = notPreferredText(left);
    if (left.length === 0 || Date.now() - started > withinMs) return { waitedMs: Date.now() - started, first, left };
    if (text !== said) onWaiting(`waiting for Kafka's preferred-leader rebalance before the load: ${text}`);
    said = text;
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

/** awaitPreferredLeaders with each wait and its outcome as a note (the drill's timeline). */
export async function settleLeaders(
  read: () => Promise<ReadonlyMap<number, PartitionPlacement>>,
  withinMs: number,
  note: (line: string) => void,
): Promise<void> {
  const settled = await awaitPreferredLeaders(read, withinMs, note);
  const waited = `${(settled.waitedMs / 1000).toFixed(0)} s`;
  if (settled.left.length > 0)
    note(`Kafka left ${notPreferredText(settled.left)} after ${waited}: below its rebalance threshold, not moved`);
  else if (settled.first.length > 0)
    note(
      `Kafka moved leadership back to the preferred replicas in ${waited} before the load (${notPreferredText(settled.first)})`,
    );
}
