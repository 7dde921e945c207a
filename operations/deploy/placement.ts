// Where each broker runs: pod → node (zone), one line per system, and whether the production placement (one broker per
// node, one per zone) holds. Pure, over pods and nodes as the Kubernetes API returns them.
import type { PodView } from "../../smoke-tests/kube/rollout";
import { type NodeView, nodeLabel, zoneKey } from "./scheduling";

export interface SystemPods {
  system: string;
  pods: PodView[];
}

export interface SystemPlacement {
  system: string;
  /** "kafka-broker-0 mpk8s-1 (zone-a) · kafka-broker-1 mpk8s-2 (zone-b) …; one per node, one per zone" */
  line: string;
  /** Brokers of this system that share a node or a zone, or are on no node; empty when the placement holds. */
  shared: string[];
}

/** Ordinal order (kafka-broker-2 before kafka-broker-10). */
function byOrdinal(a: PodView, b: PodView): number {
  const n = (p: PodView) => Number(/-(\d+)$/.exec(p.metadata?.name ?? "")?.[1] ?? Number.NaN);
  return n(a) - n(b) || (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? "");
}

function groupsOf(pods: PodView[], key: (p: PodView) => string | undefined): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const p of pods) {
    const k = key(p);
    if (k === undefined) continue;
    groups.set(k, [...(groups.get(k) ?? []), p.metadata?.name ?? "(unnamed)"]);
  }
  return groups;
}

export function describePlacement(systems: SystemPods[], nodes: NodeView[]): SystemPlacement[] {
  const byName = new Map(nodes.map((n) => [n.metadata?.name ?? "", n]));
  return systems.map(({ system, pods }) => {
    const sorted = [...pods].sort(byOrdinal);
    const zoneOf = (p: PodView) => byName.get(p.spec?.nodeName ?? "")?.metadata?.labels?.[zoneKey];
    const cells = sorted.map((p) => {
      const node = p.spec?.nodeName ? byName.get(p.spec.nodeName) : undefined;
      const where = node ? nodeLabel(node) : (p.spec?.nodeName ?? "on no node");
      return `${p.metadata?.name ?? "(unnamed)"} ${where}`;
    });
    const shared: string[] = [];
    for (const [node, names] of groupsOf(sorted, (p) => p.spec?.nodeName)) {
      if (names.length > 1) shared.push(`${names.join(" and ")} share node ${node}`);
    }
    for (const [zone, names] of groupsOf(sorted, zoneOf)) {
      if (names.length > 1) shared.push(`${names.join(" and ")} share zone ${zone}`);
    }
    const unplaced = sorted.filter((p) => !p.spec?.nodeName).map((p) => p.metadata?.name ?? "(unnamed)");
    if (unplaced.length > 0) shared.push(`${unplaced.join(" and ")} on no node`);
    const zoned = sorted.length > 0 && sorted.every((p) => zoneOf(p) !== undefined);
    const verdict =
      shared.length === 0
        ? `one per node${zoned ? ", one per zone" : " (nodes without a zone label)"}`
        : shared.join("; ");
    return { system, line: `${system}: ${cells.join(" · ")}; ${verdict}`, shared };
  });
}

/** The placement lines a summary prints: "placement: kafka: …" then one indented line per further system. */
export function placementLines(placements: SystemPlacement[]): string[] {
  return placements.map((p, i) => `${i === 0 ? "placement:" : "          "} ${p.line}`);
}
