// Whether the brokers a stack asks for can be placed on the cluster's nodes, decided before `pulumi up` changes
// anything. Pure: the objects are shaped as the
// Kubernetes API returns them (and as the preview's rendered manifests carry them), so fixtures of real objects test it.

export interface NodeView {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: { unschedulable?: boolean; taints?: Array<{ key?: string; effect?: string }> };
  status?: { conditions?: Array<{ type?: string; status?: string }> };
}

interface PodAffinityTerm {
  topologyKey?: string;
}

export interface StatefulSetView {
  metadata?: { name?: string; namespace?: string };
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template?: {
      spec?: {
        nodeSelector?: Record<string, string>;
        affinity?: { podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[] } };
      };
    };
  };
}

export const hostnameKey = "kubernetes.io/hostname";
export const zoneKey = "topology.kubernetes.io/zone";

/** Taints that keep a pod without a matching toleration off a node (the brokers' pods carry none by default). */
const blockingTaints = new Set(["NoSchedule", "NoExecute"]);

/** Nodes the scheduler would consider: Ready, not cordoned, no NoSchedule (or NoExecute) taint. */
export function schedulableNodes(nodes: NodeView[]): NodeView[] {
  return nodes.filter(
    (n) =>
      n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true &&
      n.spec?.unschedulable !== true &&
      !(n.spec?.taints ?? []).some((t) => blockingTaints.has(t.effect ?? "")),
  );
}

/** "mpk8s-1 (zone-a)": a node by name and zone, as every message names it. */
export function nodeLabel(n: NodeView): string {
  const zone = n.metadata?.labels?.[zoneKey];
  return `${n.metadata?.name ?? "(unnamed)"}${zone ? ` (${zone})` : ""}`;
}

function matchesSelector(n: NodeView, selector: Record<string, string> | undefined): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => n.metadata?.labels?.[k] === v);
}

/** A StatefulSet the stack will create, and where its placement is set (named in a refusal). */
export interface RenderedStatefulSet {
  statefulSet: StatefulSetView;
  source?: string;
}

/**
 * The StatefulSets in a preview's steps (engine events' resourcePreEvent, `new.inputs` is the rendered manifest),
 * each with the chart values that set its placement, read from its component's type (messaging-platform:<system>:…).
 */
export function renderedStatefulSets(
  events: Array<{
    resourcePreEvent?: { metadata: { op: string; type: string; urn: string; new?: { inputs?: unknown } } };
  }>,
): RenderedStatefulSet[] {
  // By URN: a replacement is several steps of one resource.
  const out = new Map<string, RenderedStatefulSet>();
  for (const e of events) {
    const m = e.resourcePreEvent?.metadata;
    if (m?.type !== "kubernetes:apps/v1:StatefulSet" || !m.new?.inputs) continue;
    const system = /::messaging-platform:(\w+):/.exec(m.urn)?.[1];
    out.set(m.urn, {
      statefulSet: m.new.inputs as StatefulSetView,
      ...(system ? { source: `charts/${system} values scheduling.hostAntiAffinity: required` } : {}),
    });
  }
  return [...out.values()];
}

/**
 * For each StatefulSet with required pod anti-affinity: refused when its replicas outnumber the distinct values of
 * the anti-affinity's topology key among the schedulable nodes (its nodeSelector applied), since the scheduler places
 * at most one of its pods per value. Each refusal says what it needs and what the cluster has.
 */
export function placementRefusals(statefulSets: RenderedStatefulSet[], nodes: NodeView[]): string[] {
  const usable = schedulableNodes(nodes);
  const refusals: string[] = [];
  for (const { statefulSet: sts, source } of statefulSets) {
    const replicas = sts.spec?.replicas ?? 1;
    const pod = sts.spec?.template?.spec;
    const terms = pod?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
    const eligible = usable.filter((n) => matchesSelector(n, pod?.nodeSelector));
    for (const key of new Set(terms.map((t) => t.topologyKey ?? hostnameKey))) {
      const domains = new Set(eligible.flatMap((n) => n.metadata?.labels?.[key] ?? []));
      if (replicas <= domains.size) continue;
      const what = key === hostnameKey ? "nodes" : `distinct ${key} values`;
      const from = source;
      refusals.push(
        `${sts.metadata?.name ?? "(unnamed StatefulSet)"}: replicas ${replicas} need ${replicas} ${what} ` +
          `(required anti-affinity by ${key}${from ? `, ${from}` : ""}); the cluster has ${domains.size} ` +
          `schedulable ${domains.size === 1 ? "node" : "nodes"}${eligible.length > 0 ? `: ${eligible.map(nodeLabel).join(", ")}` : ""}`,
      );
    }
  }
  return refusals;
}
