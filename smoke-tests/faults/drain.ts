// The pure parts of a node drain as `kubectl drain` does it (cordon, then evict every pod through the Eviction API,
// which a PodDisruptionBudget may refuse): what an API answer means, which pods a drain evicts, which two nodes the
// node-drain drill drains, and whether the drain took effect as the PDBs promise. kubernetes-faults.ts does the calls.

/** One eviction request's answer: `refused` is HTTP 429 (a PodDisruptionBudget said no), `gone` is 404 (no such pod). */
export interface EvictionOutcome {
  outcome: "evicted" | "refused" | "gone" | "error";
  /** When the API answered (epoch ms). */
  at: number;
  detail: string;
}

/** The API error's message: the Status object's `message` when the body is one, else the error's own. */
function apiMessage(error: { message?: unknown; body?: unknown }): string {
  let body = error.body;
  if (typeof body === "string") {
    const text = body;
    try {
      body = JSON.parse(text);
    } catch {
      return text.trim() || String(error.message ?? "");
    }
  }
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === "string" ? message : String(error.message ?? error);
}

/** Pure: what an eviction request's answer was, from the error it threw (undefined: it succeeded, HTTP 201). */
export function classifyEviction(error: unknown, at: number): EvictionOutcome {
  if (error === undefined) return { outcome: "evicted", at, detail: "evicted (HTTP 201)" };
  const e = (typeof error === "object" && error !== null ? error : { message: String(error) }) as {
    code?: unknown;
    message?: unknown;
    body?: unknown;
  };
  const message = apiMessage(e);
  if (e.code === 429) return { outcome: "refused", at, detail: `HTTP 429: ${message}` };
  if (e.code === 404) return { outcome: "gone", at, detail: `HTTP 404: ${message}` };
  return { outcome: "error", at, detail: typeof e.code === "number" ? `HTTP ${e.code}: ${message}` : message };
}

/** A pod on a node, as far as a drain cares. */
export interface NodePod {
  namespace: string;
  name: string;
  uid: string;
  phase?: string;
  /** The kinds of its owners (DaemonSet, StatefulSet, ReplicaSet...). */
  ownerKinds: string[];
  /** A static pod's mirror (annotation kubernetes.io/config.mirror): the API cannot evict it. */
  mirror: boolean;
  /** Already being deleted (deletionTimestamp set). */
  deleting: boolean;
}

/**
 * Pure: the pods a drain evicts, as `kubectl drain --ignore-daemonsets` picks them: not a DaemonSet's (its controller
 * would put it back at once), not a mirror pod, not finished (Succeeded or Failed), not already on its way out.
 */
export function drainable(pods: readonly NodePod[]): NodePod[] {
  return pods.filter(
    (p) =>
      !p.ownerKinds.includes("DaemonSet") &&
      !p.mirror &&
      p.phase !== "Succeeded" &&
      p.phase !== "Failed" &&
      !p.deleting,
  );
}

/** The two nodes a node-drain drains: the leader's node first, then a node running another broker of the system. */
export interface DrainPlan {
  first: { node: string; broker: string };
  second: { node: string; broker: string };
}

/**
 * Pure: the two nodes, or why the drill is refused (naming the rule). The first runs the leader; each must run exactly
 * one broker of the system, or the PDB (one broker out at a time) would refuse part of the first node's own drain and
 * it could never finish.
 */
export function chooseDrainNodes(input: {
  system: string;
  nodes: readonly string[];
  leader: string;
  brokers: ReadonlyArray<{ pod: string; node: string }>;
}): DrainPlan {
  const { system, nodes, leader, brokers } = input;
  if (nodes.length < 3) {
    throw new Error(
      `node-drain on ${nodes.length} node(s) (${nodes.join(", ")}): it cordons two nodes at once, and one must stay schedulable beside them; it needs 3 nodes or more`,
    );
  }
  const on = (node: string) => brokers.filter((b) => b.node === node).map((b) => b.pod);
  const first = brokers.find((b) => b.pod === leader);
  if (!first)
    throw new Error(
      `node-drain: the leader ${leader} is none of the ${system} brokers (${brokers.map((b) => b.pod).join(", ")})`,
    );
  const onFirst = on(first.node);
  if (onFirst.length > 1) {
    throw new Error(
      `node-drain: node ${first.node} runs ${onFirst.length} ${system} brokers (${onFirst.join(", ")}); the PDB lets one go at a time, so its drain could not finish: each broker must have a node of its own`,
    );
  }
  const others = [...new Set(brokers.map((b) => b.node))].filter((n) => n !== first.node).sort();
  const second = others.find((n) => on(n).length === 1);
  if (!second) {
    throw new Error(
      `node-drain: no node but ${first.node} runs exactly one ${system} broker (${brokers.map((b) => `${b.pod} on ${b.node}`).join(", ")}); it needs a second node to drain`,
    );
  }
  return { first: { node: first.node, broker: first.pod }, second: { node: second, broker: on(second)[0] as string } };
}

/** What the drill saw of the two brokers: when the first was evicted and Ready again, and each try at the second. */
export interface DrainObservation {
  first: { broker: string; node: string; evictedAt?: number; readyAt?: number };
  second: { broker: string; node: string; attempts: readonly EvictionOutcome[]; readyAt?: number };
}

const clock = (at: number) => new Date(at).toISOString().slice(11, 23);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Pure: the drain took effect as the PDBs promise: the first node's broker was evicted; while it was out, the second
 * node's broker eviction was refused (429) at least once; and that eviction went through only once the first broker
 * was Ready again.
 */
export function judgeDrain(o: DrainObservation): { tookEffect: boolean; detail: string } {
  const { first, second } = o;
  if (first.evictedAt === undefined) {
    return { tookEffect: false, detail: `${first.broker} on ${first.node} was never evicted` };
  }
  const out = (at: number) => at >= (first.evictedAt as number) && (first.readyAt === undefined || at < first.readyAt);
  const refused = second.attempts.filter((a) => a.outcome === "refused" && out(a.at));
  const evicted = second.attempts.find((a) => a.outcome === "evicted");
  const refusals =
    refused.length === 0
      ? `no eviction of ${second.broker} was refused while ${first.broker} was out`
      : `${second.broker}'s eviction refused ${refused.length} time(s) while ${first.broker} was out (429, ${clock((refused[0] as EvictionOutcome).at)} to ${clock((refused.at(-1) as EvictionOutcome).at)} UTC)`;
  if (!evicted) {
    return { tookEffect: false, detail: `${refusals}; ${second.broker} was never evicted` };
  }
  const afterBack = first.readyAt !== undefined && evicted.at >= first.readyAt;
  const when =
    first.readyAt === undefined
      ? `${second.broker} evicted at ${clock(evicted.at)} UTC, and ${first.broker} was never Ready again`
      : afterBack
        ? `${second.broker} evicted ${seconds(evicted.at - first.readyAt)} after ${first.broker} was Ready again`
        : `${second.broker} evicted while ${first.broker} was still out (${seconds(first.readyAt - evicted.at)} before it was Ready again)`;
  return {
    tookEffect: refused.length > 0 && afterBack,
    detail: `drained ${first.node} (${first.broker} evicted ${clock(first.evictedAt)} UTC) and ${second.node}: ${refusals}; ${when}`,
  };
}

/** Pure: a broker's time out of service, from its eviction until it was Ready again, for the report. */
export function outOfService(broker: string, evictedAt?: number, readyAt?: number): string {
  if (evictedAt === undefined) return `${broker}: not evicted`;
  if (readyAt === undefined) return `${broker}: evicted ${clock(evictedAt)} UTC, not Ready again`;
  return `${broker}: out of service ${seconds(readyAt - evictedAt)} (evicted ${clock(evictedAt)}, Ready ${clock(readyAt)} UTC)`;
}
