// Where the cluster lives, for TypeScript code: the same layout as cluster/lib.sh.
import { homedir } from "node:os";
import { join } from "node:path";
import { cacheDir, version } from "../toolchain/src/paths";

const cacheRoot =
  process.env.MESSAGING_PLATFORM_CACHE ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "messaging-platform");

export const clusterDir = process.env.MP_CLUSTER_DIR ?? join(cacheRoot, "cluster");
export const clusterPaths = {
  dir: clusterDir,
  images: join(clusterDir, "images"),
  kubeconfig: join(clusterDir, "admin.kubeconfig"),
  kubectl: join(cacheDir, `kubernetes-${version("KUBERNETES_VERSION")}`, "bin", "kubectl"),
  /** The number of nodes the running cluster was started with (`cluster up --nodes N`). */
  size: "/run/mp-cluster/size",
  /** Node `name`'s containerd (every node has its own, cluster/nodes.sh). */
  containerdSocket: (node: string) => `/run/mp-cluster/${node}/containerd.sock`,
} as const;
