// Failover scenarios, each a nemesis that always pairs its fault with its heal (Jepsen's rule), named for what
// breaks. They only break and heal; the runner keeps the load going and the checker counts.

import type { SystemName } from "../../contract/systems";
import type { KillRecord } from "../faults/kill-mode";
import type { FullServiceRecord } from "../faults/restart-all";
import type {
  FaultInjector,
  KillEvidence,
  KillMode,
  NodeControl,
  RollObservation,
  StackChanger,
} from "../faults/types";
import type { SystemHarness } from "./harness";
import type { NemesisContext, Scenario } from "./nemesis";
import { nodeDrain } from "./node-drain";
import { nodeLost } from "./node-lost";
import { type RedundancySeen, redundancyProblem, redundancySamples, watchRedundancy } from "./redundancy";
import { restartAll } from "./restart-all";

/** Kills `node` in the drill's kill mode and records the kill for the report under the fault's `label`. */
async function killNode(ctx: NemesisContext, node: string, label: string): Promise<KillEvidence> {
  const killed = await ctx.faults.kill(node, ctx.killMode);
  ctx.killed({ fault: label, node, mode: ctx.killMode, landedAt: killed.landedAt });
  return killed;
}

/** Brings a killed node back (a held-down one is let go: the report says when), then marks the heal. */
async function restoreNode(ctx: NemesisContext, node: string): Promise<void> {
  const { releasedAt } = await ctx.faults.restore(node);
  if (releasedAt === undefined) {
    ctx.mark("heal", `restart ${node}`);
    return;
  }
  // Healed when it was let go, not once Ready again: its broker was starting from that moment.
  ctx.released(node, releasedAt);
  ctx.mark("heal", `let ${node} go`, releasedAt);
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
  seenGoneToo = false,
): Promise<void> {
  const label = `kill ${node} (${why})`;
  ctx.mark("fault", label);
  const killed = await killNode(ctx, node, label);
  ctx.landed(killed.landedAt);
  ctx.mark("note", killed.detail);
  const deadline = Date.now() + ctx.settings.faultMs;
  // With seenGoneToo, noticed only once the cluster's own metadata also showed the node gone (Kafka: fenced or out of
  // the ISR; RabbitMQ: down for its peers): a leader moves without any kill too (Kafka's preferred-leader rebalance
  // after a broker came back; seen 2026-12-07, when the e2e's decoy kill passed "took effect" that way).
  let gone: string | undefined = seenGoneToo ? undefined : "";
  const cameBack = await ctx.waitUntil(async () => {
    if (gone === undefined) {
      const h = await ctx.harness.health().catch(() => undefined);
      if (h && !h.healthy) gone = h.detail;
    }
    return gone !== undefined && (await noticed());
  }, ctx.settings.faultMs);
  const seen = cameBack
    ? `${why} moved away from ${node}${gone ? `, seen gone by the cluster (${gone})` : ""}`
    : gone === undefined
      ? `${node} never seen gone by the cluster in ${ctx.settings.faultMs / 1000} s`
      : `${why} still on ${node} after ${ctx.settings.faultMs / 1000} s`;
  ctx.mark("note", seen);
  ctx.effect(
    cameBack && killed.bySigkill,
    killed.bySigkill ? `killed ${node}: ${seen} (${killed.detail})` : `${node} was not killed: ${killed.detail}`,
  );
  await ctx.waitForAckAfter(Date.now(), Math.max(0, deadline - Date.now()));
  await ctx.holdForPlatform();
  await restoreNode(ctx, node);
  await ctx.waitHealthy(ctx.settings.healthTimeoutMs);
}

/**
 * Kill the node `current` names (the leader, the active controller) and consider the fault noticed once `current`
 * names another node (errors while it elects count as "not yet").
 */
async function killCurrent(
  ctx: NemesisContext,
  why: string,
  current: () => Promise<string>,
  seenGoneToo = false,
): Promise<void> {
  const node = await current();
  await killAndRestore(ctx, node, why, async () => (await current().catch(() => node)) !== node, seenGoneToo);
}

const killLeader: Scenario = {
  name: "kill-leader",
  summary: "hard-kill the leader of the smoke partition or queue under load; no acknowledged message may be lost",
  systems: ["kafka", "rabbitmq"],
  async nemesis(ctx) {
    // A leader moves without a kill too (a preferred-leader rebalance): the killed one must be seen gone as well.
    await killCurrent(ctx, "leader", () => ctx.harness.leader(), true);
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

/**
 * Until the health probe, reading the cluster's own metadata, finds it unhealthy (at most faultMs): whether it did,
 * and what it said last.
 */
async function seenUnhealthy(ctx: NemesisContext): Promise<{ seen: boolean; why: string }> {
  let why = "";
  const seen = await ctx.waitUntil(async () => {
    const h = await ctx.harness.health();
    why = h.detail;
    return !h.healthy;
  }, ctx.settings.faultMs);
  return { seen, why };
}

const isolateNode: Scenario = {
  name: "isolate-node",
  summary: "partition the leader away from its peers and clients, hold it, heal; no acknowledged message may be lost",
  systems: ["kafka", "rabbitmq"],
  async nemesis(ctx) {
    const node = await ctx.harness.leader();
    ctx.mark("fault", `isolate ${node} (leader)`);
    const started = Date.now();
    ctx.landed((await ctx.faults.isolate(node)).landedAt);
    // Taken effect once the cluster itself sees the node gone (Kafka: out of the ISR or fenced; RabbitMQ: down for
    // its peers), as the health probe reads it from the cluster's own metadata.
    const { seen, why } = await seenUnhealthy(ctx);
    // Both directions: the cluster's view shows the node's own traffic cut; a peer's probe shows nothing gets in.
    const queue = ctx.harness.system === "rabbitmq" ? ctx.harness.destination : undefined;
    const inbound = await ctx.faults.confirmIsolated?.(node, queue);
    ctx.effect(
      seen && (inbound?.isolated ?? true),
      !seen
        ? `isolated ${node}, but the cluster still looked healthy after ${ctx.settings.faultMs / 1000} s`
        : inbound && !inbound.isolated
          ? `isolated ${node} and the cluster saw it (${why}), but its peers still reach it: ${inbound.detail}`
          : `isolated ${node}; the cluster saw it: ${why}${inbound ? `; nothing gets in: ${inbound.detail}` : ""}`,
    );
    await ctx.sleep(Math.max(0, ctx.settings.faultMs - (Date.now() - started)));
    await ctx.holdForPlatform();
    await ctx.faults.heal(node);
    ctx.mark("heal", `heal ${node}`);
    await ctx.waitHealthy(ctx.settings.healthTimeoutMs);
  },
};

/** Kubernetes 1.34's node-monitor grace period: a node silent this long is marked NotReady (since 1.32; was 40 s). */
export const nodeMonitorGraceMs = 50_000;

/** Pure: a node-freeze's hold, or why it is refused (too short for the control plane to notice). */
export function nodeFreezeProblem(faultMs: number): string | undefined {
  return faultMs <= nodeMonitorGraceMs
    ? `--fault-seconds ${faultMs / 1000}: a node freeze must outlast the node-monitor grace period (${nodeMonitorGraceMs / 1000} s) so the control plane marks the node NotReady; the default is 90 s`
    : undefined;
}

const nodeFreeze: Scenario = {
  name: "node-freeze",
  summary:
    "freeze every process of the leader's node and drop its traffic silently, past the node-monitor grace period, then thaw; no acknowledged message may be lost",
  defaultFaultSeconds: 90,
  systems: ["kafka", "rabbitmq"],
  async nemesis(ctx) {
    const { nodes, faults } = ctx;
    if (!nodes || !faults.nodeOf || !faults.nodeReady) {
      throw new Error(
        "node-freeze needs this machine's Kubernetes cluster (npm run cluster:up, --target stack:cluster): a node is frozen through its cgroup and network namespace",
      );
    }
    const tooShort = nodeFreezeProblem(ctx.settings.faultMs);
    if (tooShort) throw new Error(tooShort);
    const nodeReady = faults.nodeReady.bind(faults);
    const pod = await ctx.harness.leader();
    const node = await faults.nodeOf(pod);
    const all = await nodes.nodes();
    if (all.length < 3) {
      throw new Error(
        `node-freeze on ${all.length} node(s) (${all.join(", ")}): freezing one must leave a majority of nodes, and of brokers, running; it needs 3 nodes or more`,
      );
    }
    ctx.mark("fault", `freeze ${node} (runs ${pod}, the leader)`);
    const started = Date.now();
    const landedAt = (await nodes.freeze(node)).landedAt;
    ctx.landed(landedAt);
    // Taken effect once the control plane marks the node NotReady and the brokers see theirs gone.
    const { seen, why } = await seenUnhealthy(ctx);
    let ready = "True";
    const marked = await ctx.waitUntil(async () => {
      ready = await nodeReady(node).catch(() => "True");
      return ready !== "True";
    }, ctx.settings.faultMs);
    if (marked)
      ctx.mark("note", `${node} Ready=${ready} ${((Date.now() - landedAt) / 1000).toFixed(0)} s after the freeze`);
    ctx.effect(
      seen && marked,
      !marked
        ? `froze ${node}, but the control plane still had it Ready after ${ctx.settings.faultMs / 1000} s`
        : !seen
          ? `froze ${node} (Ready=${ready}), but the cluster still looked healthy`
          : `froze ${node}: the control plane marked it Ready=${ready}; the cluster saw it: ${why}`,
    );
    await ctx.sleep(Math.max(0, ctx.settings.faultMs - (Date.now() - started)));
    await ctx.holdForPlatform();
    await nodes.thaw(node);
    ctx.mark("heal", `thaw ${node}`);
    const thawed = Date.now();
    const back = await ctx.waitUntil(
      async () => (await nodeReady(node).catch(() => "")) === "True",
      ctx.settings.healthTimeoutMs,
    );
    if (!back) throw new Error(`${node} was not Ready ${ctx.settings.healthTimeoutMs / 1000} s after the thaw`);
    ctx.mark("note", `${node} Ready again ${((Date.now() - thawed) / 1000).toFixed(0)} s after the thaw`);
    await ctx.waitHealthy(ctx.settings.healthTimeoutMs);
  },
};

/**
 * Cut the leader off from its followers (it still reaches clients), hold it, then hard-kill it and heal the followers:
 * whatever the leader acknowledged alone is then gone, because the new leader is a follower that never got it. With
 * acks=all and min.insync.replicas 2 (or a quorum queue) the lone leader acknowledges nothing, so nothing is lost; with
 * acks=1 the checker must count exactly those writes as lost. The fault must take effect: the leader has to move.
 */
const killLoneLeader: Scenario = {
  name: "kill-lone-leader",
  summary: "isolate the leader's followers, hold, kill the leader, heal; only what it acknowledged alone can be lost",
  systems: ["kafka", "rabbitmq"],
  async nemesis(ctx) {
    const leader = await ctx.harness.leader();
    const followers = await ctx.harness.followers();
    if (followers.length === 0) throw new Error(`${leader} has no followers to cut off`);
    // One fault, in two steps: recovery is measured from the moment the leader is left alone (the last cut landed).
    ctx.mark("fault", `cut ${leader} off from its followers (${followers.join(", ")}), then kill it`);
    let alone = Date.now();
    for (const f of followers) alone = (await ctx.faults.isolate(f)).landedAt;
    ctx.landed(alone);
    await ctx.sleep(Math.min(ctx.settings.faultMs, 4_000));
    const label = `kill ${leader} (leader, alone)`;
    ctx.mark("note", label);
    const killed = await killNode(ctx, leader, label);
    ctx.mark("note", killed.detail);
    for (const f of followers) {
      await ctx.faults.heal(f);
      ctx.mark("heal", `heal ${f}`);
    }
    const moved = await ctx.waitUntil(
      async () => (await ctx.harness.leader().catch(() => leader)) !== leader,
      ctx.settings.healthTimeoutMs,
    );
    ctx.effect(
      moved && killed.bySigkill,
      !killed.bySigkill
        ? `${leader} was not killed: ${killed.detail}`
        : moved
          ? `cut ${followers.join(", ")} off from ${leader}, killed it; the leader moved`
          : `the leader is still ${leader} ${ctx.settings.healthTimeoutMs / 1000} s after its kill`,
    );
    if (moved) ctx.mark("note", `leader moved away from ${leader}`);
    await restoreNode(ctx, leader);
    await ctx.waitHealthy(ctx.settings.healthTimeoutMs);
  },
};

const rollingRestart: Scenario = {
  name: "rolling-restart",
  summary: "restart every node gracefully, one at a time, each only once the cluster is healthy, under load",
  systems: ["kafka", "rabbitmq"],
  async nemesis(ctx) {
    const restarted: string[] = [];
    let restartedAt = 0;
    await ctx.faults.rollingRestart(
      ctx.harness.system,
      async () => {
        await ctx.waitHealthy(ctx.settings.healthTimeoutMs);
        // The next restart also waits for the clients to write again: a node the probe calls healthy before the
        // publishers have reconnected would run this restart's stall into the next one's window (seen under a loaded
        // npm test: RabbitMQ "no acknowledged write in the last 8.28 s" before the next restart). Times out into the
        // verdict, which then reports the stall.
        await ctx.waitForAckAfter(restartedAt, ctx.settings.healthTimeoutMs);
      },
      (node) => {
        restarted.push(node);
        restartedAt = Date.now();
        ctx.mark("fault", `restart ${node}`);
      },
    );
    ctx.mark("heal", "rolling restart done");
    const all = ctx.harness.nodes();
    ctx.effect(
      all.every((n) => restarted.includes(n)),
      `restarted ${restarted.length} of ${all.length} nodes (${restarted.join(", ")}), each after the cluster was healthy`,
    );
  },
};

/** Pure: whether a roll was one a user may run under load, and the sentence the report shows. */
export function judgeRoll(roll: RollObservation, redundancy: RedundancySeen): { ok: boolean; detail: string } {
  const allReplaced = roll.pods.length > 0 && roll.replaced.length === roll.pods.length;
  const oneAtATime = roll.mostDownAtOnce <= 1;
  const low = redundancy.lowest;
  const notKept = redundancyProblem(redundancy);
  const problems = [
    ...(allReplaced ? [] : [`replaced ${roll.replaced.length} of ${roll.pods.length} pods (${roll.pods.join(", ")})`]),
    ...(oneAtATime ? [] : [`${roll.mostDownAtOnce} pods of one StatefulSet were down at once`]),
    ...(notKept ? [notKept] : []),
  ];
  const seen = redundancySamples(redundancy);
  if (problems.length > 0) return { ok: false, detail: `${problems.join("; ")} (${seen})` };
  return {
    ok: true,
    detail:
      `rolled ${roll.order.join(" → ")}, at most ${roll.mostDownAtOnce} pod down at once; ` +
      `lowest ${low?.detail}, needs ${low?.needed} (${seen})`,
  };
}

const rollingUpdate: Scenario = {
  name: "rolling-update",
  summary:
    "change a broker setting in stack config and `pulumi up` under load, then change it back: the StatefulSet rolls one pod at a time, never below min ISR or a quorum, nothing lost",
  systems: ["kafka", "rabbitmq"],
  besideTheGate: true,
  async nemesis(ctx) {
    const { stack, faults, harness } = ctx;
    if (!stack)
      throw new Error(
        "rolling-update changes stack config and runs `pulumi up`: select the target as a stack (MP_TARGET=stack:<name>)",
      );
    if (!faults.watchRoll)
      throw new Error(`rolling-update needs pods a StatefulSet replaces (Kubernetes), not a ${faults.kind} target`);
    const change = stack.plan(harness.system);
    const steps: Array<{ label: string; up: () => Promise<string> }> = [
      { label: `pulumi up: ${change.key} ${change.from} → ${change.to}`, up: () => stack.change(change) },
      {
        label: `pulumi up from Pulumi.${stack.stack}.yaml: ${change.key} back to ${change.from}`,
        up: () => stack.restore(),
      },
    ];
    // A failed step does not stop the next: after a failed change the stack's own config is deployed again anyway.
    const errors: string[] = [];
    for (const step of steps) {
      const roll = faults.watchRoll(harness.system);
      const redundancy = watchRedundancy(harness);
      ctx.mark("fault", step.label);
      const result = await step.up().then(
        (summary) => ({ summary, error: undefined }),
        (error: Error) => ({ summary: "", error }),
      );
      // The roll may outlast `up` (the provider's StatefulSet await can report done early): stop() waits for it.
      const observed = await roll.stop().catch((e: Error) => {
        errors.push(`${step.label}: ${e.message}`);
        return undefined;
      });
      const kept = await redundancy.stop();
      ctx.mark("heal", `${step.label}: ${result.error ? "failed" : result.summary}`);
      if (result.error) errors.push(`${step.label}: ${result.error.message}`);
      if (observed) {
        const judged = judgeRoll(observed, kept);
        ctx.effect(judged.ok, `${step.label}: ${judged.detail}`);
      }
      await ctx.waitHealthy(ctx.settings.healthTimeoutMs);
    }
    if (errors.length > 0) throw new Error(errors.join("\n"));
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
  [
    killLeader,
    killController,
    killRandom,
    isolateNode,
    nodeFreeze,
    nodeDrain,
    killLoneLeader,
    rollingRestart,
    rollingUpdate,
    repeatedKills,
    restartAll,
    nodeLost,
  ].map((s) => [s.name, s]),
);

export function scenarioNamed(name: string): Scenario {
  const s = scenarios[name];
  if (!s) throw new Error(`unknown scenario "${name}"; known: ${Object.keys(scenarios).join(", ")}`);
  return s;
}
