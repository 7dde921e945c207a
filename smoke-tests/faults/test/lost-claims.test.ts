// The claims a lost node leaves, read from PersistentVolumes as this project's cluster makes them (cluster/nodes.sh
// node_volume_yaml: local volumes pinned by kubernetes.io/hostname In [node]).
import { claimsBoundToNode, emptyClaimLike, nodesPinning, type VolumeView } from "../lost-claims";

const pinned = (name: string, nodes: string[], claim?: [string, string, string]): VolumeView => ({
  name,
  nodeAffinity: {
    required: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: nodes }] }],
    },
  },
  ...(claim ? { claimRef: { namespace: claim[0], name: claim[1], uid: claim[2] } } : {}),
});

describe("the claims bound to a lost node's volumes", () => {
  const volumes: VolumeView[] = [
    pinned("cluster-node-2-pv-00", ["cluster-node-2"], ["kafka", "data-kafka-broker-1", "u1"]),
    pinned("cluster-node-2-pv-09", ["cluster-node-2"], ["smoke-gate", "smoke-gate-reports", "u2"]),
    pinned("cluster-node-2-pv-03", ["cluster-node-2"]),
    pinned("cluster-node-1-pv-00", ["cluster-node-1"], ["kafka", "data-kafka-broker-0", "u3"]),
    // Mountable on two nodes: it did not go with one of them.
    pinned("shared-pv", ["cluster-node-2", "cluster-node-3"], ["app", "shared", "u4"]),
    { name: "network-pv", claimRef: { namespace: "app", name: "nfs", uid: "u5" } },
  ];

  it("names every claim bound to a volume pinned to that node alone, with its uid and volume", () => {
    expect(claimsBoundToNode(volumes, "cluster-node-2")).toEqual([
      { namespace: "kafka", name: "data-kafka-broker-1", uid: "u1", volume: "cluster-node-2-pv-00" },
      { namespace: "smoke-gate", name: "smoke-gate-reports", uid: "u2", volume: "cluster-node-2-pv-09" },
    ]);
    expect(claimsBoundToNode(volumes, "cluster-node-4")).toEqual([]);
  });

  it("reads the node affinity only from kubernetes.io/hostname In", () => {
    expect(nodesPinning(volumes[4] as VolumeView)).toEqual(["cluster-node-2", "cluster-node-3"]);
    expect(nodesPinning(volumes[5] as VolumeView)).toEqual([]);
    const zone: VolumeView = {
      name: "z",
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: ["a"] }] },
          ],
        },
      },
    };
    expect(nodesPinning(zone)).toEqual([]);
  });
});

describe("the claim made again in place of a lost one", () => {
  const bound = {
    metadata: {
      name: "smoke-gate-reports",
      namespace: "smoke-gate",
      uid: "u2",
      labels: { "app.kubernetes.io/name": "smoke-gate" },
      annotations: {
        "pulumi.com/skipAwait": "true",
        "pv.kubernetes.io/bind-completed": "yes",
        "pv.kubernetes.io/bound-by-controller": "yes",
        "volume.kubernetes.io/selected-node": "cluster-node-2",
      },
    },
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "1Gi" } },
      storageClassName: "standard",
      volumeMode: "Filesystem",
      volumeName: "cluster-node-2-pv-09",
    },
  };

  it("keeps name, namespace, labels, its creator's annotations and request; names no volume and no node", () => {
    expect(emptyClaimLike(bound)).toEqual({
      metadata: {
        name: "smoke-gate-reports",
        namespace: "smoke-gate",
        labels: { "app.kubernetes.io/name": "smoke-gate" },
        annotations: { "pulumi.com/skipAwait": "true" },
      },
      spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "1Gi" } },
        storageClassName: "standard",
        volumeMode: "Filesystem",
      },
    });
  });

  it("refuses a claim without a name or namespace", () => {
    expect(() => emptyClaimLike({ metadata: { name: "x" } })).toThrow(
      /needs a name and namespace \(got undefined\/x\)/,
    );
  });
});
