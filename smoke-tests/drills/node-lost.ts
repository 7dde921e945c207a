// node-lost: a node and its disks gone for good, under load. The node running the leader (or --node) is removed (its
// processes killed, its Node object and volumes deleted, its directories wiped); RabbitMQ forgets its node on a
// survivor; a new, empty node joins; the lost pods' claims are released as an operator does, so they start on the new
// node with empty disks. Kafka must rebuild the broker from its peers (never leading a partition it has not caught up
// on) and take its controller back into the quorum under a new directory id; RabbitMQ must take the blank node into
// the existing cluster (even a blank seed, rabbitmq-0) and grow every quorum queue back to its members.

import type { SystemName } from "../../contract/systems";
import {
  type BrokerOnNode,
  chooseLoss,
  erlangNameOf,
  judgeLedAfterCaughtUp,
  judgeQuorumRejoin,
  judgeRabbitRejoin,
  type LossPlan,
  type PartitionView,
  partitionsNotInSync,
  type QuorumVoter,
  type RabbitClusterStatus,
} from "../faults/node-lost";
import { fullServiceText } from "../faults/restart-all";
import type { FaultInjector, NodeControl } from "../faults/types";
import { waitFullService } from "./full-service";
import type { SystemHarness } from "./harness";
import type { NemesisContext, Scenario } from "./nemesis";
import { type Sampling, sampleEverySecond } from "./sampler";

type LostFaults = FaultInjector &
  Required<
    Pick<
      FaultInjector,
      | "clusterNodes"
      | "nodeOf"
      | "podState"
      | "brokerPods"
      | "releaseClaims"
      | "claimsOnNode"
      | "recreateClaim"
      | "kafkaVoters"
      | "removeKafkaVoter"
      | "rabbitmqClusterStatus"
      | "forgetRabbitmqNode"
    >
  >;

/** Both systems: the node held a broker of each, whichever system the drill's load runs on. */
const everySystem: readonly SystemName[] = ["kafka", "rabbitmq"];

/**
 * How long a rebuilt controller may take to replace its stale voter itself (auto-join, KAFKA-19078) once its pod is
 * Ready, before the drill removes the old voter by hand as an operator would. On the cluster (2026-12-07) auto-join
 * had replaced it by the time the pod was Ready, in both runs.
 */
export const autoJoinGraceMs = 60_000;

/** The check names, in the order the report shows them. */
export const nodeLostChecks = {
  kafka: [
    "rejoined the quorum under a new directory id",
    "never led before it caught up",
    "every partition fully replicated and in sync",
  ],
  rabbitmq: ["forgotten and rejoined the existing cluster", "every quorum queue has all its members online"],
} as const;

function lostFaults(faults: FaultInjector): LostFaults {
  const f = faults;
  const needs = [
    f.clusterNodes,
    f.nodeOf,
    f.podState,
    f.brokerPods,
    f.releaseClaims,
    f.claimsOnNode,
    f.recreateClaim,
    f.kafkaVoters,
    f.removeKafkaVoter,
    f.rabbitmqClusterStatus,
    f.forgetRabbitmqNode,
  ];
  if (needs.some((m) => m === undefined)) {
    throw new Error(
      `node-lost removes a node, releases its pods' claims and rebuilds its brokers through the Kubernetes API: select this machine's cluster (MP_TARGET=stack:cluster); this one is ${faults.kind}`,
    );
  }
  return f as LostFaults;
}

function lostNodes(nodes: NodeControl | undefined): NodeControl {
  if (!nodes) {
    throw new Error(
      "node-lost removes a whole node and joins a new one: it needs this machine's Kubernetes cluster (npm run cluster:up, --target stack:cluster)",
    );
  }
  return nodes;
}

/** The node to lose now, its replacement and the broker pods it takes (see chooseLoss), or the refusal naming the rule. */
async function lossPlan(
  harness: SystemHarness,
  f: LostFaults,
  nodes: NodeControl,
  requested: string | undefined,
): Promise<LossPlan> {
  const all = await nodes.nodes();
  const brokers: BrokerOnNode[] = [];
  for (const system of everySystem) {
    for (const p of await f.brokerPods(system)) {
      const node = await f.nodeOf(p.name).catch(() => undefined);
      brokers.push({ system, pod: p.name, uid: p.uid, ready: p.ready, ...(node ? { node } : {}) });
    }
  }
  const leader = requested === undefined && all.length >= 3 ? await harness.leader() : undefined;
  const plan = chooseLoss({
    system: harness.system,
    nodes: all,
    ...(requested === undefined ? {} : { requested }),
    ...(leader === undefined ? {} : { leader }),
    brokers,
  });
  return { ...plan, replacement: await nodes.replacementFor(plan.victim) };
}

/** Until `condition` holds or `deadline` (epoch ms) passes; whether it held. */
function until(ctx: NemesisContext, deadline: number, condition: () => Promise<boolean>) {
  return ctx.waitUntil(condition, Math.max(0, deadline - Date.now()));
}

/** The lost pods of `system` not yet running anew and Ready, each with why. */
async function notBackOn(f: LostFaults, system: SystemName, lost: readonly BrokerOnNode[]): Promise<string[]> {
  const waiting: string[] = [];
  for (const p of lost.filter((l) => l.system === system)) {
    const s = await f.podState(p.pod).catch(() => undefined);
    if (!s) waiting.push(`${p.pod} (no pod)`);
    else if (s.uid === p.uid) waiting.push(`${p.pod} (the lost pod)`);
    else if (!s.ready) waiting.push(`${p.pod} (${s.phase ?? "no phase"}${s.node ? ` on ${s.node}` : ", unscheduled"})`);
  }
  return waiting;
}

/** The node is gone for the control plane (no Node object) and each lost pod is gone, replaced or not Ready. */
async function lossSeen(f: LostFaults, victim: string, lost: readonly BrokerOnNode[]) {
  const nodeGone = !(await f.clusterNodes()).includes(victim);
  const pods = await Promise.all(
    lost.map(async (p) => {
      const s = await f.podState(p.pod);
      const state = !s ? "gone" : s.uid !== p.uid ? "replaced" : s.ready ? "still Ready" : "not Ready";
      return `${p.pod} ${state}`;
    }),
  );
  return {
    seen: nodeGone && !pods.some((p) => p.endsWith("still Ready")),
    detail: `Node ${victim} ${nodeGone ? "deleted" : "still there"}; ${pods.join(", ")}`,
  };
}

/** RabbitMQ forgets each lost node on a survivor, retried while its peers still count it running. */
async function forgetLost(
  ctx: NemesisContext,
  f: LostFaults,
  survivor: string,
  before: RabbitClusterStatus,
  pods: readonly string[],
  deadline: number,
) {
  for (const pod of pods) {
    const node = erlangNameOf(pod, before.members);
    if (!node) throw new Error(`${pod} is no member of the RabbitMQ cluster before (${before.members.join(", ")})`);
    let last = { ok: false, out: "not tried" };
    const forgotten = await until(ctx, deadline, async () => {
      last = await f.forgetRabbitmqNode(survivor, node).catch((e: Error) => ({ ok: false, out: e.message }));
      if (!last.ok) await ctx.sleep(5_000);
      return last.ok;
    });
    ctx.mark("note", `forget_cluster_node ${node} on ${survivor}: ${last.out}`);
    if (!forgotten) throw new Error(`${survivor} could not forget ${node}: ${last.out}`);
  }
}

/**
 * The controller's return: auto-join replaces its stale voter; where the old voter is still there `autoJoinGraceMs`
 * after its pod is Ready, the drill removes it as an operator would (remove-controller), then waits for the new one.
 * Resolves with how it went, for the check's detail.
 */
async function rejoinQuorum(ctx: NemesisContext, f: LostFaults, old: QuorumVoter, deadline: number) {
  let voters: QuorumVoter[] | undefined;
  const rejoined = async () => {
    voters = await f.kafkaVoters().catch(() => voters);
    return judgeQuorumRejoin(old, voters).ok;
  };
  if (await until(ctx, Math.min(deadline, Date.now() + autoJoinGraceMs), rejoined)) return "auto-join replaced it";
  if (!voters?.some((v) => v.id === old.id && v.directoryId === old.directoryId)) {
    await until(ctx, deadline, rejoined);
    return "auto-join replaced it, late";
  }
  const out = await f.removeKafkaVoter(old);
  ctx.mark(
    "note",
    `the old voter ${old.id}/${old.directoryId} still a voter ${autoJoinGraceMs / 1000} s after its pod was Ready: removed as an operator does (${out.split("\n").slice(-1)[0]})`,
  );
  await until(ctx, deadline, rejoined);
  return "the drill removed the old voter (remove-controller), auto-join added the new one";
}

export const nodeLost: Scenario = {
  name: "node-lost",
  summary:
    "lose the leader's node with its disks for good under load, join a new empty node, release the lost pods' claims: the brokers rebuild from their peers (Kafka: new directory id in the quorum, never leading before caught up; RabbitMQ: the same cluster, every queue member back); nothing lost",
  // The longest each system may take from the landing back to full service: a node removed and joined and every
  // partition and queue copied to an empty disk. Measured 2026-12-07 on the cluster: 121–190 s; the bound leaves room
  // for a busier machine and larger logs.
  defaultFaultSeconds: 600,
  // Writes stall until the lost broker is fenced and leaves the ISR (or the queue elects a leader without it).
  // Measured 2026-12-07: Kafka 8.6 s and 17.8 s; RabbitMQ not disrupted when the queue's leader was elsewhere.
  defaultRecoveryBoundSeconds: 120,
  systems: ["kafka", "rabbitmq"],
  async preflight(harness, faults, run) {
    await lossPlan(harness, lostFaults(faults), lostNodes(run?.nodes), run?.settings.node);
  },
  async nemesis(ctx) {
    const f = lostFaults(ctx.faults);
    const nodes = lostNodes(ctx.nodes);
    const { victim, replacement, lost } = await lossPlan(ctx.harness, f, nodes, ctx.settings.node);
    const drilled = ctx.harness.system;
    const results = new Map<string, { passed: boolean; detail: string }>();
    const lostPods = lost.map((p) => p.pod);
    const lostOf = (system: SystemName) => lost.filter((p) => p.system === system).map((p) => p.pod);

    // Before: who the quorum's voters are (with directory ids), and RabbitMQ's members as a survivor sees them.
    const votersBefore = await f.kafkaVoters();
    const lostVoters = votersBefore.filter((v) => v.pod !== undefined && lostOf("kafka").includes(v.pod));
    const survivor = (await f.brokerPods("rabbitmq")).find((p) => p.ready && !lostPods.includes(p.name))?.name;
    if (!survivor) throw new Error(`no RabbitMQ pod off ${victim} is Ready to forget the lost node`);
    const rabbitBefore = await f.rabbitmqClusterStatus(survivor);
    ctx.mark(
      "note",
      `before: Kafka voters ${votersBefore.map((v) => `${v.id}/${v.directoryId ?? "-"}`).join(", ")}; RabbitMQ ${rabbitBefore.clusterName} members ${rabbitBefore.members.join(", ")}`,
    );

    let watch: Sampling<PartitionView[]> | undefined;
    let failure: string | undefined;
    try {
      ctx.mark("fault", `lose ${victim} with its disks (runs ${lostPods.join(", ")})`);
      const { landedAt } = await nodes.remove(victim);
      ctx.landed(landedAt);
      const deadline = landedAt + ctx.settings.faultMs;
      const everyPartition = ctx.harness.everyPartition?.bind(ctx.harness);
      // Every partition once a second from the landing, and once more at the end: the state the drill ended in.
      if (drilled === "kafka" && everyPartition)
        watch = sampleEverySecond(async () => (await everyPartition()).partitions, ctx.sleep, { lastOnStop: true });

      // Verified, not assumed: the control plane has no such Node, and no lost pod is still counted Ready.
      let loss = { seen: false, detail: "not looked at" };
      await ctx.waitUntil(async () => {
        loss = await lossSeen(f, victim, lost).catch((e: Error) => ({ seen: false, detail: e.message }));
        return loss.seen;
      }, ctx.settings.healthTimeoutMs);
      ctx.effect(loss.seen, `removed ${victim} with its disks: ${loss.detail}`);
      if (!loss.seen)
        throw new Error(
          `${victim} not seen lost ${ctx.settings.healthTimeoutMs / 1000} s after its removal: ${loss.detail}`,
        );

      await forgetLost(ctx, f, survivor, rabbitBefore, lostOf("rabbitmq"), deadline);
      await nodes.join(replacement);
      ctx.mark("note", `${replacement} joined, empty`);
      for (const pod of lostPods) ctx.mark("note", await f.releaseClaims(pod));
      // Not only the brokers' disks went: any other claim bound there (the gate's reports) would hold its next pod.
      for (const claim of await f.claimsOnNode(victim)) ctx.mark("note", await f.recreateClaim(claim));
      ctx.mark(
        "heal",
        `${replacement} joined; the claims of ${lostPods.join(", ")} and every other claim on ${victim} released`,
      );

      const records = await Promise.all(
        everySystem
          .filter((s) => lostOf(s).length > 0)
          .map((system) =>
            waitFullService(ctx, {
              system,
              pods: lostOf(system).length,
              waiting: () => notBackOn(f, system, lost),
              landedAt,
              deadline,
            }),
          ),
      );
      for (const r of records) {
        ctx.fullService(r);
        ctx.mark("note", fullServiceText(r), r.ms === undefined ? Date.now() : landedAt + r.ms);
      }
      for (const p of lost) {
        const s = await f.podState(p.pod).catch(() => undefined);
        ctx.mark("note", `${p.pod} runs anew on ${s?.node ?? "no node"}`);
      }
      // The drilled system not back ends the drill here; the other one's checks are not this run's, so its lateness
      // fails the drill only after the drilled system's checks (a blank RabbitMQ seed must not hide Kafka's verdict).
      const late = records.filter((r) => r.ms === undefined);
      if (late.some((r) => r.system === drilled)) throw new Error(late.map(fullServiceText).join("; "));

      // The quorum is restored whichever system is drilled (the node held a controller either way), once its pod is back.
      for (const old of late.some((r) => r.system === "kafka") ? [] : lostVoters) {
        const how = await rejoinQuorum(ctx, f, old, deadline);
        if (drilled === "kafka") {
          const j = judgeQuorumRejoin(old, await f.kafkaVoters().catch(() => undefined));
          results.set(nodeLostChecks.kafka[0], { passed: j.ok, detail: `${j.detail} (${how})` });
        }
      }
      if (drilled === "kafka" && lostVoters.length === 0)
        results.set(nodeLostChecks.kafka[0], { passed: false, detail: `no voter ran on ${victim}: nothing rejoined` });

      if (drilled === "kafka" && everyPartition) {
        let behind: string[] = ["not read"];
        let replicas = 0;
        await until(ctx, deadline, async () => {
          const now = await everyPartition().catch(() => undefined);
          if (now) ({ replicas } = now);
          behind = now ? partitionsNotInSync(now.partitions, now.replicas) : behind;
          return now !== undefined && behind.length === 0;
        });
        results.set(nodeLostChecks.kafka[2], {
          passed: behind.length === 0,
          detail:
            behind.length === 0
              ? `every partition has its ${replicas} replicas in sync`
              : `${behind.length} partition(s) not in sync: ${behind.slice(0, 5).join("; ")}`,
        });
      }

      if (drilled === "rabbitmq") {
        let judged = { ok: false, detail: "not looked at" };
        for (const pod of lostOf("rabbitmq")) {
          const node = erlangNameOf(pod, rabbitBefore.members) ?? pod;
          await until(ctx, deadline, async () => {
            const [s, r] = await Promise.all([
              f.rabbitmqClusterStatus(survivor).catch(() => undefined),
              f.rabbitmqClusterStatus(pod).catch(() => undefined),
            ]);
            judged = judgeRabbitRejoin(node, s, r);
            return judged.ok;
          });
        }
        results.set(nodeLostChecks.rabbitmq[0], { passed: judged.ok, detail: judged.detail });
        let queues = { healthy: false, detail: "not read" };
        const everyQueue = ctx.harness.everyQueue?.bind(ctx.harness);
        if (everyQueue)
          await until(ctx, deadline, async () => {
            queues = await everyQueue().catch((e: Error) => ({ healthy: false, detail: e.message }));
            return queues.healthy;
          });
        results.set(nodeLostChecks.rabbitmq[1], { passed: queues.healthy, detail: queues.detail });
      }
      await ctx.waitHealthy(ctx.settings.healthTimeoutMs);
      if (late.length > 0) throw new Error(late.map(fullServiceText).join("; "));
    } catch (e) {
      failure = e instanceof Error ? e.message : String(e);
      throw e;
    } finally {
      const watched = await watch?.stop();
      // The lost Kafka pod that holds partitions (a dedicated controller holds none).
      const broker =
        lostOf("kafka").find((p) => watched?.samples[0]?.some((part) => part.replicas.includes(p))) ??
        lostOf("kafka")[0];
      if (watched && broker) {
        const j = judgeLedAfterCaughtUp(broker, watched.samples);
        const unanswered = watched.failed ? `; ${watched.failed} samples unanswered` : "";
        results.set(nodeLostChecks.kafka[1], { passed: j.ok, detail: `${j.detail}${unanswered}` });
      }
      // Every check of the drilled system gets its line, however far the drill got.
      for (const name of nodeLostChecks[drilled]) {
        const r = results.get(name) ?? {
          passed: false,
          detail: `not reached: ${failure ?? "the drill stopped before"}`,
        };
        ctx.check(name, r.passed, r.detail);
      }
    }
  },
};
