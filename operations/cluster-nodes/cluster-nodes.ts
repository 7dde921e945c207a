// Whole-node faults on this machine's cluster (cluster/): a node is a network namespace and a cgroup, so it can be
// frozen and cut off as a hung machine is. The drills reach it through NodeControl (smoke-tests/faults/types.ts); the
// node actions themselves are cluster.sh's (`npm run cluster:node -- <action> <node>`), run here as that command runs.
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Landed, NodeControl } from "../../smoke-tests/faults/types";

/** Pure: this machine's cluster nodes, from the network namespaces present (`mpk8s-node-N` is `cluster-node-N`). */
export function clusterNodesFrom(netns: readonly string[]): string[] {
  return netns
    .map((n) => /^mpk8s-node-(\d+)$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .sort((a, b) => Number(a) - Number(b))
    .map((n) => `cluster-node-${n}`);
}

/** cluster/lib.sh's NODES_MAX: the highest node number the cluster has addresses, pod ranges and zones for. */
export const nodesMax = 5;

/**
 * Pure: the node that joins in place of `removed`: the lowest number from 1 to `max` neither present nor the removed
 * one's (its name would bring back a Node its pods' old claims still point at), as `cluster-node-N`.
 */
export function replacementNode(present: readonly string[], removed: string, max = nodesMax): string {
  const taken = new Set([...present, removed]);
  for (let n = 1; n <= max; n++) if (!taken.has(`cluster-node-${n}`)) return `cluster-node-${n}`;
  throw new Error(
    `no node number is free for a node to join in place of ${removed}: cluster-node-1 to cluster-node-${max} are taken or the removed one (NODES_MAX=${max} in cluster/lib.sh; nodes: ${present.join(", ")})`,
  );
}

/** How long each node action may take: a join builds and starts a whole node (110 s measured here), a remove waits for its processes. */
const actionTimeoutMs = { join: 600_000, remove: 180_000, other: 60_000 };

export class ClusterNodes implements NodeControl {
  constructor(private readonly repoRoot: string) {}

  private action(
    action: "freeze" | "thaw" | "cut" | "restore" | "stop" | "remove" | "join",
    node: string,
  ): Promise<void> {
    const argv = [join(this.repoRoot, "toolchain/run"), "exec", "bash", join(this.repoRoot, "cluster/cluster.sh")];
    const timeout = action === "join" || action === "remove" ? actionTimeoutMs[action] : actionTimeoutMs.other;
    return new Promise((resolve, reject) =>
      execFile("bash", [...argv, "node", action, node], { timeout }, (e, stdout, stderr) =>
        e
          ? reject(new Error(`cluster node ${action} ${node}: ${`${stderr}${stdout}`.trim() || e.message}`))
          : resolve(),
      ),
    );
  }

  async nodes(): Promise<string[]> {
    return clusterNodesFrom(existsSync("/run/netns") ? readdirSync("/run/netns") : []);
  }

  private async known(node: string): Promise<void> {
    const all = await this.nodes();
    if (!all.includes(node))
      throw new Error(`node ${node} is not in this machine's cluster (nodes: ${all.join(", ")})`);
  }

  async freeze(node: string): Promise<Landed> {
    await this.known(node);
    // Silent first, then frozen: a frozen node's kernel would still answer (handshakes, ACKs) if its link were up.
    await this.action("cut", node);
    await this.action("freeze", node);
    return { landedAt: Date.now() };
  }

  async thaw(node: string): Promise<void> {
    await this.known(node);
    await this.action("thaw", node);
    await this.action("restore", node);
  }

  async remove(node: string): Promise<Landed> {
    await this.known(node);
    // Landed when its every process is dead (its power pulled), not once its files are wiped: that takes seconds more.
    await this.action("stop", node);
    const landedAt = Date.now();
    await this.action("remove", node);
    return { landedAt };
  }

  async join(node: string): Promise<void> {
    const all = await this.nodes();
    if (all.includes(node))
      throw new Error(`node ${node} is already in this machine's cluster (nodes: ${all.join(", ")})`);
    await this.action("join", node);
  }

  async replacementFor(removed: string): Promise<string> {
    return replacementNode(await this.nodes(), removed);
  }
}
