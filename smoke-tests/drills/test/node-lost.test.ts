// The node-lost scenario's sequence against a cluster faked in memory (three nodes, one Kafka and one RabbitMQ pod on
// each; a fourth node joins): the order of what it does, what it judges, and that it is refused before any load where
// it cannot run. The Kubernetes and cluster.sh calls themselves are the lead's cluster run (docs/drills.md).
import type { PartitionView, QuorumVoter, RabbitClusterStatus } from "../../faults/node-lost";
import type { FaultInjector, NodeControl, PodState } from "../../faults/types";
import type { SystemHarness } from "../harness";
import { nodeLost } from "../node-lost";
import { unusedKubernetesFaults } from "./kubernetes-stand-in";
import { recordingNemesisContext } from "./nemesis-stand-in";

interface Options {
  system?: "kafka" | "rabbitmq";
  /** The rebuilt controller replaces its stale voter itself (else the drill must remove it). */
  autoJoin?: boolean;
  /** Deliberate break: remove-controller does nothing, so the old directory id stays a voter. */
  staleVoterStays?: boolean;
  /** Deliberate break: the rebuilt broker leads a partition before it is in its ISR (an empty leader). */
  leadsEarly?: boolean;
  /** Deliberate break: the rebuilt broker never catches up on partition 2 (its copy stalls). */
  neverInSync?: boolean;
  /** The lost RabbitMQ pod never gets Ready again (a blank seed's startup probe waiting for its cluster size). */
  rabbitNeverBack?: boolean;
  /** Deliberate break: the rebuilt seed forms a cluster of its own. */
  ownCluster?: boolean;
  nodes?: string[];
  node?: string;
}

const initialNodes = ["cluster-node-1", "cluster-node-2", "cluster-node-3"];
const erlang = (pod: string) => `rabbit@${pod}.rabbitmq-nodes.rabbitmq`;

function fakeCluster(opts: Options = {}) {
  const system = opts.system ?? "kafka";
  const calls: string[] = [];
  const kNodes = [...(opts.nodes ?? initialNodes)];
  const pods: Record<string, { uid: string; ready: boolean; node?: string; phase?: string; released?: number }> = {};
  for (const [i, node] of kNodes.entries()) {
    pods[`kafka-broker-${i}`] = { uid: `k${i}-a`, ready: true, node, phase: "Running" };
    pods[`rabbitmq-${i}`] = { uid: `r${i}-a`, ready: true, node, phase: "Running" };
  }
  const gone = new Set<string>();
  /** Per pod lost with its node: podState calls until the pod garbage collector deletes it. */
  const orphaned = new Map<string, number>();
  let voters: QuorumVoter[] = [0, 1, 2].map((i) => ({ id: i, directoryId: `old-dir-${i}`, pod: `kafka-broker-${i}` }));
  const rabbitMembers = new Set([0, 1, 2].map((i) => erlang(`rabbitmq-${i}`)));
  let forgetTries = 0;
  let returnedCalls = 0;
  const lostPod = (sys: string) => Object.keys(pods).find((p) => p.startsWith(sys) && gone.has(p));
  const back = (pod: string) => {
    const p = pods[pod];
    return Boolean(p && gone.has(pod) && p.ready && !p.uid.endsWith("-a"));
  };

  const nodes: NodeControl = {
    nodes: async () => [...kNodes],
    freeze: async () => ({ landedAt: Date.now() }),
    thaw: async () => undefined,
    async remove(node) {
      calls.push(`remove ${node}`);
      kNodes.splice(kNodes.indexOf(node), 1);
      for (const [name, p] of Object.entries(pods)) {
        if (p.node !== node) continue;
        gone.add(name);
        orphaned.set(name, 2);
      }
      return { landedAt: Date.now() };
    },
    async join(node) {
      calls.push(`join ${node}`);
      kNodes.push(node);
    },
    replacementFor: async () => "cluster-node-4",
  };

  const status = (cluster: string, members: Iterable<string>, running: Iterable<string>): RabbitClusterStatus => ({
    clusterName: cluster,
    members: [...members].sort(),
    running: [...running].sort(),
  });
  const runningRabbits = () =>
    Object.entries(pods)
      .filter(([n, p]) => n.startsWith("rabbitmq") && p.ready && (!gone.has(n) || back(n)))
      .map(([n]) => erlang(n))
      .filter((n) => rabbitMembers.has(n));

  const faults: FaultInjector = {
    ...unusedKubernetesFaults("node-lost"),
    clusterNodes: async () => [...kNodes],
    nodeOf: async (pod) => pods[pod]?.node as string,
    brokerPods: async (sys) =>
      Object.entries(pods)
        .filter(([n]) => n.startsWith(sys))
        .map(([name, p]) => ({ name, uid: p.uid, ready: p.ready })),
    async podState(pod): Promise<PodState | undefined> {
      const p = pods[pod];
      if (!p) return undefined;
      const left = orphaned.get(pod);
      if (left !== undefined) {
        // A pod on a deleted Node still reads Ready until the pod garbage collector deletes it.
        if (left > 0) orphaned.set(pod, left - 1);
        else if (!p.released) return undefined;
        if (left > 0) return { namespace: "ns", uid: p.uid, ready: true, ...(p.node ? { node: p.node } : {}) };
      }
      if (p.released !== undefined && !p.ready && !(opts.rabbitNeverBack && pod.startsWith("rabbitmq"))) {
        // Recreated by its StatefulSet on the new node: Pending one look, then Ready.
        if (p.released++ > 0) {
          pods[pod] = { ...p, ready: true, node: "cluster-node-4", phase: "Running" };
          if (pod.startsWith("kafka") && opts.autoJoin !== false) replaceVoter(pod);
          if (pod.startsWith("rabbitmq") && !opts.ownCluster) rabbitMembers.add(erlang(pod));
        }
      }
      const now = pods[pod] as (typeof pods)[string];
      return {
        namespace: "ns",
        uid: now.uid,
        ready: now.ready,
        ...(now.node ? { node: now.node } : {}),
        ...(now.phase ? { phase: now.phase } : {}),
      };
    },
    async releaseClaims(pod) {
      calls.push(`release ${pod}`);
      orphaned.delete(pod);
      pods[pod] = { uid: `${pod}-b`, ready: false, phase: "Pending", released: 0 };
      return `deleted claims data-${pod} and pod ${pod} with grace 0`;
    },
    // The lost node held both brokers' claims (released with their pods by then) and the gate's reports claim.
    claimsOnNode: async (node) => [
      ...Object.keys(pods)
        .filter((p) => gone.has(p) && node === (opts.node ?? "cluster-node-2"))
        .map((p) => ({ namespace: "ns", name: `data-${p}`, uid: `${p}-claim-a`, volume: `${node}-pv-00` })),
      { namespace: "smoke-gate", name: "smoke-gate-reports", uid: "reports-a", volume: `${node}-pv-09` },
    ],
    async recreateClaim(claim) {
      const released = claim.name.startsWith("data-");
      if (!released) calls.push(`recreate ${claim.namespace}/${claim.name}`);
      return released ? `claim ${claim.name}: already released` : `claim ${claim.name}: made again empty`;
    },
    kafkaVoters: async () => voters.map((v) => ({ ...v })),
    async removeKafkaVoter(v) {
      calls.push(`remove-controller ${v.id}/${v.directoryId}`);
      if (!opts.staleVoterStays) {
        voters = voters.filter((x) => !(x.id === v.id && x.directoryId === v.directoryId));
        const pod = `kafka-broker-${v.id}`;
        if (back(pod)) replaceVoter(pod);
      }
      return "Removed KRaft controller 1 with directory id old-dir-1";
    },
    async rabbitmqClusterStatus(pod) {
      if (opts.ownCluster && gone.has(pod)) return status(erlang(pod), [erlang(pod)], [erlang(pod)]);
      return status("rabbitmq", rabbitMembers, runningRabbits());
    },
    async forgetRabbitmqNode(pod, node) {
      calls.push(`forget ${node} on ${pod}`);
      // Its peers still count it running for a while: the first try is refused.
      if (forgetTries++ === 0) return { ok: false, out: "Failure: node is still running" };
      rabbitMembers.delete(node);
      return { ok: true, out: "Success: " };
    },
  };
  function replaceVoter(pod: string) {
    const id = Number(pod.split("-").pop());
    const stale = voters.some((v) => v.id === id && v.directoryId === `old-dir-${id}`);
    if (stale && opts.staleVoterStays) return;
    voters = [...voters.filter((v) => v.id !== id), { id, directoryId: `new-dir-${id}`, pod }].sort(
      (a, b) => a.id - b.id,
    );
  }

  const broker = "kafka-broker-1";
  /** The smoke topic's three partitions: each one's leader (by partition) and ISR (the same for all). */
  const view = (leaders: Array<string | undefined>, isr: (p: number) => string[]): PartitionView[] =>
    [0, 1, 2].map((i) => ({ topic: "smoke", partition: i, leader: leaders[i], replicas: replicaSet, isr: isr(i) }));
  const replicaSet = ["kafka-broker-0", "kafka-broker-1", "kafka-broker-2"];
  const partitions = (): PartitionView[] => {
    const lost = lostPod("kafka");
    if (!lost) return view(replicaSet, () => replicaSet);
    const without = replicaSet.filter((b) => b !== lost);
    const survivorsLead = [0, 1, 2].map((i) => without[i % 2]);
    if (!back(lost)) return view(survivorsLead, () => without);
    returnedCalls++;
    // The break: it leads partition 1 alone, an empty leader, before it was ever in that partition's ISR.
    if (opts.leadsEarly && returnedCalls <= 3)
      return view(
        survivorsLead.map((l, i) => (i === 1 ? lost : l)),
        (i) => (i === 1 ? [lost] : without),
      );
    // Catching up for two looks, then in every ISR as a follower; its preferred leadership back only after that.
    if (returnedCalls <= 2) return view(survivorsLead, () => without);
    if (opts.neverInSync) return view(survivorsLead, (i) => (i === 2 ? without : replicaSet));
    if (returnedCalls <= 6) return view(survivorsLead, () => replicaSet);
    return view(replicaSet, () => replicaSet);
  };
  const harness = {
    system,
    leader: async () => (system === "kafka" ? broker : "rabbitmq-1"),
    nodes: () => [0, 1, 2].map((i) => (system === "kafka" ? `kafka-broker-${i}` : `rabbitmq-${i}`)),
    health: async () => ({ healthy: true, detail: "healthy" }),
    everyPartition: async () => ({ replicas: 3, partitions: partitions() }),
    everyQueue: async () => {
      const missing = [0, 1, 2].map((i) => erlang(`rabbitmq-${i}`)).filter((n) => !runningRabbits().includes(n));
      return missing.length === 0
        ? { healthy: true, detail: "all nodes running, every queue member online" }
        : { healthy: false, detail: `queue smoke: 2 of 3 members online (${missing.join(", ")} down)` };
    },
    close: async () => undefined,
  } as unknown as SystemHarness;

  const { ctx, effects, checks, marks, fullService } = recordingNemesisContext({
    harness,
    faults,
    nodes,
    settings: {
      steadyMs: 0,
      faultMs: 600_000,
      afterMs: 0,
      rounds: 1,
      healthTimeoutMs: 60_000,
      ...(opts.node ? { node: opts.node } : {}),
    },
  });
  return { ctx, faults, nodes, harness, calls, effects, checks, marks, fullService };
}

const passedChecks = (c: ReturnType<typeof fakeCluster>) => c.checks.map((x) => [x.name, x.passed]);

describe("the node-lost scenario", () => {
  it("Kafka: loses the leader's node, forgets, joins, releases both pods' claims; the broker rebuilt and back in the quorum", async () => {
    const c = fakeCluster({ system: "kafka" });
    await nodeLost.nemesis(c.ctx);
    expect(c.calls).toEqual([
      "remove cluster-node-2",
      `forget ${erlang("rabbitmq-1")} on rabbitmq-0`,
      `forget ${erlang("rabbitmq-1")} on rabbitmq-0`,
      "join cluster-node-4",
      "release kafka-broker-1",
      "release rabbitmq-1",
      "recreate smoke-gate/smoke-gate-reports",
    ]);
    expect(c.effects).toEqual([
      {
        tookEffect: true,
        detail:
          "removed cluster-node-2 with its disks: Node cluster-node-2 deleted; kafka-broker-1 gone, rabbitmq-1 gone",
      },
    ]);
    expect(passedChecks(c)).toEqual([
      ["rejoined the quorum under a new directory id", true],
      ["never led before it caught up", true],
      ["every partition fully replicated and in sync", true],
    ]);
    expect(c.checks[0]?.detail).toBe(
      "node 1 is a voter again under directory id new-dir-1, the old old-dir-1 gone: voters 0/old-dir-0, 1/new-dir-1, 2/old-dir-2 (auto-join replaced it)",
    );
    expect(c.checks[1]?.detail).toMatch(
      /^kafka-broker-1 back in the ISR of 3 of 3 partitions, leading at most \d+, each only after it was in its ISR /,
    );
    // Both systems' pods restored, each timed from the landing.
    expect(c.fullService.map((r) => [r.system, r.ms !== undefined])).toEqual([
      ["kafka", true],
      ["rabbitmq", true],
    ]);
    expect(c.marks).toContain("fault: lose cluster-node-2 with its disks (runs kafka-broker-1, rabbitmq-1)");
    expect(c.marks).toContain("note: kafka-broker-1 runs anew on cluster-node-4");
  });

  it("Kafka without auto-join: the drill removes the stale voter as an operator would, and the check says so", async () => {
    const c = fakeCluster({ system: "kafka", autoJoin: false });
    await nodeLost.nemesis(c.ctx);
    expect(c.calls).toContain("remove-controller 1/old-dir-1");
    expect(c.checks[0]).toEqual({
      name: "rejoined the quorum under a new directory id",
      passed: true,
      detail: expect.stringContaining(
        "(the drill removed the old voter (remove-controller), auto-join added the new one)",
      ),
    });
  });

  it("fails its check when the old directory id is still a voter", async () => {
    const c = fakeCluster({ system: "kafka", autoJoin: false, staleVoterStays: true });
    await nodeLost.nemesis(c.ctx);
    expect(c.checks[0]).toEqual({
      name: "rejoined the quorum under a new directory id",
      passed: false,
      detail: expect.stringMatching(/^the old voter 1\/old-dir-1 is still a voter: voters 0\/old-dir-0, 1\/old-dir-1/),
    });
  });

  it("fails its check when the rebuilt broker leads a partition before it is in that partition's ISR", async () => {
    const c = fakeCluster({ system: "kafka", leadsEarly: true });
    await nodeLost.nemesis(c.ctx);
    expect(c.checks[1]).toEqual({
      name: "never led before it caught up",
      passed: false,
      detail: expect.stringMatching(/^kafka-broker-1 led smoke-1 before a sample showed it in that partition's ISR/),
    });
  });

  it("fails its checks when a partition never has all its replicas in sync again", async () => {
    const c = fakeCluster({ system: "kafka", neverInSync: true });
    await nodeLost.nemesis(c.ctx);
    expect(c.checks.slice(1)).toEqual([
      {
        name: "never led before it caught up",
        passed: false,
        detail: expect.stringMatching(/^kafka-broker-1 not back in the ISR of smoke-2 at the last sample/),
      },
      {
        name: "every partition fully replicated and in sync",
        passed: false,
        detail:
          "1 partition(s) not in sync: smoke-2 ISR [kafka-broker-0,kafka-broker-2] of [kafka-broker-0,kafka-broker-1,kafka-broker-2]",
      },
    ]);
  });

  it("Kafka: RabbitMQ's pod not back fails the drill naming it, after Kafka's own checks are judged", async () => {
    const c = fakeCluster({ system: "kafka", rabbitNeverBack: true });
    await expect(nodeLost.nemesis(c.ctx)).rejects.toThrow(
      /^RabbitMQ not back to full service 600 s after the landing \(waiting for rabbitmq-1 \(Pending, unscheduled\)/,
    );
    expect(passedChecks(c)).toEqual([
      ["rejoined the quorum under a new directory id", true],
      ["never led before it caught up", true],
      ["every partition fully replicated and in sync", true],
    ]);
  });

  it("RabbitMQ, the seed node asked for: forgotten on a survivor, rejoined the same cluster, every queue member back", async () => {
    const c = fakeCluster({ system: "rabbitmq", node: "cluster-node-1" });
    await nodeLost.nemesis(c.ctx);
    expect(c.calls.slice(0, 3)).toEqual([
      "remove cluster-node-1",
      `forget ${erlang("rabbitmq-0")} on rabbitmq-1`,
      `forget ${erlang("rabbitmq-0")} on rabbitmq-1`,
    ]);
    expect(c.checks).toEqual([
      {
        name: "forgotten and rejoined the existing cluster",
        passed: true,
        detail: `${erlang("rabbitmq-0")} running in the survivors' cluster, and it sees the same (rabbitmq: 3 of 3 running)`,
      },
      {
        name: "every quorum queue has all its members online",
        passed: true,
        detail: "all nodes running, every queue member online",
      },
    ]);
    // The quorum is restored though Kafka is not the drilled system: the node held a controller too.
    expect(c.calls).toContain("release kafka-broker-0");
  });

  it("RabbitMQ fails both checks when the blank seed forms a cluster of its own", async () => {
    const c = fakeCluster({ system: "rabbitmq", node: "cluster-node-1", ownCluster: true });
    await nodeLost.nemesis(c.ctx);
    expect(c.checks).toEqual([
      {
        name: "forgotten and rejoined the existing cluster",
        passed: false,
        detail: expect.stringContaining(`the survivor does not see ${erlang("rabbitmq-0")} running`),
      },
      {
        name: "every quorum queue has all its members online",
        passed: false,
        detail: `queue smoke: 2 of 3 members online (${erlang("rabbitmq-0")} down)`,
      },
    ]);
  });

  it("is refused before any load: an unknown node (listing the nodes), fewer than 3 nodes, no node control", async () => {
    const c = fakeCluster();
    const settings = { ...c.ctx.settings, node: "cluster-node-9" };
    await expect(nodeLost.preflight?.(c.harness, c.faults, { settings, nodes: c.nodes })).rejects.toThrow(
      "--node = cluster-node-9 is not a node of this cluster (nodes: cluster-node-1, cluster-node-2, cluster-node-3)",
    );
    const two = fakeCluster({ nodes: ["cluster-node-1", "cluster-node-2"] });
    await expect(
      nodeLost.preflight?.(two.harness, two.faults, { settings: two.ctx.settings, nodes: two.nodes }),
    ).rejects.toThrow(
      "node-lost on 2 node(s) (cluster-node-1, cluster-node-2): losing one must leave a majority of nodes, and of each system's brokers, running; it needs 3 nodes or more",
    );
    await expect(nodeLost.preflight?.(c.harness, c.faults, { settings: c.ctx.settings })).rejects.toThrow(
      "node-lost removes a whole node and joins a new one: it needs this machine's Kubernetes cluster",
    );
    const { releaseClaims: _, ...embedded } = c.faults;
    await expect(
      nodeLost.preflight?.(c.harness, { ...embedded, kind: "embedded" }, { settings: c.ctx.settings, nodes: c.nodes }),
    ).rejects.toThrow("select this machine's cluster (MP_TARGET=stack:cluster); this one is embedded");
    expect([...c.calls, ...two.calls]).toEqual([]);
  });
});
