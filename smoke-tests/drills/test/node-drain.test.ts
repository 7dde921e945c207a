// The node-drain scenario's sequence against a cluster faked in memory (three nodes, one Kafka broker each, a PDB of one
// broker out at a time or none): what it judges, that it never leaves a node cordoned, and that it is refused before
// any load where it cannot run. The Kubernetes calls themselves are the lead's cluster run (docs/drills.md).
import type { EvictionOutcome } from "../../faults/drain";
import type { FaultInjector, PodState } from "../../faults/types";
import type { SystemHarness } from "../harness";
import { nodeDrain } from "../node-drain";
import { redundancyProblem } from "../redundancy";
import { runDrill } from "../run-drill";
import { unusedKubernetesFaults } from "./kubernetes-stand-in";
import { eventLoopTurn, recordingNemesisContext } from "./nemesis-stand-in";

const nodeOfBroker: Record<string, string> = {
  "kafka-broker-0": "node-1",
  "kafka-broker-1": "node-2",
  "kafka-broker-2": "node-3",
};

/** The fake cluster: `pdb` refuses a second broker's eviction while one is out; `comesBack` lets evicted pods return. */
function fakeCluster(opts: { pdb: boolean; comesBack: boolean; nodes?: string[] }) {
  let now = Date.UTC(2026, 11, 7, 5, 0, 0);
  const cordoned = new Set<string>();
  const calls: string[] = [];
  const out = new Set<string>();
  const pods: Record<string, Omit<PodState, "namespace">> = Object.fromEntries(
    Object.entries(nodeOfBroker).map(([pod, node]) => [pod, { uid: `${pod}-0`, ready: true, node }]),
  );
  let generation = 0;
  const faults: FaultInjector = {
    ...unusedKubernetesFaults("node-drain"),
    clusterNodes: async () => opts.nodes ?? ["node-1", "node-2", "node-3"],
    nodeOf: async (pod) => nodeOfBroker[pod] as string,
    cordon: async (node) => {
      cordoned.add(node);
      calls.push(`cordon ${node}`);
    },
    uncordon: async (node) => {
      cordoned.delete(node);
      calls.push(`uncordon ${node}`);
    },
    podsOn: async (node) => [
      ...Object.keys(pods)
        .filter((p) => nodeOfBroker[p] === node)
        .map((name) => ({ namespace: "kafka", name })),
      { namespace: "monitoring", name: `prometheus-on-${node}` },
    ],
    evict: async (_namespace, pod): Promise<EvictionOutcome> => {
      now += 1_000;
      if (!(pod in pods)) return { outcome: "evicted", at: now, detail: "evicted (HTTP 201)" };
      if (opts.pdb && out.size > 0 && !out.has(pod)) return { outcome: "refused", at: now, detail: "HTTP 429" };
      out.add(pod);
      pods[pod] = { uid: `${pod}-${++generation}`, ready: false, phase: "Pending" };
      return { outcome: "evicted", at: now, detail: "evicted (HTTP 201)" };
    },
    podState: async (pod) => {
      const p = pods[pod] as Omit<PodState, "namespace">;
      const node = nodeOfBroker[pod] as string;
      // Its disk is on its node: it waits Pending, unscheduled, until the node is schedulable again.
      if (!p.ready && opts.comesBack && !cordoned.has(node)) {
        now += 1_000;
        pods[pod] = { ...p, ready: true, node, phase: "Running", readySince: now };
        out.delete(pod);
      }
      return { namespace: "kafka", ...(pods[pod] as Omit<PodState, "namespace">) };
    },
  };
  const harness = {
    system: "kafka",
    leader: async () => "kafka-broker-1",
    nodes: () => Object.keys(nodeOfBroker),
    redundancy: async () => ({ least: 3 - out.size, needed: 2, detail: `ISR of ${3 - out.size}` }),
    close: async () => undefined,
  } as unknown as SystemHarness;
  const { ctx, effects, checks, marks } = recordingNemesisContext({
    harness,
    faults,
    sleep: async () => {
      now += 1_000;
      await eventLoopTurn();
    },
    settings: { steadyMs: 0, faultMs: 0, afterMs: 0, rounds: 1, healthTimeoutMs: 60_000 },
  });
  return { ctx, faults, harness, cordoned, calls, effects, checks, marks };
}

describe("the node-drain scenario", () => {
  it("with the PDB: the second broker refused until the first is back, then drained; both nodes uncordoned", async () => {
    const c = fakeCluster({ pdb: true, comesBack: true });
    await nodeDrain.nemesis(c.ctx);
    expect(c.effects[0]?.tookEffect).toBe(true);
    expect(c.effects[0]?.detail).toMatch(
      /^drained node-2 \(kafka-broker-1 evicted 05:00:0\d\.000 UTC\) and node-1: kafka-broker-0's eviction refused \d+ time\(s\) while kafka-broker-1 was out/,
    );
    expect(c.effects[0]?.detail).toContain("kafka-broker-1: out of service");
    // Its own verdict line: one broker out at a time keeps 2 of 3 in sync.
    expect(c.checks).toEqual([
      {
        name: "never below what a write needs",
        passed: true,
        detail: expect.stringMatching(/^lowest ISR of 2, needs 2 \(/),
      },
    ]);
    expect(c.calls).toEqual(["cordon node-2", "cordon node-1", "uncordon node-2", "uncordon node-1"]);
    expect(c.cordoned.size).toBe(0);
    // The first node's other pods are drained too, as kubectl drain does.
    expect(c.marks).toContain("note: evict monitoring/prometheus-on-node-2 from node-2: evicted (HTTP 201)");
    expect(c.marks.filter((m) => m.includes("evict kafka-broker-0 from node-1: HTTP 429")).length).toBeGreaterThan(0);
  });

  it("without the PDB: the second broker goes while the first is out, and the drain did not take effect", async () => {
    const c = fakeCluster({ pdb: false, comesBack: true });
    await nodeDrain.nemesis(c.ctx);
    expect(c.effects[0]?.tookEffect).toBe(false);
    expect(c.effects[0]?.detail).toContain("no eviction of kafka-broker-0 was refused while kafka-broker-1 was out");
    expect(c.checks).toEqual([
      {
        name: "never below what a write needs",
        passed: false,
        detail: expect.stringMatching(/^redundancy fell to 1 < 2 \(ISR of 1\)/),
      },
    ]);
    // The second node uncordoned as soon as its broker went: else that broker could never come back.
    expect(c.calls).toEqual(["cordon node-2", "cordon node-1", "uncordon node-1", "uncordon node-2"]);
    expect(c.cordoned.size).toBe(0);
  });

  it("a broker that never comes back fails the drill naming the wait, and leaves no node cordoned", async () => {
    const c = fakeCluster({ pdb: true, comesBack: false });
    await expect(nodeDrain.nemesis(c.ctx)).rejects.toThrow(
      "kafka-broker-1 was not Ready again 60 s after node-2 was uncordoned (Pending, unscheduled)",
    );
    expect(c.cordoned.size).toBe(0);
    expect(c.calls).toEqual(["cordon node-2", "cordon node-1", "uncordon node-2", "uncordon node-1"]);
  });

  it("is refused before any load on fewer than 3 nodes, and on a target that cannot cordon", async () => {
    const c = fakeCluster({ pdb: true, comesBack: true, nodes: ["node-1", "node-2"] });
    await expect(nodeDrain.preflight?.(c.harness, c.faults)).rejects.toThrow("it needs 3 nodes or more");
    const { cordon: _, ...embedded } = c.faults;
    await expect(nodeDrain.preflight?.(c.harness, { ...embedded, kind: "embedded" })).rejects.toThrow(
      "node-drain cordons nodes and evicts pods through the Kubernetes API: select a Kubernetes target (MP_TARGET=stack:cluster); this one is embedded",
    );
    expect(c.calls).toEqual([]);
  });
});

describe("a drill refused before its load", () => {
  it("runDrill opens no publisher when the scenario's preflight refuses, and closes the harness", async () => {
    const c = fakeCluster({ pdb: true, comesBack: true, nodes: ["node-1", "node-2"] });
    const opened: string[] = [];
    const harness = {
      ...c.harness,
      openPublishers: async () => {
        opened.push("publishers");
        return [];
      },
      close: async () => {
        opened.push("closed");
      },
    } as unknown as SystemHarness;
    await expect(
      runDrill(harness, c.faults, nodeDrain, {
        settings: { steadyMs: 0, faultMs: 0, afterMs: 0, rounds: 1, healthTimeoutMs: 1_000 },
        workload: {} as never,
        publishers: 1,
        drainQuietMs: 1_000,
      }),
    ).rejects.toThrow("node-drain on 2 node(s) (node-1, node-2)");
    expect(opened).toEqual(["closed"]);
  });
});

describe("redundancy kept at every sampled second", () => {
  it("fails below min ISR or a majority, and with no sample at all", () => {
    expect(
      redundancyProblem({ lowest: { least: 2, needed: 2, detail: "smoke-0 ISR [0,1]" }, seen: 9, failed: 0 }),
    ).toBe(undefined);
    expect(redundancyProblem({ lowest: { least: 1, needed: 2, detail: "smoke-0 ISR [0]" }, seen: 9, failed: 0 })).toBe(
      "redundancy fell to 1 < 2 (smoke-0 ISR [0])",
    );
    expect(redundancyProblem({ seen: 0, failed: 3 })).toBe("no redundancy sample");
  });
});
