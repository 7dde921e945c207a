// The drills' window onto whole nodes: for a target whose Kubernetes is this machine's cluster (its admin kubeconfig),
// the node faults of cluster/; for any other target, none (the node drills then refuse, saying why).
import { homedir } from "node:os";
import { resolve } from "node:path";
import { clusterPaths } from "../../cluster/paths";
import type { NodeControl } from "../../smoke-tests/faults/types";
import { loadSelectedTarget } from "../../smoke-tests/target-select/load";
import { repoRoot } from "../../toolchain/src/paths";
import { ClusterNodes } from "./cluster-nodes";

/** Pure: whether a kubeconfig path (as a stack names it, `~/` allowed) is this machine's cluster's. */
export function isThisMachinesCluster(kubeconfig: string | undefined, home = homedir()): boolean {
  if (!kubeconfig) return false;
  return resolve(kubeconfig.replace(/^~(?=\/)/, home)) === resolve(clusterPaths.kubeconfig);
}

export function nodeControlFor(selector: string): NodeControl | undefined {
  let placement: ReturnType<typeof loadSelectedTarget>["placement"];
  try {
    placement = loadSelectedTarget(["--target", selector]).placement;
  } catch {
    // The drill itself reads the target next and says what is wrong with it.
    return undefined;
  }
  return placement.kind === "kubernetes" && isThisMachinesCluster(placement.kubeconfig)
    ? new ClusterNodes(repoRoot)
    : undefined;
}
