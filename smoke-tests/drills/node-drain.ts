// node-drain: planned maintenance as `kubectl drain` does it, on two nodes at once. The leader's node is cordoned and
// every pod on it evicted through the Eviction API; meanwhile a second node running another broker is cordoned and its
// broker's eviction tried once a second. The PodDisruptionBudgets (one broker out at a time) must refuse it (429) until
// the first broker is back: its disk is on the cordoned node, so it waits Pending until the uncordon.

import { chooseDrainNodes, type DrainPlan, type EvictionOutcome, judgeDrain, outOfService } from "../faults/drain";
import type { FaultInjector } from "../faults/types";
import type { SystemHarness } from "./harness";
import type { NemesisContext, Scenario } from "./nemesis";
import { redundancyProblem, redundancySamples, watchRedundancy } from "./redundancy";

type DrainFaults = FaultInjector &
  Required<Pick<FaultInjector, "clusterNodes" | "cordon" | "uncordon" | "podsOn" | "evict" | "podState" | "nodeOf">>;

/** The injector, if it can drain a node (Kubernetes); else the refusal naming what it needs. */
function drainFaults(faults: FaultInjector): DrainFaults {
  const f = faults;
  if (!f.clusterNodes || !f.cordon || !f.uncordon || !f.podsOn || !f.evict || !f.podState || !f.nodeOf) {
    throw new Error(
      `node-drain cordons nodes and evicts pods through the Kubernetes API: select a Kubernetes target (MP_TARGET=stack:cluster); this one is ${faults.kind}`,
    );
  }
  return f as DrainFaults;
}

/** The two nodes to drain now (see chooseDrainNodes), or the refusal naming the rule. */
async function drainPlan(harness: SystemHarness, f: DrainFaults): Promise<DrainPlan> {
  const nodes = await f.clusterNodes();
  const leader = await harness.leader();
  const brokers = await Promise.all(harness.nodes().map(async (pod) => ({ pod, node: await f.nodeOf(pod) })));
  return chooseDrainNodes({ system: harness.system, nodes, leader, brokers });
}

/**
 * Until `pod` runs again as a new pod (another uid) that is Ready, or an error naming the wait. Resolves with since when
 * it is Ready as the control plane recorded it (not when this poll saw it: the disruption budget may let the next
 * eviction through in between).
 */
async function waitBack(ctx: NemesisContext, f: DrainFaults, pod: string, oldUid: string, why: string) {
  let last = "not looked at";
  let since: number | undefined;
  const back = await ctx.waitUntil(async () => {
    const s = await f.podState(pod).catch((e: Error) => {
      last = e.message;
      return undefined;
    });
    if (s) last = `${s.phase ?? "no phase"}${s.node ? ` on ${s.node}` : ", unscheduled"}${s.ready ? ", Ready" : ""}`;
    since = s?.readySince;
    return Boolean(s && s.uid !== oldUid && s.ready);
  }, ctx.settings.healthTimeoutMs);
  if (!back) throw new Error(`${pod} was not Ready again ${ctx.settings.healthTimeoutMs / 1000} s ${why} (${last})`);
  return since ?? Date.now();
}

/** The first node's drain: every drainable pod evicted, refused ones tried again once a second, as kubectl drain does. */
async function drainFirst(
  ctx: NemesisContext,
  f: DrainFaults,
  node: string,
  broker: string,
  onBroker: (at: number) => void,
) {
  let pending = await f.podsOn(node);
  if (!pending.some((p) => p.name === broker))
    throw new Error(`${broker} is not on ${node} any more: nothing to drain`);
  const deadline = Date.now() + ctx.settings.healthTimeoutMs;
  while (pending.length > 0) {
    const refused: typeof pending = [];
    for (const p of pending) {
      const r = await f.evict(p.namespace, p.name);
      if (r.outcome === "error") throw new Error(`evicting ${p.namespace}/${p.name} from ${node}: ${r.detail}`);
      if (r.outcome === "refused") refused.push(p);
      if (r.outcome === "evicted" && p.name === broker) onBroker(r.at);
      ctx.mark("note", `evict ${p.namespace}/${p.name} from ${node}: ${r.detail}`, r.at);
    }
    pending = refused;
    if (pending.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `drain ${node}: ${pending.map((p) => `${p.namespace}/${p.name}`).join(", ")} still refused ${ctx.settings.healthTimeoutMs / 1000} s after the cordon`,
      );
    }
    await ctx.sleep(1_000);
  }
}

export const nodeDrain: Scenario = {
  name: "node-drain",
  summary:
    "drain the leader's node (cordon, evict through the Eviction API) and at once a second broker's node: the PDB must refuse the second until the first broker is back; never below min ISR or a majority",
  systems: ["kafka", "rabbitmq"],
  async preflight(harness, faults) {
    await drainPlan(harness, drainFaults(faults));
  },
  async nemesis(ctx) {
    const f = drainFaults(ctx.faults);
    const { first, second } = await drainPlan(ctx.harness, f);
    const before = { first: await f.podState(first.broker), second: await f.podState(second.broker) };
    if (!before.first || !before.second) throw new Error(`${first.broker} or ${second.broker} has no pod to drain`);
    const seen = {
      first: { ...first, evictedAt: undefined as number | undefined, readyAt: undefined as number | undefined },
      second: { ...second, attempts: [] as EvictionOutcome[], readyAt: undefined as number | undefined },
    };
    const cordoned = new Set<string>();
    const redundancy = watchRedundancy(ctx.harness, ctx.sleep);
    let trying = true;
    let secondLoop: Promise<void> | undefined;
    let secondFailed: Error | undefined;
    const evictSecond = async () => {
      await f.cordon(second.node);
      cordoned.add(second.node);
      ctx.mark("note", `cordon ${second.node}`);
      const namespace = (before.second as { namespace: string }).namespace;
      while (trying) {
        const r = await f.evict(namespace, second.broker);
        seen.second.attempts.push(r);
        ctx.mark("note", `evict ${second.broker} from ${second.node}: ${r.detail}`, r.at);
        if (r.outcome === "evicted") {
          // Its maintenance takes no time: left cordoned, a broker evicted too early (no PDB) would never come back.
          await f.uncordon(second.node);
          cordoned.delete(second.node);
          ctx.mark("heal", `uncordon ${second.node}`);
          return;
        }
        await ctx.sleep(1_000);
      }
    };
    const secondEvictedAt = () => seen.second.attempts.find((a) => a.outcome === "evicted")?.at;
    try {
      ctx.mark(
        "fault",
        `drain ${first.node} (runs ${first.broker}, the leader), then ${second.node} (runs ${second.broker})`,
      );
      await f.cordon(first.node);
      cordoned.add(first.node);
      await drainFirst(ctx, f, first.node, first.broker, (at) => {
        seen.first.evictedAt = at;
        ctx.landed(at);
        secondLoop = evictSecond().catch((e: Error) => {
          secondFailed = e;
        });
      });
      if (seen.first.evictedAt === undefined)
        throw new Error(`${first.broker} was drained from ${first.node}, but never evicted by the drill`);
      await ctx.sleep(Math.max(0, ctx.settings.faultMs - (Date.now() - seen.first.evictedAt)));
      const waiting = await f.podState(first.broker).catch(() => undefined);
      ctx.mark(
        "note",
        `${first.broker} before the uncordon: ${waiting ? `${waiting.phase ?? "no phase"}${waiting.node ? ` on ${waiting.node}` : ", unscheduled"}` : "no pod"}`,
      );
      await f.uncordon(first.node);
      cordoned.delete(first.node);
      ctx.mark("heal", `uncordon ${first.node}`);
      seen.first.readyAt = await waitBack(ctx, f, first.broker, before.first.uid, `after ${first.node} was uncordoned`);
      ctx.mark("note", outOfService(first.broker, seen.first.evictedAt, seen.first.readyAt), seen.first.readyAt);
      await ctx.waitHealthy(ctx.settings.healthTimeoutMs);
      // The PDB lets the second broker go now: its eviction is still being tried once a second.
      const evicted = await ctx.waitUntil(
        async () => secondFailed !== undefined || seen.second.attempts.some((a) => a.outcome === "evicted"),
        ctx.settings.healthTimeoutMs,
      );
      if (secondFailed) throw new Error(`drain ${second.node}: ${secondFailed.message}`);
      if (!evicted)
        throw new Error(
          `${second.broker}'s eviction still not through ${ctx.settings.healthTimeoutMs / 1000} s after ${first.broker} was back (last: ${seen.second.attempts.at(-1)?.detail ?? "never tried"})`,
        );
      await secondLoop;
      if (secondFailed) throw new Error(`drain ${second.node}: ${(secondFailed as Error).message}`);
      seen.second.readyAt = await waitBack(
        ctx,
        f,
        second.broker,
        before.second.uid,
        `after ${second.node} was uncordoned`,
      );
      ctx.mark("note", outOfService(second.broker, secondEvictedAt(), seen.second.readyAt), seen.second.readyAt);
      await ctx.waitHealthy(ctx.settings.healthTimeoutMs);
    } finally {
      trying = false;
      await secondLoop;
      // Judged from what was seen, however far the drill got.
      const judged = judgeDrain(seen);
      ctx.effect(
        judged.tookEffect,
        `${judged.detail}; ${outOfService(first.broker, seen.first.evictedAt, seen.first.readyAt)}; ${outOfService(second.broker, secondEvictedAt(), seen.second.readyAt)}`,
      );
      // Never leave a node cordoned: a failed drill's evicted pods wait for it, and so would the next drill.
      for (const node of cordoned) {
        await f.uncordon(node).then(
          () => ctx.mark("heal", `uncordon ${node}`),
          (e: Error) => ctx.mark("note", `uncordon ${node} failed: ${e.message}`),
        );
      }
      const kept = await redundancy.stop();
      const problem = redundancyProblem(kept);
      ctx.check(
        "never below what a write needs",
        problem === undefined,
        problem
          ? `${problem} (${redundancySamples(kept)})`
          : `lowest ${kept.lowest?.detail}, needs ${kept.lowest?.needed} (${redundancySamples(kept)})`,
      );
    }
  },
};
