// Which targets get whole-node faults (only this machine's cluster), and which nodes it has.
import { homedir } from "node:os";
import { clusterPaths } from "../../../cluster/paths";
import { clusterNodesFrom } from "../cluster-nodes";
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
