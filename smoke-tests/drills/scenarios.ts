// Failover scenarios, each a nemesis that always pairs its fault with its heal (Jepsen's rule), named for what
// breaks. They only break and heal; the runner keeps the load going and the checker counts.

import type { SystemName } from "../../contract/systems";
import type { FaultInjector } from "../faults/types";
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
  /** Polls a condition until it holds or the timeout passes; returns whether it held. */
  waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean>;
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

/**
 * Kill a node and keep it down until the cluster has noticed (a new leader or controller: the new identity, as in
 * Strimzi's recovery tests) and writes flow again, at most faultMs; then bring it back and wait for health.
 */
async function killAndRestore(
  ctx: NemesisContext,
  node: string,
  why: string,
  noticed: () => Promise<boolean>,
): Promise<void> {
  ctx.mark("fault", `kill ${node} (${why})`);
  await ctx.faults.kill(node);
  const deadline = Date.now() + ctx.settings.faultMs;
  const cameBack = await ctx.waitUntil(noticed, ctx.settings.faultMs);
  ctx.mark(
    "note",
    cameBack ? `${why} moved away from ${node}` : `${why} still on ${node} after ${ctx.settings.faultMs / 1000} s`,
  );
  await ctx.waitForAckAfter(Date.now(), Math.max(0, deadline - Date.now()));
  await ctx.faults.restore(node);
  ctx.mark("heal", `restart ${node}`);
  await ctx.waitHealthy(ctx.settings.healthTimeoutMs);
}

/**
 * Kill the node `current` names (the leader, the active controller) and consider the fault noticed once `current`
 * names another node (errors while it elects count as "not yet").
 */
async function killCurrent(ctx: NemesisContext, why: string, current: () => Promise<string>): Promise<void> {
  const node = await current();
  await killAndRestore(ctx, node, why, async () => (await current().catch(() => node)) !== node);
}

const killLeader: Scenario = {
  name: "kill-leader",
  summary: "hard-kill the leader of the smoke partition or queue under load; no acknowledged message may be lost",
  systems: ["kafka", "rabbitmq"],
  async nemesis(ctx) {
    await killCurrent(ctx, "leader", () => ctx.harness.leader());
  },
};

const killController: Scenario = {
  name: "kill-controller",
  summary: "hard-kill the active KRaft controller under load; the quorum elects another and nothing is lost",
  systems: ["kafka"],
  async nemesis(ctx) {
    await killCurrent(ctx, "active controller", () => ctx.faults.activeKafkaController());
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
    // Noticed once the health probe sees the node gone (it may lead nothing).
    await killAndRestore(ctx, node, "random node", async () => !(await ctx.harness.health()).healthy);
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
      await killCurrent(ctx, `leader, round ${round}`, () => ctx.harness.leader());
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
