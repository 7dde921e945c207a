// Which targets get whole-node faults (only this machine's cluster), and which nodes it has.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { clusterPaths } from "../../../cluster/paths";
import { repoRoot } from "../../../toolchain/src/paths";
import { clusterNodesFrom, nodesMax, replacementNode } from "../cluster-nodes";
import { isThisMachinesCluster } from "../for-target";

test("the cluster's nodes, from its node namespaces only, in number order", () => {
  expect(clusterNodesFrom(["mpk8s-node-10", "cni-0764", "mpk8s-node-2", "mp-kafka-0", "mpk8s-node-1"])).toEqual([
    "cluster-node-1",
    "cluster-node-2",
    "cluster-node-10",
  ]);
  expect(clusterNodesFrom([])).toEqual([]);
});

test("this machine's cluster: its admin kubeconfig, as a stack names it (~/ expanded) or in full; nothing else", () => {
  const home = homedir();
  expect(isThisMachinesCluster(clusterPaths.kubeconfig)).toBe(true);
  const tilde = clusterPaths.kubeconfig.startsWith(home) ? `~${clusterPaths.kubeconfig.slice(home.length)}` : "";
  if (tilde) expect(isThisMachinesCluster(tilde, home)).toBe(true);
  expect(isThisMachinesCluster("~/.kube/config", home)).toBe(false);
  expect(isThisMachinesCluster(undefined)).toBe(false);
});

test("the node joining in place of a lost one: the lowest free number, never the lost one's, at most NODES_MAX", () => {
  const three = ["cluster-node-1", "cluster-node-2", "cluster-node-3"];
  expect(replacementNode(three, "cluster-node-2")).toBe("cluster-node-4");
  // After an earlier loss of node 2, node 4 stands in: losing node 3 now takes number 2 again.
  expect(replacementNode(["cluster-node-1", "cluster-node-3", "cluster-node-4"], "cluster-node-3")).toBe(
    "cluster-node-2",
  );
  expect(
    replacementNode(["cluster-node-1", "cluster-node-2", "cluster-node-4", "cluster-node-5"], "cluster-node-1"),
  ).toBe("cluster-node-3");
  expect(() =>
    replacementNode(["cluster-node-1", "cluster-node-2", "cluster-node-3", "cluster-node-5"], "cluster-node-4"),
  ).toThrow(
    "no node number is free for a node to join in place of cluster-node-4: cluster-node-1 to cluster-node-5 are taken or the removed one (NODES_MAX=5 in cluster/lib.sh; nodes: cluster-node-1, cluster-node-2, cluster-node-3, cluster-node-5)",
  );
});

test("NODES_MAX as cluster/lib.sh sets it", () => {
  const lib = readFileSync(join(repoRoot, "cluster/lib.sh"), "utf8");
  expect(/^NODES_MAX=(\d+)$/m.exec(lib)?.[1]).toBe(String(nodesMax));
});

test("cluster down leaves no trace of a node joined after up (its whole directory), and keeps up's own warm", () => {
  const dir = mkdtempSync(join(tmpdir(), "mp-cluster-down-test-"));
  try {
    for (const n of [1, 2, 3, 4, 5])
      mkdirSync(join(dir, "nodes", `cluster-node-${n}`, "containerd"), { recursive: true });
    const down = (size: string) =>
      execFileSync(
        "bash",
        ["-c", `source "${join(repoRoot, "cluster/cluster.sh")}"; remove_joined_nodes "$1"`, "test", size],
        { env: { ...process.env, MP_CLUSTER_DIR: dir }, encoding: "utf8" },
      );
    // No size recorded (an `up` that never got that far): nothing is judged joined.
    down("");
    expect(readdirSync(join(dir, "nodes")).sort()).toHaveLength(5);
    down("3");
    expect(readdirSync(join(dir, "nodes")).sort()).toEqual(["cluster-node-1", "cluster-node-2", "cluster-node-3"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
