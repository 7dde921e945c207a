// The client matrix: the same fault with each Kafka client, one row per client, the figures that tell a platform team
// whether their client survives a broker loss and what it costs. Pure: built from the runs of one report.
import type { FaultStalls, PartitionStall, VictimRole } from "../stats/partition-stalls";
import { formatCount, formatMs, formatRate } from "./format";
import type { RunReport, SystemRun } from "./run-report";
import type { Tone } from "./verdict";

export interface MatrixCell {
  text: string;
  tone?: Tone;
}

export const matrixColumns = [
  "client",
  "lost",
  "duplicate writes",
  "re-delivered",
  "unknown",
  "victim led",
  "victim follower",
  "victim absent",
  "acked msg/s",
] as const;

/** What the three stall columns hold; printed with the matrix. */
export const matrixNote =
  "Victim led / follower / absent: the worst write stall of the partitions the victim led, followed, was no replica of";

/** The worst over the faults; undefined if no fault had such partitions. */
function worst(stalls: readonly FaultStalls[], pick: (s: FaultStalls) => number | undefined): number | undefined {
  const values = stalls.map(pick).filter((v) => v !== undefined);
  return values.length === 0 ? undefined : Math.max(...values);
}

const msCell = (ms: number | undefined): MatrixCell => (ms === undefined ? { text: "n/a" } : { text: formatMs(ms) });

/** One row per Kafka run that names its client; undefined unless the report compares two clients or more. */
export function clientMatrix(report: RunReport): MatrixCell[][] | undefined {
  const runs = report.systems.filter((r): r is SystemRun & { client: NonNullable<SystemRun["client"]> } =>
    Boolean(r.system === "kafka" && r.client),
  );
  if (runs.length < 2) return undefined;
  return runs.map((r) => {
    const c = r.ledger.counts;
    const stalls = r.partitionStalls ?? [];
    return [
      { text: r.client.name },
      { text: formatCount(c.lost), tone: c.lost > 0 ? "bad" : "good" },
      { text: formatCount(c.duplicateWrites), tone: c.duplicateWrites > 0 ? "bad" : "good" },
      { text: formatCount(c.redelivered) },
      { text: formatCount(c.unknown) },
      msCell(worst(stalls, (s) => s.victimLedMs)),
      msCell(worst(stalls, (s) => s.victimFollowedMs)),
      msCell(worst(stalls, (s) => s.victimAbsentMs)),
      { text: formatRate(r.published.messagesPerSecond, "") },
    ];
  });
}

const roleTitles: Array<[VictimRole, string]> = [
  ["leader", "victim leader"],
  ["follower", "victim follower"],
  ["absent", "victim absent"],
];

const partitionText = (p: PartitionStall) =>
  `p${p.partition}${p.leader ? ` ${p.leader}` : ""} ${p.untilEnd ? `≥ ${formatMs(p.ms)} (no ack to the end)` : formatMs(p.ms)}`;

/**
 * "victim leader: p0 kafka-2 10.00 s · victim follower: p1 kafka-0 12.0 ms · victim absent: p2 kafka-3 ≥ 4.00 s (no
 * ack to the end)": each partition's stall with its leader at the fault, grouped by what the victim was to it (a flat
 * list when the placements are unknown); a stall no ack ended is a lower bound.
 */
export function stallsText(s: FaultStalls): string {
  if (!s.partitions.some((p) => p.victim !== undefined)) return s.partitions.map(partitionText).join(" · ");
  return roleTitles
    .map(([role, title]) => [title, s.partitions.filter((p) => p.victim === role)] as const)
    .filter(([, parts]) => parts.length > 0)
    .map(([title, parts]) => `${title}: ${parts.map(partitionText).join(", ")}`)
    .join(" · ");
}
