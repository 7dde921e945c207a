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

export class ClusterNodes implements NodeControl {
  constructor(private readonly repoRoot: string) {}

  private action(action: "freeze" | "thaw" | "cut" | "restore", node: string): Promise<void> {
    const argv = [join(this.repoRoot, "toolchain/run"), "exec", "bash", join(this.repoRoot, "cluster/cluster.sh")];
    return new Promise((resolve, reject) =>
      execFile("bash", [...argv, "node", action, node], { timeout: 60_000 }, (e, stdout, stderr) =>
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
}
