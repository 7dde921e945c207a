// The Kubernetes nodes' states as every report format writes them: one short line per node that was anything but
// Ready (or joined late), with wall-clock times (UTC) and lengths, and a sentence on how the reads went.
import type { NodeLane, NodeStates } from "../faults/node-states";

const clock = (epochMs: number) => new Date(epochMs).toISOString().slice(11, 19);
const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/**
 * Pure: per node, each stretch it was not Ready ("cluster-node-2: NotReady 07:31:05–07:32:40 (95 s)"), and when it
 * joined if it was first listed after the others; nothing for a node Ready throughout. A failed read is no state of a
 * node: nodeReadsText counts those.
 */
export function nodeChangeLines(nodes: NodeStates | undefined, startedAt: number): string[] {
  if (!nodes) return [];
  const firstListed = (lane: NodeLane) => lane.segments.find((s) => s.state !== "unknown")?.fromMs;
  const earliest = Math.min(...nodes.lanes.map((l) => firstListed(l) ?? Number.POSITIVE_INFINITY));
  return nodes.lanes.flatMap((lane) => {
    const stretches = lane.segments
      .filter((s) => s.state !== "Ready" && s.state !== "unknown")
      .map(
        (s) => `${s.state} ${clock(startedAt + s.fromMs)}–${clock(startedAt + s.toMs)} (${seconds(s.toMs - s.fromMs)})`,
      );
    const joined = firstListed(lane);
    const parts = [
      ...(joined !== undefined && joined > earliest ? [`joined ${clock(startedAt + joined)}`] : []),
      ...stretches,
    ];
    return parts.length > 0 ? [`${lane.node}: ${parts.join("; ")}`] : [];
  });
}

/** Pure: how the Node reads went, in one sentence; undefined where nodes were not read (not Kubernetes). */
export function nodeReadsText(nodes: NodeStates | undefined): string | undefined {
  if (!nodes) return undefined;
  const changed = nodes.lanes.some((l) => l.segments.some((s) => s.state !== "Ready" && s.state !== "unknown"));
  const unanswered =
    nodes.failedReads > 0
      ? `, ${nodes.failedReads} unanswered (shown as unknown${nodes.lastError ? `; last: ${nodes.lastError}` : ""})`
      : "";
  const quiet = nodes.failedReads > 0 ? "; no read saw a node other than Ready" : "; every node Ready throughout";
  return `${nodes.lanes.length} Kubernetes node(s) read ${nodes.reads} times, about once a second${unanswered}${changed ? "" : quiet}`;
}
