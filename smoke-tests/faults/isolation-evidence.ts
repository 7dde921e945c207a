// Pure: whether an isolation on Kubernetes took hold, read from what the in-container programs printed (a peer's
// probe of the pod's ports, the connections held across the fault, a RabbitMQ peer's quorum_status).

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

/** What became of one connection held across the fault (in-container/hold-connections.sh). */
export type HeldOutcome = "through" | "cut" | "gone" | "not-open" | "no answer";

/** Per port, from the two phases hold-connections.sh printed: held before the fault, then probed after it landed. */
export function readHeld(out: string, ports: number[]): { port: number; outcome: HeldOutcome; note: string }[] {
  const lines = out
    .trim()
    .split("\n")
    .map((l) => l.trim().split(" "));
  return ports.map((port) => {
    const mine = lines.filter(([p]) => p === String(port));
    const after = mine.find(([, w]) => w === "through" || w === "cut" || w === "gone");
    if (after) return { port, outcome: after[1] as HeldOutcome, note: after.slice(2).join(" ") };
    const notOpen = mine.find(([, w]) => w === "not-open");
    if (notOpen) return { port, outcome: "not-open", note: notOpen.slice(2).join(" ") };
    return { port, outcome: "no answer", note: mine.some(([, w]) => w === "held") ? "held, never probed" : "" };
  });
}

/** The socket inodes hold-connections.sh holds ("<port> held <inode>"), to tell its connections from the drill's. */
export function heldInodes(out: string): string[] {
  return [...out.matchAll(/^\d+ held (\d+)$/gm)].map((m) => m[1] as string);
}

/** One path to or from the isolated pod, probed after the fault landed. */
export interface PathEvidence {
  /** e.g. "drill → kafka-broker-1", "kafka-broker-0 → kafka-broker-1", "kafka-broker-1 → kafka-broker-0". */
  path: string;
  ports: number[];
  /** in-container/reach.sh's output: new connections after the fault. */
  fresh: string;
  /** in-container/hold-connections.sh's output: connections opened before the fault. */
  held: string;
  /** The far end's listeners were up while it was probed (its container running): a refusal is then the policy's. */
  listening: boolean;
}

/**
 * A path is cut when no new connection gets through and at least one connection open since before the fault is
 * left unacknowledged, none getting through: a NetworkPolicy judges new connections only, so the held ones are what
 * shows that the node's tracked connections were forgotten too.
 */
export function judgePath(e: PathEvidence): { cut: boolean; detail: string } {
  const fresh = judgeReach(e.fresh, e.ports, e.listening);
  const held = readHeld(e.held, e.ports);
  const probed = held.filter((h) => h.outcome === "cut" || h.outcome === "through");
  const leaks = held.filter((h) => h.outcome === "through" || h.outcome === "no answer");
  const heldText =
    probed.length === 0
      ? `no connection held across the fault to probe (${held.map((h) => `${h.port} ${h.outcome}${h.note ? ` ${h.note}` : ""}`).join(", ")})`
      : held
          .filter((h) => h.outcome !== "not-open")
          .map((h) => `${h.port} ${h.outcome}${h.note ? ` (${h.note})` : ""}`)
          .join(", ");
  return {
    cut: fresh.isolated && probed.length > 0 && leaks.length === 0,
    detail: `${e.path}: new ${fresh.detail}; open since before ${heldText}`,
  };
}

/** Isolated when every path is cut; the detail names each path, the ones still passing first. */
export function judgeIsolation(paths: PathEvidence[]): { isolated: boolean; detail: string } {
  const judged = paths.map(judgePath);
  const passing = judged.filter((j) => !j.cut);
  if (paths.length === 0) return { isolated: false, detail: "no path probed" };
  return {
    isolated: passing.length === 0,
    detail: (passing.length ? [...passing, ...judged.filter((j) => j.cut)] : judged).map((j) => j.detail).join("; "),
  };
}

/** One of this machine's TCP connections, as `ss -tinHe` prints it: its socket inode, when it last received an ACK. */
export interface OwnConnection {
  inode: string;
  /** Milliseconds since the far end last acknowledged anything (ss's lastack; 0 when ss shows none: just now). */
  lastAckMs: number;
}

/** Pure: the connections in `ss -tinHe` output (a line per socket, then an indented line of its TCP info). */
export function readOwnConnections(out: string): OwnConnection[] {
  const found: OwnConnection[] = [];
  for (const line of out.split("\n")) {
    const inode = /\bino:(\d+)/.exec(line)?.[1];
    if (inode && /^\S/.test(line)) found.push({ inode, lastAckMs: 0 });
    else if (/^\s/.test(line) && found.length) {
      const last = found[found.length - 1] as OwnConnection;
      last.lastAckMs = Number(/\blastack:(\d+)/.exec(line)?.[1] ?? 0);
    }
  }
  return found;
}

/**
 * Whether the drill's own clients were cut off: of their connections to the pod open when the fault landed, none
 * heard from it since (an ACK older than the time since landing, less `graceMs` for what was already under way), read
 * `sinceLandingMs` after it. The probe's own held connections are left out (`excluded`).
 */
export function judgeOwnConnections(
  atLanding: OwnConnection[],
  now: OwnConnection[],
  sinceLandingMs: number,
  excluded: readonly string[] = [],
  graceMs = 500,
): { cut: boolean; detail: string } {
  const ours = atLanding.filter((c) => !excluded.includes(c.inode));
  const open = now.filter((c) => ours.some((o) => o.inode === c.inode));
  const heard = open.filter((c) => c.lastAckMs < sinceLandingMs - graceMs);
  const detail =
    `the drill's own connections to it when the fault landed: ${ours.length}; ${sinceLandingMs / 1000} s later ` +
    `${ours.length - open.length} closed by the clients, ${open.length} open, ${heard.length} of them acknowledged since` +
    (heard.length ? ` (last ACK ${heard.map((c) => `${c.lastAckMs} ms`).join(", ")} ago)` : "");
  return { cut: heard.length === 0, detail };
}
