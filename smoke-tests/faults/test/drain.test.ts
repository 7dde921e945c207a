// The node drain's pure parts (drain.ts): what an eviction answer means, which pods a drain evicts, which two nodes the
// node-drain drill drains (or why it is refused), and whether the drain took effect as the PDBs promise.
import {
  chooseDrainNodes,
  classifyEviction,
  drainable,
  type EvictionOutcome,
  judgeDrain,
  outOfService,
} from "../drain";

/** An error as @kubernetes/client-node throws it: the HTTP code, the Status object as the body's text. */
const apiError = (code: number, message: string) => ({
  code,
  message: `HTTP-Code: ${code}`,
  body: JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", message, code }),
});

describe("an eviction's answer", () => {
  it("no error is an eviction (HTTP 201)", () => {
    expect(classifyEviction(undefined, 1_000)).toEqual({ outcome: "evicted", at: 1_000, detail: "evicted (HTTP 201)" });
  });

  it("HTTP 429 is a refusal by the disruption budget, with the API's own message", () => {
    const refused = classifyEviction(
      apiError(429, "Cannot evict pod as it would violate the pod's disruption budget."),
      2_000,
    );
    expect(refused).toEqual({
      outcome: "refused",
      at: 2_000,
      detail: "HTTP 429: Cannot evict pod as it would violate the pod's disruption budget.",
    });
  });

  it("HTTP 404 is a pod already gone; any other answer or a failure to ask is an error", () => {
    expect(classifyEviction(apiError(404, 'pods "kafka-broker-1" not found'), 3).outcome).toBe("gone");
    expect(classifyEviction(apiError(500, "too many PDBs"), 3)).toMatchObject({
      outcome: "error",
      detail: "HTTP 500: too many PDBs",
    });
    expect(classifyEviction(new Error("connect ECONNREFUSED"), 3)).toMatchObject({
      outcome: "error",
      detail: "connect ECONNREFUSED",
    });
  });

  it("a body that is not a Status object is shown as it came", () => {
    expect(classifyEviction({ code: 429, body: "slow down" }, 4).detail).toBe("HTTP 429: slow down");
    expect(classifyEviction({ code: 429, body: { kind: "Status", message: "budget" } }, 4).detail).toBe(
      "HTTP 429: budget",
    );
  });
});

describe("the pods a drain evicts", () => {
  const pod = (name: string, more: Partial<Parameters<typeof drainable>[0][number]> = {}) => ({
    namespace: "ns",
    name,
    uid: name,
    phase: "Running",
    ownerKinds: ["StatefulSet"],
    mirror: false,
    deleting: false,
    ...more,
  });

  it("skips DaemonSet pods, mirror pods, finished pods and pods being deleted, as kubectl drain does", () => {
    const pods = [
      pod("kafka-broker-0"),
      pod("coredns-x", { ownerKinds: ["DaemonSet"] }),
      pod("static", { mirror: true }),
      pod("job-done", { phase: "Succeeded" }),
      pod("job-failed", { phase: "Failed" }),
      pod("leaving", { deleting: true }),
      pod("prometheus-0", { phase: "Pending" }),
    ];
    expect(drainable(pods).map((p) => p.name)).toEqual(["kafka-broker-0", "prometheus-0"]);
  });
});

describe("the two nodes node-drain drains", () => {
  const brokers = [
    { pod: "kafka-broker-0", node: "node-1" },
    { pod: "kafka-broker-1", node: "node-2" },
    { pod: "kafka-broker-2", node: "node-3" },
  ];
  const nodes = ["node-1", "node-2", "node-3"];

  it("the leader's node first, then the first other node that runs one broker", () => {
    expect(chooseDrainNodes({ system: "kafka", nodes, leader: "kafka-broker-1", brokers })).toEqual({
      first: { node: "node-2", broker: "kafka-broker-1" },
      second: { node: "node-1", broker: "kafka-broker-0" },
    });
  });

  it("refused on fewer than 3 nodes, naming the rule", () => {
    expect(() =>
      chooseDrainNodes({ system: "kafka", nodes: ["node-1", "node-2"], leader: "kafka-broker-0", brokers }),
    ).toThrow(
      "node-drain on 2 node(s) (node-1, node-2): it cordons two nodes at once, and one must stay schedulable beside them; it needs 3 nodes or more",
    );
  });

  it("refused where the leader's node runs two brokers of the system: the PDB would never let its drain finish", () => {
    const two = [...brokers.slice(0, 2), { pod: "kafka-broker-2", node: "node-2" }];
    expect(() => chooseDrainNodes({ system: "kafka", nodes, leader: "kafka-broker-1", brokers: two })).toThrow(
      "node-drain: node node-2 runs 2 kafka brokers (kafka-broker-1, kafka-broker-2); the PDB lets one go at a time",
    );
  });

  it("refused where no second node runs exactly one broker", () => {
    const lone = [
      { pod: "rabbitmq-0", node: "node-1" },
      { pod: "rabbitmq-1", node: "node-2" },
      { pod: "rabbitmq-2", node: "node-2" },
    ];
    expect(() => chooseDrainNodes({ system: "rabbitmq", nodes, leader: "rabbitmq-0", brokers: lone })).toThrow(
      "node-drain: no node but node-1 runs exactly one rabbitmq broker",
    );
  });

  it("refused where the leader is none of the brokers", () => {
    expect(() => chooseDrainNodes({ system: "kafka", nodes, leader: "kafka-broker-9", brokers })).toThrow(
      "the leader kafka-broker-9 is none of the kafka brokers",
    );
  });
});

describe("whether the drain took effect as the PDBs promise", () => {
  const t0 = Date.UTC(2026, 11, 7, 5, 0, 0);
  const at = (s: number) => t0 + s * 1000;
  const refused = (s: number): EvictionOutcome => ({ outcome: "refused", at: at(s), detail: "HTTP 429" });
  const evicted = (s: number): EvictionOutcome => ({ outcome: "evicted", at: at(s), detail: "evicted (HTTP 201)" });
  const first = { broker: "kafka-broker-1", node: "node-2", evictedAt: at(0), readyAt: at(60) };
  const second = (attempts: EvictionOutcome[]) => ({ broker: "kafka-broker-0", node: "node-1", attempts });

  it("took effect: refused while the first broker was out, evicted only once it was Ready again", () => {
    const j = judgeDrain({ first, second: second([refused(1), refused(2), refused(59), evicted(61)]) });
    expect(j.tookEffect).toBe(true);
    expect(j.detail).toBe(
      "drained node-2 (kafka-broker-1 evicted 05:00:00.000 UTC) and node-1: kafka-broker-0's eviction refused 3 time(s) while kafka-broker-1 was out (429, 05:00:01.000 to 05:00:59.000 UTC); kafka-broker-0 evicted 1.0 s after kafka-broker-1 was Ready again",
    );
  });

  it("did not: the second broker evicted while the first was still out (no PDB), even after refusals", () => {
    const j = judgeDrain({ first, second: second([refused(1), evicted(2)]) });
    expect(j.tookEffect).toBe(false);
    expect(j.detail).toContain(
      "kafka-broker-0 evicted while kafka-broker-1 was still out (58.0 s before it was Ready again)",
    );
  });

  it("did not: never refused while the first was out (refusals before its eviction do not count)", () => {
    const j = judgeDrain({ first: { ...first, evictedAt: at(10) }, second: second([refused(5), evicted(61)]) });
    expect(j.tookEffect).toBe(false);
    expect(j.detail).toContain("no eviction of kafka-broker-0 was refused while kafka-broker-1 was out");
  });

  it("did not: the first broker never evicted, or the second never", () => {
    expect(judgeDrain({ first: { ...first, evictedAt: undefined }, second: second([]) })).toEqual({
      tookEffect: false,
      detail: "kafka-broker-1 on node-2 was never evicted",
    });
    const never = judgeDrain({ first, second: second([refused(1)]) });
    expect(never.tookEffect).toBe(false);
    expect(never.detail).toContain("kafka-broker-0 was never evicted");
  });

  it("did not: the first broker never Ready again", () => {
    const j = judgeDrain({ first: { ...first, readyAt: undefined }, second: second([refused(1), evicted(90)]) });
    expect(j.tookEffect).toBe(false);
    expect(j.detail).toContain("kafka-broker-1 was never Ready again");
  });

  it("each broker's time out of service, from its eviction until Ready again", () => {
    expect(outOfService("kafka-broker-1", at(0), at(83.25))).toBe(
      "kafka-broker-1: out of service 83.3 s (evicted 05:00:00.000, Ready 05:01:23.250 UTC)",
    );
    expect(outOfService("kafka-broker-1", at(0))).toBe("kafka-broker-1: evicted 05:00:00.000 UTC, not Ready again");
    expect(outOfService("kafka-broker-1")).toBe("kafka-broker-1: not evicted");
  });
});
