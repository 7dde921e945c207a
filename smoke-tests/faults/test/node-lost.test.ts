// What the node-lost drill reads and how it judges it, on the tools' output as they print it (Kafka 4.3's
// `kafka-metadata-quorum describe --status`, RabbitMQ 4.3's `rabbitmqctl cluster_status --formatter json`).
import {
  type BrokerOnNode,
  chooseLoss,
  clusterStatusFrom,
  erlangNameOf,
  judgeLedAfterCaughtUp,
  judgeQuorumRejoin,
  judgeRabbitRejoin,
  type PartitionView,
  partitionsNotInSync,
  votersFromQuorumStatus,
} from "../node-lost";

const endpoint = (i: number) => `CONTROLLER://kafka-broker-${i}.kafka-broker-headless.kafka.svc.cluster.local:9093`;
const status = (voters: Array<[number, string]>) =>
  [
    "ClusterId:              UVClQ8eUhX4HiwBnG23QKw",
    "LeaderId:               0",
    "LeaderEpoch:            7",
    "HighWatermark:          5412",
    "MaxFollowerLag:         0",
    "MaxFollowerLagTimeMs:   12",
    `CurrentVoters:          [${voters.map(([id, dir]) => `{"id": ${id}, "directoryId": "${dir}", "endpoints": ["${endpoint(id)}"]}`).join(", ")}]`,
    'CurrentObservers:       [{"id": 2, "directoryId": "nEwNeWnEwNeWnEwNeWnEwA"}]',
  ].join("\n");

describe("the node to lose", () => {
  const brokers: BrokerOnNode[] = [
    { system: "kafka", pod: "kafka-broker-0", uid: "k0", ready: true, node: "cluster-node-1" },
    { system: "kafka", pod: "kafka-broker-1", uid: "k1", ready: true, node: "cluster-node-2" },
    { system: "rabbitmq", pod: "rabbitmq-0", uid: "r0", ready: true, node: "cluster-node-2" },
    { system: "rabbitmq", pod: "rabbitmq-1", uid: "r1", ready: true, node: "cluster-node-3" },
  ];
  const nodes = ["cluster-node-1", "cluster-node-2", "cluster-node-3"];

  it("is the leader's node unless one is asked for, with every broker pod of both systems on it", () => {
    expect(chooseLoss({ system: "kafka", nodes, leader: "kafka-broker-1", brokers })).toEqual({
      victim: "cluster-node-2",
      lost: [brokers[1], brokers[2]],
    });
    expect(chooseLoss({ system: "rabbitmq", nodes, requested: "cluster-node-3", brokers }).lost).toEqual([brokers[3]]);
  });

  it("is refused naming the rule: an unknown node (the nodes listed), fewer than 3 nodes, a broker not Ready", () => {
    expect(() => chooseLoss({ system: "kafka", nodes, requested: "cluster-node-9", brokers })).toThrow(
      "--node = cluster-node-9 is not a node of this cluster (nodes: cluster-node-1, cluster-node-2, cluster-node-3)",
    );
    expect(() => chooseLoss({ system: "kafka", nodes: nodes.slice(0, 2), leader: "kafka-broker-1", brokers })).toThrow(
      "node-lost on 2 node(s) (cluster-node-1, cluster-node-2): losing one must leave a majority of nodes, and of each system's brokers, running; it needs 3 nodes or more",
    );
    const down = brokers.map((b) => (b.pod === "rabbitmq-1" ? { ...b, ready: false } : b));
    expect(() => chooseLoss({ system: "kafka", nodes, leader: "kafka-broker-1", brokers: down })).toThrow(
      "every broker pod of both systems must be Ready before; rabbitmq-1 not Ready",
    );
    expect(() => chooseLoss({ system: "kafka", nodes, requested: "cluster-node-3", brokers })).toThrow(
      "cluster-node-3 runs no kafka broker pod (it runs rabbitmq-1): losing it would not drill kafka",
    );
  });
});

describe("the KRaft voters and a voter's safe return", () => {
  const before = votersFromQuorumStatus(
    status([
      [0, "q1w2e3r4t5y6u7i8o9p0aA"],
      [1, "Zx8Cv7Bn6Mm5Ll4Kk3Jj2A"],
      [2, "oLdDiRoLdDiRoLdDiRoLdA"],
    ]),
  );
  const old = { id: 2, directoryId: "oLdDiRoLdDiRoLdDiRoLdA", pod: "kafka-broker-2" };

  it("are read with their directory ids and pods; nothing when the tool did not answer", () => {
    expect(before).toEqual([
      { id: 0, directoryId: "q1w2e3r4t5y6u7i8o9p0aA", pod: "kafka-broker-0" },
      { id: 1, directoryId: "Zx8Cv7Bn6Mm5Ll4Kk3Jj2A", pod: "kafka-broker-1" },
      old,
    ]);
    expect(votersFromQuorumStatus("org.apache.kafka.common.errors.TimeoutException: Timed out")).toBeUndefined();
  });

  it("passes only with the node a voter under a new directory id and the old one gone", () => {
    const rejoined = votersFromQuorumStatus(
      status([
        [0, "q1w2e3r4t5y6u7i8o9p0aA"],
        [1, "Zx8Cv7Bn6Mm5Ll4Kk3Jj2A"],
        [2, "nEwNeWnEwNeWnEwNeWnEwA"],
      ]),
    );
    expect(judgeQuorumRejoin(old, rejoined)).toEqual({
      ok: true,
      detail:
        "node 2 is a voter again under directory id nEwNeWnEwNeWnEwNeWnEwA, the old oLdDiRoLdDiRoLdDiRoLdA gone: voters 0/q1w2e3r4t5y6u7i8o9p0aA, 1/Zx8Cv7Bn6Mm5Ll4Kk3Jj2A, 2/nEwNeWnEwNeWnEwNeWnEwA",
    });
    expect(judgeQuorumRejoin(old, before)).toEqual({
      ok: false,
      detail: expect.stringMatching(/^the old voter 2\/oLdDiRoLdDiRoLdDiRoLdA is still a voter: /),
    });
    expect(judgeQuorumRejoin(old, before?.slice(0, 2))).toEqual({
      ok: false,
      detail: expect.stringMatching(/^node 2 is no voter: /),
    });
    expect(judgeQuorumRejoin(old, undefined).ok).toBe(false);
  });
});

describe("the rebuilt broker never leads a partition it has not caught up on", () => {
  const p = (partition: number, leader: string, isr: string[]): PartitionView => ({
    topic: "smoke",
    partition,
    leader,
    replicas: ["kafka-broker-0", "kafka-broker-1", "kafka-broker-2"],
    isr,
  });
  const all = ["kafka-broker-0", "kafka-broker-1", "kafka-broker-2"];
  const out = ["kafka-broker-0", "kafka-broker-1"];
  const lost = "kafka-broker-2";

  it("passes when it leads only partitions whose ISR showed it first", () => {
    const samples = [
      [p(0, "kafka-broker-0", all), p(1, "kafka-broker-2", all)],
      [p(0, "kafka-broker-0", out), p(1, "kafka-broker-1", out)],
      [p(0, "kafka-broker-0", all), p(1, "kafka-broker-1", all)],
      [p(0, "kafka-broker-0", all), p(1, "kafka-broker-2", all)],
    ];
    expect(judgeLedAfterCaughtUp(lost, samples)).toEqual({
      ok: true,
      detail:
        "kafka-broker-2 back in the ISR of 2 of 2 partitions, leading at most 1, each only after it was in its ISR (4 samples, out of every ISR from sample 2)",
    });
  });

  it("fails when it leads a partition at the first sample that shows it in that ISR", () => {
    const samples = [
      [p(0, "kafka-broker-0", out), p(1, "kafka-broker-1", out)],
      [p(0, "kafka-broker-0", all), p(1, "kafka-broker-2", ["kafka-broker-2"])],
    ];
    expect(judgeLedAfterCaughtUp(lost, samples)).toEqual({
      ok: false,
      detail:
        "kafka-broker-2 led smoke-1 before a sample showed it in that partition's ISR (2 samples, out of every ISR from sample 1)",
    });
  });

  it("fails when it is not back in every ISR it belongs to at the last sample (its catch-up was not seen)", () => {
    const samples = [
      [p(0, "kafka-broker-0", out), p(1, "kafka-broker-1", out)],
      [p(0, "kafka-broker-0", all), p(1, "kafka-broker-1", out)],
    ];
    expect(judgeLedAfterCaughtUp(lost, samples)).toEqual({
      ok: false,
      detail:
        "kafka-broker-2 not back in the ISR of smoke-1 at the last sample: its catch-up was not seen (2 samples, out of every ISR from sample 1)",
    });
  });

  it("fails when it was never seen out of every ISR (nothing shows it lost its data)", () => {
    const samples = [[p(0, "kafka-broker-0", all), p(1, "kafka-broker-1", out)]];
    expect(judgeLedAfterCaughtUp(lost, samples)).toEqual({
      ok: false,
      detail: "kafka-broker-2 was never seen out of every ISR after the loss (1 samples): nothing shows it was rebuilt",
    });
  });

  it("every partition in sync: each with all its replicas in the ISR, and as many replicas as the cluster promises", () => {
    expect(partitionsNotInSync([p(0, "kafka-broker-0", all), p(1, "kafka-broker-1", all)], 3)).toEqual([]);
    expect(partitionsNotInSync([p(0, "kafka-broker-0", out)], 3)).toEqual([
      "smoke-0 ISR [kafka-broker-0,kafka-broker-1] of [kafka-broker-0,kafka-broker-1,kafka-broker-2]",
    ]);
    expect(partitionsNotInSync([{ ...p(0, "kafka-broker-0", out), replicas: out }], 3)).toHaveLength(1);
  });
});

describe("RabbitMQ: the lost node forgotten, and the rebuilt one in the existing cluster", () => {
  const name = (i: number) => `rabbit@rabbitmq-${i}.rabbitmq-nodes.rabbitmq`;
  const json = (cluster: string, members: number[], running: number[]) =>
    JSON.stringify({
      alarms: [],
      cluster_name: cluster,
      disk_nodes: members.map(name),
      feature_flags: [{ name: "khepri_db", state: "enabled" }],
      listeners: {},
      maintenance_status: {},
      partitions: {},
      ram_nodes: [],
      running_nodes: running.map(name),
      versions: {},
    });

  it("reads name, members and running members; a pod's Erlang name among the members", () => {
    const s = clusterStatusFrom(`${json("rabbitmq", [0, 1, 2], [1, 2])}\n`);
    expect(s).toEqual({
      clusterName: "rabbitmq",
      members: [name(0), name(1), name(2)],
      running: [name(1), name(2)],
    });
    expect(erlangNameOf("rabbitmq-0", s?.members ?? [])).toBe(name(0));
    expect(erlangNameOf("rabbitmq-1", [name(10)])).toBeUndefined();
    expect(clusterStatusFrom("Error: unable to perform an operation on node 'rabbit@rabbitmq-0'")).toBeUndefined();
  });

  it("passes when the survivor sees it running and it sees the same cluster; fails on a cluster of its own", () => {
    const survivor = clusterStatusFrom(json("rabbitmq", [0, 1, 2], [0, 1, 2]));
    expect(judgeRabbitRejoin(name(0), survivor, clusterStatusFrom(json("rabbitmq", [0, 1, 2], [0, 1, 2])))).toEqual({
      ok: true,
      detail: `${name(0)} running in the survivors' cluster, and it sees the same (rabbitmq: 3 of 3 running)`,
    });
    // A blank seed pod formed a cluster alone.
    expect(judgeRabbitRejoin(name(0), survivor, clusterStatusFrom(json("rabbit@rabbitmq-0", [0], [0])))).toEqual({
      ok: false,
      detail: `${name(0)} is in another cluster than the survivors: it sees rabbit@rabbitmq-0 [${name(0)}], they see rabbitmq [${name(0)}, ${name(1)}, ${name(2)}]`,
    });
    const without = clusterStatusFrom(json("rabbitmq", [1, 2], [1, 2]));
    expect(judgeRabbitRejoin(name(0), without, without)).toEqual({
      ok: false,
      detail: `the survivor does not see ${name(0)} running (rabbitmq: 2 of 2 running)`,
    });
  });
});
