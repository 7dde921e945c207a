// Faults on the embedded default (embedded/): processes in per-node network namespaces. kill = SIGKILL, held down
// (nothing restarts a killed node but restore, which starts the same node on its data: killModesOf), isolate = drop
// every packet in the node's namespace, rolling restart = graceful stop and start one node at a time. The embedded
// environment owns the mechanics; this adapts it to FaultInjector.
import { allNodes, loadEnvironment } from "../../embedded/environment";
import { activeController, fault } from "../../embedded/faults";
import { killModeFor } from "./kill-mode";
import type { FaultInjector, KillEvidence, KillMode, Landed, Released } from "./types";

export class EmbeddedFaults implements FaultInjector {
  readonly kind = "embedded" as const;
  private readonly env = loadEnvironment();
  private readonly isolated = new Set<string>();

  async kill(node: string, mode: KillMode): Promise<KillEvidence> {
    killModeFor(mode, this.kind);
    const started = Date.now();
    await fault("kill", node, this.env);
    // killNode returns only once no process is left in the node's namespace; none of them is our child, so their
    // exit status is not ours to read: the evidence is SIGKILL sent and every process gone, which is the landing.
    const landedAt = Date.now();
    return {
      bySigkill: true,
      detail: `SIGKILL to every process of ${node}; none left after ${landedAt - started} ms`,
      landedAt,
    };
  }

  async restore(node: string): Promise<Released> {
    // Down until now: the start is the release.
    const releasedAt = Date.now();
    await fault("start", node, this.env);
    return { releasedAt };
  }

  async isolate(node: string): Promise<Landed> {
    // Returns once the namespace's drop-everything rules are in: from then on no packet passes.
    await fault("isolate", node, this.env);
    this.isolated.add(node);
    return { landedAt: Date.now() };
  }

  async heal(node: string): Promise<void> {
    await fault("heal", node, this.env);
    this.isolated.delete(node);
  }

  async healAll(): Promise<void> {
    for (const node of allNodes(this.env)) {
      await fault("heal", node.name, this.env).catch(() => undefined);
      await fault("resume", node.name, this.env).catch(() => undefined);
    }
    this.isolated.clear();
  }

  async rollingRestart(
    system: "kafka" | "rabbitmq",
    waitHealthy: () => Promise<void>,
    onNode?: (node: string) => void,
  ): Promise<void> {
    const nodes = (system === "kafka" ? this.env.kafka.nodes : this.env.rabbitmq.nodes).map((n) => n.name).reverse();
    for (const node of nodes) {
      onNode?.(node);
      await fault("stop", node, this.env);
      await fault("start", node, this.env);
      await waitHealthy();
    }
  }

  async activeKafkaController(): Promise<string> {
    return (await activeController(this.env)).name;
  }
}
