// Failover scenarios, each a nemesis that always pairs its fault with its heal (Jepsen's rule), named for what
// breaks. They only break and heal; the runner keeps the load going and the checker counts.
import type { FaultInjector } from "../faults/types";
import type { SystemName } from "../reports/run-report";
import type { SystemHarness } from "./harness";

export interface NemesisContext {
  harness: SystemHarness;
  faults: FaultInjector;
  /** Records a fault/heal/phase/note on the timeline (and the live progress line). */
  mark(kind: "fault" | "heal" | "phase" | "note", label: string): void;
  /** Waits until the health probe reports healthy, or fails naming the timeout. */
  waitHealthy(timeoutMs: number): Promise<void>;
  /** Waits until a publish is acknowledged after `since`, or until the timeout (then returns false). */
  waitForAckAfter(since: number, timeoutMs: number): Promise<boolean>;
  sleep(ms: number): Promise<void>;
  settings: DrillSettings;
}

export interface DrillSettings {
  /** Load before the first fault, so the baseline is known. */
  steadyMs: number;
  /** How long a partition or pause is held, and the longest a killed node stays down. */
  faultMs: number;
  /** Load after the last heal, before the drain. */
  afterMs: number;
  /** Rounds for repeated-kills. */
  rounds: number;
  /** Longest wait for the cluster to be healthy again after a heal. */
  healthTimeoutMs: number;
}

export interface Scenario {
  name: string;
  summary: string;
  systems: SystemName[];
  nemesis(ctx: NemesisContext): Promise<void>;
}

/** Kill a node, keep it down until writes flow again (or faultMs), bring it back, wait for health. */
async function killAndRestore(ctx: NemesisContext, node: string, why: string): Promise<void> {
  const at = Date.now();
  ctx.mark("fault", `kill ${node} (${why})`);
  await ctx.faults.kill(node);
  await ctx.waitForAckAfter(at, ctx.settings.faultMs);
  await ctx.faults.restore(node);
  ctx.mark("heal", `restart ${node}`);
  await ctx.waitHealthy(ctx.settings.healthTimeoutMs);
}

const killLeader: Scenario = {
  name: "kill-leader",
  summary: "hard-kill the leader of the smoke partition or queue under load; no acknowledged message may be lost",
  systems: ["kafka", "rabbitmq"],
  async nemesis(ctx) {
    await killAndRestore(ctx, await ctx.harness.leader(), "leader");
  },
};

const killController: Scenario = {
  name: "kill-controller",
  summary: "hard-kill the active KRaft controller under load; the quorum elects another and nothing is lost",
  systems: ["kafka"],
  async nemesis(ctx) {
    await killAndRestore(ctx, await ctx.faults.activeKafkaController(), "active controller");
  },
};

const killRandom: Scenario = {
  name: "kill-random",
  summary: "hard-kill one node chosen at random under load",
  systems: ["kafka", "rabbitmq"],
  async nemesis(ctx) {
    const nodes = ctx.harness.nodes();
    const node = nodes[Math.floor(Math.random() * nodes.length)];
    if (!node) throw new Error("the target lists no nodes");
    await killAndRestore(ctx, node, "random");
  },
};

const isolateNode: Scenario = {
  name: "isolate-node",
  summary: "partition the leader away from its peers and clients, hold it, heal; no acknowledged message may be lost",
  systems: ["kafka", "rabbitmq"],
  async nemesis(ctx) {
    const node = await ctx.harness.leader();
    ctx.mark("fault", `isolate ${node} (leader)`);
    await ctx.faults.isolate(node);
    await ctx.sleep(ctx.settings.faultMs);
    await ctx.faults.heal(node);
    ctx.mark("heal", `heal ${node}`);
    await ctx.waitHealthy(ctx.settings.healthTimeoutMs);
  },
};

const rollingRestart: Scenario = {
  name: "rolling-restart",
  summary: "restart every node gracefully, one at a time, each only once the cluster is healthy, under load",
  systems: ["kafka", "rabbitmq"],
  async nemesis(ctx) {
    await ctx.faults.rollingRestart(
      ctx.harness.system,
      () => ctx.waitHealthy(ctx.settings.healthTimeoutMs),
      (node) => ctx.mark("fault", `restart ${node}`),
    );
    ctx.mark("heal", "rolling restart done");
  },
};

const repeatedKills: Scenario = {
  name: "repeated-kills",
  summary: "kill the current leader again and again (N rounds), each after the cluster has healed",
  systems: ["kafka", "rabbitmq"],
  async nemesis(ctx) {
    for (let round = 1; round <= ctx.settings.rounds; round++) {
      ctx.mark("phase", `round ${round}/${ctx.settings.rounds}`);
      await killAndRestore(ctx, await ctx.harness.leader(), `leader, round ${round}`);
      await ctx.sleep(ctx.settings.steadyMs);
    }
  },
};

export const scenarios: Record<string, Scenario> = Object.fromEntries(
  [killLeader, killController, killRandom, isolateNode, rollingRestart, repeatedKills].map((s) => [s.name, s]),
);

export function scenarioNamed(name: string): Scenario {
  const s = scenarios[name];
  if (!s) throw new Error(`unknown scenario "${name}"; known: ${Object.keys(scenarios).join(", ")}`);
  return s;
}
