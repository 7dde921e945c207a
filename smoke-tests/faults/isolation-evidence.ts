// Pure: whether an isolation on Kubernetes took hold, read from what the in-container programs printed (a peer's
// probe of the pod's ports, a RabbitMQ peer's quorum_status).

/**
 * Isolated when no port let a connection through (the output of in-container/reach.sh). `listening` must hold (the
 * broker's container is running, so its ports are bound): then a refusal is the policy's, not a dead listener's.
 */
export function judgeReach(out: string, ports: number[], listening: boolean): { isolated: boolean; detail: string } {
  const seen = new Map(
    out
      .trim()
      .split("\n")
      .map((l) => l.trim().split(" ") as [string, string])
      .filter(([p, v]) => p && v),
  );
  const answered = ports.every((p) => ["blocked", "refused", "open"].includes(seen.get(String(p)) ?? ""));
  const through = ports.filter((p) => seen.get(String(p)) === "open");
  const described = ports.map((p) => `${p} ${seen.get(String(p)) ?? "no answer from the probe"}`).join(", ");
  if (!listening) return { isolated: false, detail: `${described}; the broker's container is not running` };
  return { isolated: answered && through.length === 0, detail: described };
}

/**
 * Whether a peer sees the isolated pod's node down, from the peer's `quorum_status` of a queue the pod led: the other
 * members elected a leader among themselves. (Their Erlang distribution still lists the node until net_ticktime, 60 s
 * by default, has passed: seen on this project's cluster 30 s into an isolation.) Undefined when the output is not the
 * status list (the CLI could not ask).
 */
export function peersElectedWithout(out: string, pod: string): { seen: boolean; detail: string } | undefined {
  const start = out.indexOf("[");
  const end = out.lastIndexOf("]");
  if (start === -1 || end < start) return undefined;
  let members: unknown;
  try {
    members = JSON.parse(out.slice(start, end + 1));
  } catch {
    return undefined;
  }
  if (!Array.isArray(members)) return undefined;
  const list = members as Array<Record<string, unknown>>;
  const host = (name: unknown) =>
    String(name)
      .replace(/^[^@]*@/, "")
      .split(".")[0];
  const detail = list.map((m) => `${host(m["Node Name"])} ${m["Raft State"]} (term ${m.Term || "?"})`).join(", ");
  const leader = list.find((m) => m["Raft State"] === "leader" && host(m["Node Name"]) !== pod);
  return { seen: leader !== undefined, detail };
}
