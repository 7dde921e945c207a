import type { PodView } from "../../../smoke-tests/kube/rollout";
import { describePlacement, placementLines } from "../placement";
import type { NodeView } from "../scheduling";

/** Nodes as `GET /api/v1/nodes` returns them on `npm run cluster:up`'s three-node cluster. */
const node = (name: string, zone?: string): NodeView => ({
  metadata: {
    name,
    labels: { "kubernetes.io/hostname": name, ...(zone ? { "topology.kubernetes.io/zone": zone } : {}) },
  },
  status: { conditions: [{ type: "Ready", status: "True" }] },
});
const nodes = [
  node("mpk8s-1", "zone-a"),
  node("mpk8s-2", "zone-b"),
  node("mpk8s-3", "zone-c"),
  node("mpk8s-4", "zone-a"),
];

/** A broker pod as the API returns it once scheduled (spec.nodeName set by the scheduler's binding). */
const pod = (name: string, nodeName?: string): PodView => ({
  metadata: { name, namespace: "kafka" },
  spec: nodeName ? { nodeName } : {},
  status: { conditions: [{ type: "PodScheduled", status: nodeName ? "True" : "False" }] },
});

describe("the placement line: each broker pod → node (zone), and whether one per node and one per zone holds", () => {
  it("three brokers on three nodes in three zones, in ordinal order", () => {
    const [p] = describePlacement(
      [
        {
          system: "kafka-broker",
          pods: [pod("kafka-broker-2", "mpk8s-3"), pod("kafka-broker-0", "mpk8s-1"), pod("kafka-broker-1", "mpk8s-2")],
        },
      ],
      nodes,
    );
    expect(p).toEqual({
      system: "kafka-broker",
      line:
        "kafka-broker: kafka-broker-0 mpk8s-1 (zone-a) · kafka-broker-1 mpk8s-2 (zone-b) · kafka-broker-2 mpk8s-3 " +
        "(zone-c); one per node, one per zone",
      shared: [],
    });
  });

  it("two brokers of one system on one node are flagged", () => {
    const [p] = describePlacement(
      [
        {
          system: "rabbitmq",
          pods: [pod("rabbitmq-0", "mpk8s-1"), pod("rabbitmq-1", "mpk8s-1"), pod("rabbitmq-2", "mpk8s-2")],
        },
      ],
      nodes,
    );
    expect(p?.shared).toEqual([
      "rabbitmq-0 and rabbitmq-1 share node mpk8s-1",
      "rabbitmq-0 and rabbitmq-1 share zone zone-a",
    ]);
    expect(p?.line).toMatch(
      /; rabbitmq-0 and rabbitmq-1 share node mpk8s-1; rabbitmq-0 and rabbitmq-1 share zone zone-a$/,
    );
  });

  it("two nodes of one zone: one per node holds, one per zone does not", () => {
    const [p] = describePlacement(
      [{ system: "kafka-broker", pods: [pod("kafka-broker-0", "mpk8s-1"), pod("kafka-broker-1", "mpk8s-4")] }],
      nodes,
    );
    expect(p?.shared).toEqual(["kafka-broker-0 and kafka-broker-1 share zone zone-a"]);
  });

  it("brokers of different systems may share a node", () => {
    const r = describePlacement(
      [
        { system: "kafka-broker", pods: [pod("kafka-broker-0", "mpk8s-1")] },
        { system: "rabbitmq", pods: [pod("rabbitmq-0", "mpk8s-1")] },
      ],
      nodes,
    );
    expect(r.map((x) => x.shared)).toEqual([[], []]);
  });

  it("a pod on no node (Pending) is flagged, and nodes without a zone label are said so", () => {
    const [p] = describePlacement(
      [{ system: "rabbitmq", pods: [pod("rabbitmq-0", "solo"), pod("rabbitmq-1")] }],
      [node("solo")],
    );
    expect(p?.line).toBe("rabbitmq: rabbitmq-0 solo · rabbitmq-1 on no node; rabbitmq-1 on no node");
    const [q] = describePlacement([{ system: "rabbitmq", pods: [pod("rabbitmq-0", "solo")] }], [node("solo")]);
    expect(q?.line).toBe("rabbitmq: rabbitmq-0 solo; one per node (nodes without a zone label)");
  });

  it("printed as one 'placement:' block, a line per system", () => {
    const r = describePlacement(
      [
        { system: "kafka-broker", pods: [pod("kafka-broker-0", "mpk8s-1")] },
        { system: "rabbitmq", pods: [pod("rabbitmq-0", "mpk8s-2")] },
      ],
      nodes,
    );
    expect(placementLines(r)).toEqual([
      "placement: kafka-broker: kafka-broker-0 mpk8s-1 (zone-a); one per node, one per zone",
      "           rabbitmq: rabbitmq-0 mpk8s-2 (zone-b); one per node, one per zone",
    ]);
  });
});
