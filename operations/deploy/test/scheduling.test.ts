import {
  type NodeView,
  placementRefusals,
  renderedStatefulSets,
  type StatefulSetView,
  schedulableNodes,
} from "../scheduling";

/** A node as `GET /api/v1/nodes` returns it on `npm run cluster:up`'s cluster (fields that matter here). */
function node(name: string, zone: string, extra: { ready?: boolean; spec?: NodeView["spec"] } = {}): NodeView {
  return {
    metadata: {
      name,
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "topology.kubernetes.io/zone": zone,
      },
    },
    spec: { podCIDR: "10.244.1.0/24", ...extra.spec } as NodeView["spec"],
    status: {
      conditions: [
        { type: "MemoryPressure", status: "False" },
        { type: "Ready", status: extra.ready === false ? "False" : "True" },
      ],
    },
  };
}
const threeNodes = [node("mpk8s-1", "zone-a"), node("mpk8s-2", "zone-b"), node("mpk8s-3", "zone-c")];

/** charts/kafka's broker StatefulSet as the preview renders it (required anti-affinity by host, zone spread). */
function brokers(replicas: number, nodeSelector?: Record<string, string>): StatefulSetView {
  const selector = { matchLabels: { "app.kubernetes.io/instance": "kafka", "app.kubernetes.io/name": "kafka" } };
  return {
    metadata: { name: "kafka-broker", namespace: "kafka" },
    spec: {
      replicas,
      template: {
        spec: {
          ...(nodeSelector ? { nodeSelector } : {}),
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { labelSelector: selector, topologyKey: "kubernetes.io/hostname" } as never,
              ],
            },
          },
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule" },
          ],
        } as never,
      },
    },
  };
}
const source = "charts/kafka values scheduling.hostAntiAffinity: required";

describe("the nodes the scheduler would use", () => {
  it("Ready, not cordoned, no NoSchedule or NoExecute taint", () => {
    const nodes = [
      ...threeNodes,
      node("mpk8s-4", "zone-a", { ready: false }),
      node("mpk8s-5", "zone-b", { spec: { unschedulable: true } }),
      node("mpk8s-6", "zone-c", {
        spec: { taints: [{ key: "node.kubernetes.io/disk-pressure", effect: "NoSchedule" }] },
      }),
      node("mpk8s-7", "zone-c", { spec: { taints: [{ key: "x", effect: "PreferNoSchedule" }] } }),
    ];
    expect(schedulableNodes(nodes).map((n) => n.metadata?.name)).toEqual(["mpk8s-1", "mpk8s-2", "mpk8s-3", "mpk8s-7"]);
  });
});

describe("the pre-check: replicas against what required anti-affinity by host allows", () => {
  it("three brokers on three nodes: placeable", () => {
    expect(placementRefusals([{ statefulSet: brokers(3), source }], threeNodes)).toEqual([]);
  });

  it("a fourth broker on three nodes is refused, naming the setting and every schedulable node", () => {
    expect(placementRefusals([{ statefulSet: brokers(4), source }], threeNodes)).toEqual([
      "kafka-broker: replicas 4 need 4 nodes (required anti-affinity by kubernetes.io/hostname, charts/kafka values " +
        "scheduling.hostAntiAffinity: required); the cluster has 3 schedulable nodes: mpk8s-1 (zone-a), " +
        "mpk8s-2 (zone-b), mpk8s-3 (zone-c)",
    ]);
  });

  it("a cordoned node does not count: three brokers on three nodes, one cordoned, are refused", () => {
    const nodes = [...threeNodes.slice(0, 2), node("mpk8s-3", "zone-c", { spec: { unschedulable: true } })];
    expect(placementRefusals([{ statefulSet: brokers(3) }], nodes)).toEqual([
      "kafka-broker: replicas 3 need 3 nodes (required anti-affinity by kubernetes.io/hostname); the cluster has 2 " +
        "schedulable nodes: mpk8s-1 (zone-a), mpk8s-2 (zone-b)",
    ]);
  });

  it("the pod's nodeSelector narrows the nodes", () => {
    const nodes = threeNodes.map((n, i) => ({
      ...n,
      metadata: { ...n.metadata, labels: { ...n.metadata?.labels, pool: i === 0 ? "brokers" : "apps" } },
    }));
    expect(placementRefusals([{ statefulSet: brokers(2, { pool: "brokers" }) }], nodes)).toHaveLength(1);
  });

  it("preferred anti-affinity (development) is never refused: the scheduler may stack pods", () => {
    const preferred: StatefulSetView = { ...brokers(5), spec: { replicas: 5, template: { spec: {} } } };
    expect(placementRefusals([{ statefulSet: preferred }], threeNodes)).toEqual([]);
  });
});

describe("the StatefulSets a preview will create, from its engine events", () => {
  const sts = brokers(3);
  const event = (op: string, type: string, urn: string) => ({
    resourcePreEvent: { metadata: { op, type, urn, new: { inputs: sts } } },
  });
  const urn =
    "urn:pulumi:cluster::messaging-platform::messaging-platform:kafka:KafkaCluster$kubernetes:helm.sh/v4:Chart$" +
    "kubernetes:apps/v1:StatefulSet::kafka:kafka/kafka-broker";

  it("each StatefulSet once (a replacement is several steps), with the chart that places it", () => {
    const r = renderedStatefulSets([
      event("create-replacement", "kubernetes:apps/v1:StatefulSet", urn),
      event("replace", "kubernetes:apps/v1:StatefulSet", urn),
      event("create", "kubernetes:core/v1:Service", urn.replace("apps/v1:StatefulSet", "core/v1:Service")),
      {},
    ]);
    expect(r).toEqual([{ statefulSet: sts, source }]);
  });
});
